/**
 * The Link CRD of the linkerd-multicluster chart (multicluster.linkerd.io): how this cluster
 * reaches a linked (target) cluster — its gateway, the credentials Secret, the probe, and
 * which remote services are mirrored. Served at upstream's three versions; v1alpha3 is
 * stored (docs/parity.md {#link-crd-versions}).
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

const probeSpec = (period: { format?: 'duration' }) =>
  s.optional(
    s.object(
      {
        failureThreshold: s.optional(s.string({ description: 'Failed probes before the gateway is deemed down.', default: '3' })),
        path: s.optional(s.string({ description: 'HTTP path of the probe.' })),
        period: s.optional(s.string({ description: 'Time between probes.', ...period })),
        port: s.optional(s.string({ description: 'Port of the probe.' })),
        timeout: s.optional(s.string({ description: 'Timeout of one probe.', format: 'duration', default: '30s' })),
      },
      { description: 'How the gateway of the target cluster is probed.' },
    ),
  );

/** The fields of v1alpha1; v1alpha2 added the federated services and a duration check on the probe period, v1alpha3 the excluded labels and annotations. */
const v1alpha1Fields = {
  clusterCredentialsSecret: s.optional(s.string({ description: 'Secret (in the Link\u2019s namespace) with the kubeconfig for the target cluster.' })),
  gatewayAddress: s.optional(s.string({ description: 'Address(es) of the target cluster\u2019s gateway, comma separated.' })),
  gatewayIdentity: s.optional(s.string({ description: 'Mesh identity of the target gateway.' })),
  gatewayPort: s.optional(s.string({ description: 'Port of the target gateway.' })),
  probeSpec: probeSpec({}),
  selector: labelSelector('Remote services mirrored through the gateway.'),
  remoteDiscoverySelector: labelSelector('Remote services mirrored with their pods\u2019 addresses (flat network, no gateway).'),
  targetClusterName: s.optional(s.string({ description: 'Name of the target cluster (suffix of the mirrored services).' })),
  targetClusterDomain: s.optional(s.string({ description: 'DNS domain of the target cluster.' })),
  targetClusterLinkerdNamespace: s.optional(s.string({ description: 'Namespace of the target cluster\u2019s control plane.' })),
};
const v1alpha2Fields = {
  ...v1alpha1Fields,
  probeSpec: probeSpec({ format: 'duration' }),
  federatedServiceSelector: labelSelector('Remote services that join a federated service.'),
};
const v1alpha3Fields = {
  ...v1alpha2Fields,
  excludedAnnotations: s.optional(s.array(s.string(), { description: 'Annotations not copied to mirrored services.' })),
  excludedLabels: s.optional(s.array(s.string(), { description: 'Labels not copied to mirrored services.' })),
};
const spec = <P extends typeof v1alpha1Fields>(fields: P) => s.optional(s.object(fields, { description: 'How to reach and mirror the target cluster.' }));

const status = s.optional(
  s.object({
    mirrorServices: s.optional(s.array(serviceStatus)),
    federatedServices: s.optional(s.array(serviceStatus)),
  }),
);

const v1alpha1 = resourceSchema({ spec: spec(v1alpha1Fields) });
const v1alpha2 = resourceSchema({ spec: spec(v1alpha2Fields), status });
const v1alpha3 = resourceSchema({ spec: spec(v1alpha3Fields), status });
export type LinkSpec = NonNullable<Static<typeof v1alpha3>['spec']>;

export const linkCrd: CrdDefinition = {
  group: 'multicluster.linkerd.io',
  ...crdNames('Link'),
  scope: 'Namespaced',
  description: 'A link to another cluster whose services this cluster mirrors.',
  file: 'link-crd.yaml',
  // Every version upstream serves: clusters that ran Linkerd before edge-25.4 have Links stored
  // as v1alpha1 or v1alpha2 (status.storedVersions), and the API server refuses a CRD that drops
  // a stored version. All three have the same structure up to added fields, so no conversion.
  versions: [
    { name: 'v1alpha1', served: true, storage: false, schema: v1alpha1 },
    { name: 'v1alpha2', served: true, storage: false, subresources: { status: {} }, schema: v1alpha2 },
    { name: 'v1alpha3', served: true, storage: true, subresources: { status: {} }, schema: v1alpha3 },
  ],
};
