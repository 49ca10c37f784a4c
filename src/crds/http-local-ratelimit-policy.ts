import { type CrdDefinition, crdNames } from './definition';
import { conditions, ref } from './policy-common';
import { resourceSchema, s, withDefault, type Static } from './schema';

const rate = (description: string) =>
  s.object({ requestsPerSecond: s.integer({ description: 'Requests per second.', format: 'int64' }) }, { description });

const schema = resourceSchema({
  spec: s.object(
    {
      targetRef: s.object(
        { group: s.optional(ref.group), kind: ref.kind, name: ref.name },
        { description: 'The Server whose inbound HTTP traffic is limited.' },
      ),
      total: s.optional(rate('The limit for all clients together.')),
      identity: s.optional(rate('The limit for each client identity (and for all unauthenticated clients together).')),
      overrides: s.optional(
        s.array(
          s.object({
            requestsPerSecond: s.integer({ description: 'Requests per second for these clients.', format: 'int64' }),
            clientRefs: s.array(
              s.object({
                group: s.optional(ref.group),
                kind: ref.kind,
                namespace: s.optional(
                  s.string({ description: 'Namespace of the referent.', maxLength: 63, minLength: 1, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' }),
                ),
                name: ref.name,
              }),
              { description: 'The clients (e.g. ServiceAccounts) this limit applies to.' },
            ),
          }),
          { description: 'Per-client limits that replace the identity limit.' },
        ),
      ),
    },
    { description: 'Which Server is limited, and how.' },
  ),
  status: s.optional(
    s.object({
      conditions: s.optional(conditions()),
      targetRef: s.object(
        {
          group: s.optional(withDefault(ref.group, 'policy.linkerd.io')),
          kind: s.optional(withDefault(ref.kind, 'Server')),
          name: ref.name,
        },
        { description: 'The target the controller resolved.' },
      ),
    }),
  ),
});

export type HTTPLocalRateLimitPolicySpec = Static<typeof schema>['spec'];

export const httpLocalRateLimitPolicyCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('HTTPLocalRateLimitPolicy', { plural: 'httplocalratelimitpolicies', listKind: true }),
  scope: 'Namespaced',
  description: 'Rate limits for inbound HTTP traffic to a Server, enforced by each proxy.',
  file: 'policy/http-local-ratelimit-policy.yaml',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      subresources: { status: {} },
      schema,
      additionalPrinterColumns: [
        { name: 'Target_kind', description: 'Kind of the limited target', type: 'string', jsonPath: '.spec.targetRef.kind' },
        { name: 'Target_name', description: 'Name of the limited target', type: 'string', jsonPath: '.spec.targetRef.name' },
        { name: 'Total_RPS', description: 'Limit for all clients', type: 'integer', format: 'int32', jsonPath: '.spec.total.requestsPerSecond' },
        { name: 'Identity_RPS', description: 'Limit per client identity', type: 'integer', format: 'int32', jsonPath: '.spec.identity.requestsPerSecond' },
      ],
    },
  ],
};
