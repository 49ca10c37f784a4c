import { type CrdDefinition, crdNames } from './definition';
import { conditions } from './policy-common';
import type { TProperties } from '@sinclair/typebox';
import { resourceSchema, s, typeMetaFields, type Static } from './schema';

const meshTls = s.object(
  {
    identity: s.string({ description: 'The mesh TLS identity the workload presents.', minLength: 1, maxLength: 253 }),
    serverName: s.string({ description: 'The TLS server name (SNI) the workload answers to.', minLength: 1, maxLength: 253 }),
  },
  { description: 'How the workload authenticates in the mesh.' },
);

function endpoints(maxIPs: number) {
  return {
    ports: s.optional(
      s.array(
        s.object({
          name: s.optional(s.string({ description: 'Port name, for reference from Services.' })),
          port: s.integer({ description: 'Port number.', format: 'int32', minimum: 1, maximum: 65535 }),
          protocol: s.optional(s.string({ description: 'Transport protocol.', default: 'TCP' })),
        }),
        { description: 'Ports the workload serves.' },
      ),
    ),
    workloadIPs: s.optional(
      s.array(s.object({ ip: s.optional(s.string({ description: 'An address of the workload.' })) }), {
        description: 'Addresses of the workload (one per IP family).',
        maxItems: maxIPs,
      }),
    ),
  };
}

function resource<P extends TProperties>(specFields: P) {
  return resourceSchema({
    ...typeMetaFields(),
    spec: s.object(specFields, { description: 'A workload outside Kubernetes that joins the mesh.' }),
    status: s.optional(s.object({ conditions: s.optional(conditions(true)) })),
  });
}

// v1beta1 renamed meshTls to meshTLS and allows a second (dual-stack) address.
const v1alpha1 = resource({ meshTls, ...endpoints(1) });
const v1beta1 = resource({ meshTLS: meshTls, ...endpoints(2) });
export type ExternalWorkloadSpec = Static<typeof v1beta1>['spec'];

const columns = (tlsKey: string) => [
  { jsonPath: `.spec.${tlsKey}.identity`, name: 'Identity', type: 'string' as const },
  { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' as const },
];

export const externalWorkloadCrd: CrdDefinition = {
  group: 'workload.linkerd.io',
  ...crdNames('ExternalWorkload', { listKind: true }),
  categories: ['external'],
  scope: 'Namespaced',
  description: 'A workload running outside Kubernetes (a VM, a bare-metal host) that joins the mesh.',
  file: 'workload/external-workload.yaml',
  versions: [
    { name: 'v1alpha1', served: true, storage: false, schema: v1alpha1, additionalPrinterColumns: columns('meshTls') },
    { name: 'v1beta1', served: true, storage: true, subresources: { status: {} }, schema: v1beta1, additionalPrinterColumns: columns('meshTLS') },
  ],
};
