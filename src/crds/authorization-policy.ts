import { type CrdDefinition, crdNames } from './definition';
import { ref } from './policy-common';
import { resourceSchema, s, type Static } from './schema';

const schema = resourceSchema({
  spec: s.object(
    {
      targetRef: s.object(
        { group: s.optional(ref.group), kind: ref.kind, name: ref.name },
        { description: 'What this policy authorizes access to: a Server, an HTTPRoute or a Namespace.' },
      ),
      requiredAuthenticationRefs: s.array(
        s.object({
          group: s.optional(ref.group),
          kind: ref.kind,
          name: ref.name,
          namespace: s.optional(ref.namespace),
        }),
        {
          description:
            'Authentications a client must satisfy, all of them: MeshTLSAuthentication, NetworkAuthentication or ServiceAccount references.',
        },
      ),
    },
    { description: 'Which target this policy opens, and to which clients.' },
  ),
});

export type AuthorizationPolicySpec = Static<typeof schema>['spec'];

export const authorizationPolicyCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('AuthorizationPolicy', { plural: 'authorizationpolicies' }),
  shortNames: ['authzpolicy'],
  scope: 'Namespaced',
  description: 'Authorizes clients that satisfy a set of authentications to reach a target.',
  file: 'policy/authorization-policy.yaml',
  versions: [{ name: 'v1alpha1', served: true, storage: true, schema }],
};
