import { type CrdDefinition, crdNames } from './definition';
import { ref } from './policy-common';
import { resourceSchema, s, type Static } from './schema';

const schema = resourceSchema({
  spec: s.object(
    {
      identities: s.optional(
        s.array(s.string(), { description: 'Mesh TLS identities (DNS-like names; `*` matches any authenticated client).', minItems: 1 }),
      ),
      identityRefs: s.optional(
        s.array(
          s.object({ group: s.optional(ref.group), kind: ref.kind, name: s.optional(ref.name), namespace: s.optional(ref.namespace) }),
          { description: 'Objects whose identities are accepted, e.g. ServiceAccounts (without a name: all of that kind).', minItems: 1 },
        ),
      ),
    },
    { description: 'Clients identified by mesh TLS: give exactly one of identities and identityRefs.', oneOf: [{ required: ['identities'] }, { required: ['identityRefs'] }] },
  ),
});

export type MeshTLSAuthenticationSpec = Static<typeof schema>['spec'];

export const meshTlsAuthenticationCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('MeshTLSAuthentication'),
  shortNames: ['meshtlsauthn'],
  scope: 'Namespaced',
  description: 'A set of clients identified by their mesh TLS identity.',
  file: 'policy/meshtls-authentication.yaml',
  versions: [{ name: 'v1alpha1', served: true, storage: true, schema }],
};
