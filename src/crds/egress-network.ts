import { type CrdDefinition, crdNames } from './definition';
import { conditions, network } from './policy-common';
import { resourceSchema, s, typeMetaFields, type Static } from './schema';

const schema = resourceSchema({
  ...typeMetaFields(),
  spec: s.object(
    {
      trafficPolicy: s.enum(['Allow', 'Deny'] as const, { description: 'Whether traffic to these networks that no route matches is allowed.' }),
      networks: s.optional(s.array(network, { description: 'The destination networks (default: everything outside the cluster networks).' })),
    },
    { description: 'Destinations outside the cluster and the default policy for them.' },
  ),
  status: s.optional(
    s.object({ conditions: s.optional(conditions()) }),
  ),
});

export type EgressNetworkSpec = Static<typeof schema>['spec'];

export const egressNetworkCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('EgressNetwork', { listKind: true }),
  categories: ['policy'],
  scope: 'Namespaced',
  description: 'Networks outside the cluster that meshed workloads send traffic to, with their default policy.',
  file: 'policy/egress-network.yaml',
  versions: [{ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} }, schema }],
};
