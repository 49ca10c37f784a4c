import { type CrdDefinition, crdNames } from './definition';
import { network } from './policy-common';
import { resourceSchema, s, type Static } from './schema';

const schema = resourceSchema({
  spec: s.object(
    { networks: s.array(network, { description: 'Networks that clients may connect from.' }) },
    { description: 'Clients identified by their source address.' },
  ),
});

export type NetworkAuthenticationSpec = Static<typeof schema>['spec'];

export const networkAuthenticationCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('NetworkAuthentication'),
  shortNames: ['netauthn', 'networkauthn'],
  scope: 'Namespaced',
  description: 'A set of clients identified by the network they connect from.',
  file: 'policy/network-authentication.yaml',
  versions: [{ name: 'v1alpha1', served: true, storage: true, schema }],
};
