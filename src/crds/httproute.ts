/**
 * Linkerd's HTTPRoute (policy.linkerd.io): the Gateway API HTTPRoute shape, served by
 * Linkerd's own API group so it works without the Gateway API CRDs.
 */
import { type CrdDefinition, crdNames } from './definition';
import { ref } from './policy-common';
import { resourceSchema, s, typeMetaFields, withDefault, type Static } from './schema';

type Version = 'v1alpha1' | 'v1beta1' | 'v1beta2' | 'v1beta3';

const dnsSubdomain = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const headerNamePattern = "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$";
const namespace = () =>
  s.string({ description: 'Namespace of the referent (default: the route namespace).', maxLength: 63, minLength: 1, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' });
const port = (description: string) => s.integer({ description, format: 'int32', minimum: 1, maximum: 65535 });
const pathPrefixRoot = { type: 'PathPrefix', value: '/' };

const header = () =>
  s.object({
    name: s.string({ description: 'Header name (case-insensitive).', maxLength: 256, minLength: 1, pattern: headerNamePattern }),
    value: s.string({ description: 'Header value.', maxLength: 4096, minLength: 1 }),
  });
const headerList = (description: string) =>
  s.array(header(), { description, maxItems: 16, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] });

const headerModifier = (description: string) =>
  s.object(
    {
      add: s.optional(headerList('Headers to add (appended to existing values).')),
      remove: s.optional(s.array(s.string(), { description: 'Names of headers to remove.', maxItems: 16 })),
      set: s.optional(headerList('Headers to set (replacing existing values).')),
    },
    { description },
  );

const requestRedirect = () =>
  s.object(
    {
      hostname: s.optional(s.string({ description: 'Host name of the redirect target.', maxLength: 253, minLength: 1, pattern: dnsSubdomain })),
      path: s.optional(
        s.object(
          {
            replaceFullPath: s.optional(s.string({ description: 'The new path.', maxLength: 1024 })),
            replacePrefixMatch: s.optional(s.string({ description: 'Replacement for the matched path prefix.', maxLength: 1024 })),
            type: s.enum(['ReplaceFullPath', 'ReplacePrefixMatch'] as const, { description: 'How the path is rewritten.' }),
          },
          { description: 'How the path of the redirect target is formed.' },
        ),
      ),
      port: s.optional(port('Port of the redirect target.')),
      scheme: s.optional(s.enum(['http', 'https'] as const, { description: 'Scheme of the redirect target.' })),
      statusCode: s.optional(
        s.integer({ description: 'HTTP status of the redirect response.', default: 302, enum: [301, 302] }),
      ),
    },
    { description: 'Answers matching requests with a redirect.' },
  );

/** Filters on a rule (`withResponseHeaders`: also on backend refs, which may modify response headers). */
const filters = (withResponseHeaders: boolean) =>
  s.array(
    s.object({
      requestHeaderModifier: s.optional(headerModifier('Changes request headers before forwarding.')),
      ...(withResponseHeaders ? { responseHeaderModifier: s.optional(headerModifier('Changes response headers before returning them.')) } : {}),
      requestRedirect: s.optional(requestRedirect()),
      type: s.enum(
        (withResponseHeaders
          ? ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect']
          : ['RequestHeaderModifier', 'RequestRedirect']) as readonly ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect'],
        { description: 'Which filter this is; the field of the same name holds its settings.' },
      ),
    }),
    { description: 'Filters applied to matching requests, in order.', maxItems: 16 },
  );

/** A parent reference; before v1beta2 the spec's parent port had no bounds. */
const parentRef = (boundedPort = true) =>
  s.object({
    group: s.optional(withDefault(ref.group, 'policy.linkerd.io')),
    kind: s.optional(withDefault(ref.kind, 'Gateway')),
    name: ref.name,
    namespace: s.optional(namespace()),
    port: s.optional(
      boundedPort ? port('Port of the parent (a Service port) this route attaches to.') : s.integer({ description: 'Port of the parent this route attaches to.' }),
    ),
    sectionName: s.optional(s.string({ description: 'A named section of the parent.', maxLength: 253, minLength: 1, pattern: dnsSubdomain })),
  });

/** Backend refs: v1beta2 added typed group/kind, limits and weights. */
function backendRefs(version: Version) {
  if (version === 'v1alpha1' || version === 'v1beta1') {
    return s.array(
      s.object({
        name: s.optional(s.string({ description: 'Service name.' })),
        port: s.optional(s.integer({ description: 'Service port.' })),
        namespace: s.optional(s.string({ description: 'Service namespace.', default: 'default' })),
        filters: s.optional(filters(true)),
      }),
      { description: 'Where matching requests are sent.' },
    );
  }
  return s.array(
    s.object({
      group: s.optional(withDefault(ref.group, '')),
      kind: s.optional(withDefault(ref.kind, 'Service')),
      name: ref.name,
      namespace: s.optional(namespace()),
      port: s.optional(port('Port of the backend.')),
      weight: s.optional(s.integer({ description: 'Share of requests sent to this backend.', default: 1, format: 'int32', minimum: 0, maximum: 1000000 })),
      filters: s.optional(filters(true)),
    }),
    { description: 'Where matching requests are sent, weighted.', maxItems: 16 },
  );
}

const match = () =>
  s.object({
    headers: s.optional(
      s.array(
        s.object({
          name: s.string({ description: 'Header name (case-insensitive).', maxLength: 256, minLength: 1, pattern: headerNamePattern }),
          type: s.optional(s.enum(['Exact', 'RegularExpression'] as const, { description: 'How the value is compared.', default: 'Exact' })),
          value: s.string({ description: 'Value to compare with.', maxLength: 4096, minLength: 1 }),
        }),
        { description: 'Headers that must all match.', maxItems: 16, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
      ),
    ),
    method: s.optional(
      s.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'] as const, { description: 'HTTP method that must match.' }),
    ),
    path: s.optional(
      s.object(
        {
          type: s.optional(s.enum(['Exact', 'PathPrefix', 'RegularExpression'] as const, { description: 'How the path is compared.', default: 'PathPrefix' })),
          value: s.optional(s.string({ description: 'Path to compare with.', default: '/', maxLength: 1024 })),
        },
        { description: 'Path that must match.', default: pathPrefixRoot },
      ),
    ),
    queryParams: s.optional(
      s.array(
        s.object({
          name: s.string({ description: 'Query parameter name.', maxLength: 256, minLength: 1 }),
          type: s.optional(s.enum(['Exact', 'RegularExpression'] as const, { description: 'How the value is compared.', default: 'Exact' })),
          value: s.string({ description: 'Value to compare with.', maxLength: 1024, minLength: 1 }),
        }),
        { description: 'Query parameters that must all match.', maxItems: 16, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] },
      ),
    ),
  });

/** Timeouts (v1beta3 only). */
const timeouts = () =>
  s.object(
    {
      backendRequest: s.optional(s.string({ description: 'Time limit for each request to a backend, including retries.', format: 'duration' })),
      request: s.optional(s.string({ description: 'Time limit for the whole request, as the client sees it.', format: 'duration' })),
    },
    { description: 'Time limits for matching requests.' },
  );

const statusCondition = () =>
  s.object({
    lastTransitionTime: s.string({ description: 'When the status last changed.', format: 'date-time' }),
    message: s.string({ description: 'A human-readable explanation.', maxLength: 32768 }),
    observedGeneration: s.optional(s.integer({ description: 'The generation the condition was computed for.', format: 'int64', minimum: 0 })),
    reason: s.string({ description: 'A machine-readable reason.', maxLength: 1024, minLength: 1, pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' }),
    status: s.enum(['True', 'False', 'Unknown'] as const, { description: 'Whether the condition holds.' }),
    type: s.string({
      description: 'The condition type.',
      maxLength: 316,
      pattern: '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
  });

function schema<V extends Version>(version: V) {
  return resourceSchema({
    ...typeMetaFields(),
    spec: s.object(
      {
        hostnames: s.optional(
          s.array(
            s.string({ description: 'A host name, optionally with a leading `*.` wildcard.', maxLength: 253, minLength: 1, pattern: '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$' }),
            { description: 'Host names that the Host header must match.', maxItems: 16 },
          ),
        ),
        parentRefs: s.optional(s.array(parentRef(version !== 'v1alpha1' && version !== 'v1beta1'), { description: 'What the route attaches to: a Server (inbound) or a Service (outbound).', maxItems: 32 })),
        rules: s.optional(
          s.array(
            s.object({
              backendRefs: s.optional(backendRefs(version)),
              filters: s.optional(filters(false)),
              matches: s.optional(s.array(match(), { description: 'Conditions of which one must match (default: any path).', maxItems: 8, default: [{ path: pathPrefixRoot }] })),
              ...(version === 'v1beta3' ? { timeouts: s.optional(timeouts()) } : {}),
            }),
            { description: 'Rules: which requests match and what happens to them.', maxItems: 16, default: [{ matches: [{ path: pathPrefixRoot }] }] },
          ),
        ),
      },
      { description: 'Which requests the route matches and where they go.' },
    ),
    status: s.optional(
      s.object(
        {
          parents: s.array(
            s.object({
              conditions: s.optional(
                s.array(statusCondition(), { description: 'Conditions for this parent.', maxItems: 8, minItems: 1, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
              ),
              controllerName: s.string({
                description: 'The controller that wrote this status.',
                maxLength: 253,
                minLength: 1,
                pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$",
              }),
              parentRef: parentRef(),
            }),
            { description: 'Status per parent the route attaches to.', maxItems: 32 },
          ),
        },
        { description: 'Status written by the policy controller.' },
      ),
    ),
  });
}

const v1beta3 = schema('v1beta3');
export type HTTPRouteSpec = Static<typeof v1beta3>['spec'];

const version = (name: Version, storage: boolean) => ({
  name,
  served: true,
  storage,
  subresources: { status: {} },
  schema: name === 'v1beta3' ? v1beta3 : schema(name),
  additionalPrinterColumns: [
    { jsonPath: '.spec.hostnames', name: 'Hostnames', type: 'string' as const },
    { jsonPath: '.metadata.creationTimestamp', name: 'Age', type: 'date' as const },
  ],
});

export const httpRouteCrd: CrdDefinition = {
  group: 'policy.linkerd.io',
  ...crdNames('HTTPRoute', { listKind: true }),
  scope: 'Namespaced',
  description: 'Routes HTTP requests by path, headers, method and query: per-route policy, timeouts, header changes, redirects and traffic splits.',
  file: 'policy/httproute.yaml',
  versions: [version('v1alpha1', false), version('v1beta1', false), version('v1beta2', false), version('v1beta3', true)],
};
