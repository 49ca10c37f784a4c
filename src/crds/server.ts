import { type CrdDefinition, crdNames } from './definition';
import { resourceSchema, s, type Static } from './schema';
import { labelSelector } from './common';

const proxyProtocol = s.string({
  description:
    'How the proxy treats connections to this port: unknown (detect), HTTP/1, HTTP/2, gRPC, opaque (plain TCP, no detection) or TLS (passed through).',
  default: 'unknown',
});

const portV1 = s.intOrString({ description: 'The port, by number or by container port name.' });

function spec(version: 'v1alpha1' | 'v1beta1' | 'v1beta2' | 'v1beta3') {
  const podSelector = labelSelector('Selects the pods in the same namespace whose port this Server describes.');
  if (version === 'v1alpha1' || version === 'v1beta1') {
    const selector =
      version === 'v1alpha1'
        ? labelSelector(podSelector.description ?? '', { oneOf: [{ required: ['matchExpressions'] }, { required: ['matchLabels'] }] })
        : podSelector;
    return s.object(
      { podSelector: selector, port: portV1, proxyProtocol: s.optional(proxyProtocol) },
      { description: 'Which pods and which port this Server describes.' },
    );
  }
  const selectors = {
    podSelector: s.optional(podSelector),
    externalWorkloadSelector: s.optional(
      labelSelector('Selects the ExternalWorkloads in the same namespace whose port this Server describes.'),
    ),
  };
  const accessPolicy = s.string({
    description:
      'What happens to traffic no authorization policy admits: deny, all-authenticated, all-unauthenticated, cluster-authenticated, cluster-unauthenticated, audit.',
    default: 'deny',
  });
  return version === 'v1beta2'
    ? s.object(
        { ...selectors, port: portV1, proxyProtocol: s.optional(proxyProtocol) },
        { description: 'Which workloads and which port this Server describes (exactly one selector).', oneOf: oneSelector },
      )
    : s.object(
        { accessPolicy: s.optional(accessPolicy), ...selectors, port: portV1, proxyProtocol: s.optional(proxyProtocol) },
        { description: 'Which workloads and which port this Server describes (exactly one selector).', oneOf: oneSelector },
      );
}

const oneSelector = [{ required: ['podSelector'] }, { required: ['externalWorkloadSelector'] }];

const schemaV1beta3 = resourceSchema({ spec: spec('v1beta3') });
export type ServerSpec = Static<typeof schemaV1beta3>['spec'];

const portColumns = [
  { name: 'Port', type: 'string' as const, description: 'Port number or name', jsonPath: '.spec.port' },
  { name: 'Protocol', type: 'string' as const, description: 'Proxy protocol of the port', jsonPath: '.spec.proxyProtocol' },
];

export const serverCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('Server'),
  shortNames: ['srv'],
  scope: 'Namespaced',
  description: 'A port on a set of meshed workloads that authorization policy and routes attach to.',
  file: 'policy/server.yaml',
  versions: [
    { name: 'v1alpha1', served: true, storage: false, deprecated: true, deprecationWarning: 'policy.linkerd.io/v1alpha1 Server is deprecated; use policy.linkerd.io/v1beta1 Server', schema: resourceSchema({ spec: spec('v1alpha1') }) },
    {
      name: 'v1beta1',
      served: true,
      storage: false,
      deprecated: true,
      deprecationWarning: 'policy.linkerd.io/v1beta1 Server is deprecated; use policy.linkerd.io/v1beta3 Server',
      schema: resourceSchema({ spec: spec('v1beta1') }),
      additionalPrinterColumns: portColumns,
    },
    { name: 'v1beta2', served: true, storage: false, schema: resourceSchema({ spec: spec('v1beta2') }), additionalPrinterColumns: portColumns },
    {
      name: 'v1beta3',
      served: true,
      storage: true,
      schema: schemaV1beta3,
      additionalPrinterColumns: [
        ...portColumns,
        { name: 'Access Policy', type: 'string', description: 'Policy for traffic that no authorization admits', jsonPath: '.spec.accessPolicy' },
      ],
    },
  ],
};
