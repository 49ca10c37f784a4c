import type { TProperties } from '@sinclair/typebox';
import { type CrdDefinition, crdNames } from './definition';
import { resourceSchema, s, type Static } from './schema';

const freeformList = (description: string) => s.array(s.freeform(), { description });

const specFields = {
  dstOverrides: s.optional(
    s.array(
      s.object({
        authority: s.optional(s.string({ description: 'The destination authority (host:port) to send a share of traffic to.' })),
        weight: s.optional(
          s.intOrString({
            description: 'The share of traffic, as a Kubernetes quantity.',
            anyOf: [{ type: 'integer' }, { type: 'string' }],
            pattern: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
          }),
        ),
      }),
      // upstream places `required` on the list, where the API server ignores it; kept for compatibility.
      { description: 'Traffic split: destinations that receive a weighted share of requests.', required: ['authority', 'weight'] },
    ),
  ),
  opaquePorts: s.optional(s.array(s.string(), { description: 'Ports whose traffic is proxied as opaque TCP.' })),
  retryBudget: s.optional(
    s.object(
      {
        minRetriesPerSecond: s.integer({ description: 'Retries always allowed per second, whatever the ratio.', format: 'int32' }),
        retryRatio: s.number({ description: 'Retries allowed as a fraction of requests.', format: 'float' }),
        ttl: s.string({ description: 'The window over which the ratio is computed (e.g. 10s).' }),
      },
      { description: 'Caps retries so they cannot overload the service.' },
    ),
  ),
  routes: s.optional(routes()),
};

function routes() {
  return s.array(
      s.object({
        condition: s.object(
          {
            pathRegex: s.optional(s.string({ description: 'Regular expression the request path must match entirely.' })),
            method: s.optional(s.string({ description: 'HTTP method.' })),
            all: s.optional(freeformList('Conditions that must all match.')),
            any: s.optional(freeformList('Conditions of which one must match.')),
            not: s.optional(freeformList('Conditions that must not match.')),
          },
          { description: 'Which requests belong to this route.' },
        ),
        isRetryable: s.optional(s.boolean({ description: 'Whether failed requests on this route are retried.' })),
        name: s.string({ description: 'Route name, used as the `rt_route` metric label.' }),
        timeout: s.optional(s.string({ description: 'Time after which a request is cancelled (e.g. 300ms).' })),
        responseClasses: s.optional(
          s.array(
            s.object({
              condition: s.object(
                {
                  all: s.optional(freeformList('Conditions that must all match.')),
                  any: s.optional(freeformList('Conditions of which one must match.')),
                  not: s.optional(s.freeform({ description: 'A condition that must not match.' })),
                  status: s.optional(
                    s.object(
                      {
                        max: s.optional(s.integer({ description: 'Highest status code (inclusive).', format: 'int32' })),
                        min: s.optional(s.integer({ description: 'Lowest status code (inclusive).', format: 'int32' })),
                      },
                      { description: 'A range of HTTP status codes.' },
                    ),
                  ),
                },
                { description: 'Which responses belong to this class.' },
              ),
              isFailure: s.optional(s.boolean({ description: 'Whether responses of this class count as failures.' })),
            }),
            { description: 'Classifies responses as successes or failures.' },
          ),
        ),
      }),
      { description: 'Routes of the service: per-route metrics, retries and timeouts.' },
    );
}

function resource<P extends TProperties>(fields: P, required?: string[]) {
  return resourceSchema({
    spec: s.optional(s.object(fields, { description: 'Routes, retries, timeouts and traffic split of one service.', ...(required ? { required } : {}) })),
  });
}

// v1alpha1 requires routes; v1alpha2 does not.
const v1alpha1 = resource({ ...specFields, routes: routes() });
const v1alpha2 = resource(specFields);
export type ServiceProfileSpec = NonNullable<Static<typeof v1alpha2>['spec']>;

export const serviceProfileCrd: CrdDefinition = {
  group: 'linkerd.io',
  ...crdNames('ServiceProfile'),
  shortNames: ['sp'],
  scope: 'Namespaced',
  description: 'Describes a service to the proxies: routes for per-route metrics, retries, timeouts, and a traffic split.',
  file: 'serviceprofile.yaml',
  versions: [
    { name: 'v1alpha1', served: true, storage: false, schema: v1alpha1 },
    { name: 'v1alpha2', served: true, storage: true, schema: v1alpha2 },
  ],
};
