/**
 * The Link CRD of the linkerd-multicluster chart (multicluster.linkerd.io): how this cluster
 * reaches a linked (target) cluster — its gateway, the credentials Secret, the probe, and
 * which remote services are mirrored. Served at the storage version v1alpha3 (see
 * docs/parity.md for the older versions).
 */
import { type CrdDefinition, crdNames } from './definition';
import { resourceSchema, s, type Static } from './schema';

const labelSelector = (what: string) =>
  s.optional(
    s.object(
      {
        matchLabels: s.optional(s.freeform<Record<string, string>>({ description: 'Labels the services must carry.' })),
        matchExpressions: s.optional(
          s.array(
            s.object({
              key: s.string({ description: 'The label key.' }),
              operator: s.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, { description: 'How the key relates to the values.' }),
              values: s.optional(s.array(s.string(), { description: 'The label values (In, NotIn).' })),
            }),
            { description: 'Label expressions the services must match.' },
          ),
        ),
      },
      { description: what },
    ),
  );

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const ref = (what: string) =>
  s.object(
    {
      group: s.optional(s.string({ default: 'core', maxLength: 253, pattern: `^$|${DNS_SUBDOMAIN}$` })),
      kind: s.optional(s.string({ default: 'Service', maxLength: 63, minLength: 1, pattern: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$' })),
      name: s.string({ maxLength: 253, minLength: 1 }),
      namespace: s.string({ maxLength: 63, minLength: 1, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
    },
    { description: what },
  );

const condition = s.object({
  lastTransitionTime: s.string({ format: 'date-time' }),
  message: s.string(),
  reason: s.string({ minLength: 1, maxLength: 1024, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
  status: s.enum(['True', 'False', 'Unknown'] as const),
  type: s.string({ maxLength: 316, pattern: `^(${DNS_SUBDOMAIN.slice(1)}/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$` }),
  localRef: s.optional(ref('The local object (a mirror Service) the condition is about.')),
});

const serviceStatus = s.object({
  conditions: s.optional(s.array(condition)),
  controllerName: s.string({ maxLength: 253, minLength: 1, pattern: `${DNS_SUBDOMAIN}\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$` }),
  remoteRef: ref('The remote Service being mirrored.'),
});

const v1alpha3 = resourceSchema({
  spec: s.optional(
    s.object(
      {
        clusterCredentialsSecret: s.optional(s.string({ description: 'Secret (in the Link\u2019s namespace) with the kubeconfig for the target cluster.' })),
        gatewayAddress: s.optional(s.string({ description: 'Address(es) of the target cluster\u2019s gateway, comma separated.' })),
        gatewayIdentity: s.optional(s.string({ description: 'Mesh identity of the target gateway.' })),
        gatewayPort: s.optional(s.string({ description: 'Port of the target gateway.' })),
        probeSpec: s.optional(
          s.object(
            {
              failureThreshold: s.optional(s.string({ description: 'Failed probes before the gateway is deemed down.', default: '3' })),
              path: s.optional(s.string({ description: 'HTTP path of the probe.' })),
              period: s.optional(s.string({ description: 'Time between probes.', format: 'duration' })),
              port: s.optional(s.string({ description: 'Port of the probe.' })),
              timeout: s.optional(s.string({ description: 'Timeout of one probe.', format: 'duration', default: '30s' })),
            },
            { description: 'How the gateway of the target cluster is probed.' },
          ),
        ),
        selector: labelSelector('Remote services mirrored through the gateway.'),
        remoteDiscoverySelector: labelSelector('Remote services mirrored with their pods\u2019 addresses (flat network, no gateway).'),
        federatedServiceSelector: labelSelector('Remote services that join a federated service.'),
        targetClusterName: s.optional(s.string({ description: 'Name of the target cluster (suffix of the mirrored services).' })),
        targetClusterDomain: s.optional(s.string({ description: 'DNS domain of the target cluster.' })),
        targetClusterLinkerdNamespace: s.optional(s.string({ description: 'Namespace of the target cluster\u2019s control plane.' })),
        excludedAnnotations: s.optional(s.array(s.string(), { description: 'Annotations not copied to mirrored services.' })),
        excludedLabels: s.optional(s.array(s.string(), { description: 'Labels not copied to mirrored services.' })),
      },
      { description: 'How to reach and mirror the target cluster.' },
    ),
  ),
  status: s.optional(
    s.object({
      mirrorServices: s.optional(s.array(serviceStatus)),
      federatedServices: s.optional(s.array(serviceStatus)),
    }),
  ),
});
export type LinkSpec = NonNullable<Static<typeof v1alpha3>['spec']>;

export const linkCrd: CrdDefinition = {
  group: 'multicluster.linkerd.io',
  ...crdNames('Link'),
  scope: 'Namespaced',
  description: 'A link to another cluster whose services this cluster mirrors.',
  file: 'link-crd.yaml',
  versions: [{ name: 'v1alpha3', served: true, storage: true, subresources: { status: {} }, schema: v1alpha3 }],
};
