/**
 * Typed Gateway API routes (`gateway.networking.k8s.io/v1` HTTPRoute and GRPCRoute) for the
 * mesh: routes whose parent is a Service, as Linkerd's policy controller reads them (producer
 * routes in the Service's namespace), with path, header, method and query matches, timeouts,
 * Linkerd's retry (and, for gRPC, timeout) annotations, and weighted backends for a canary.
 *
 * What the API server (the CRD's schema and CEL rules, Gateway API v1.5) and Linkerd's policy
 * admission would refuse is refused here first, naming the field: GatewayRouteError.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** A Service port a route attaches to, or a backend that receives requests. */
export interface ServicePortRef {
  /** The Service's name. */
  name: string;
  /**
   * The Service port. A backend needs one (Linkerd and the Gateway API refuse a Service backend
   * without); a parent without one attaches the route to every port of the Service.
   */
  port?: number;
}

/** A backend Service and its share of the requests. */
export interface WeightedBackend extends ServicePortRef {
  port: number;
  /**
   * Its share: requests go to the backends of a rule in proportion to their weights; 0 sends
   * none. @default 1
   */
  weight?: number;
}

export interface HeaderMatch {
  /** Header name (case-insensitive). */
  name: string;
  value: string;
  /** @default 'Exact' */
  type?: 'Exact' | 'RegularExpression';
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

/** Conditions a request must all meet. */
export interface HttpMatch {
  /** @default { type: 'PathPrefix', value: '/' } */
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string };
  headers?: HeaderMatch[];
  queryParams?: HeaderMatch[];
  method?: HttpMethod;
}

/** A Gateway API duration: 1 to 4 groups of up to 5 digits and a unit (`h`, `m`, `s`, `ms`), e.g. `10s`, `1m30s`, `500ms`. */
export type GatewayDuration = string;

export interface HttpRule {
  /** Requests matching any of these take this rule. @default every request */
  matches?: HttpMatch[];
  /** Where they go. @default the parent Service, at its port */
  backends?: WeightedBackend[];
  /** Time limits (Gateway API `timeouts`, which Linkerd honours). */
  timeouts?: {
    /** For the whole request as the client sees it, retries included. */
    request?: GatewayDuration;
    /** For each request to a backend; not longer than `request`. */
    backendRequest?: GatewayDuration;
  };
}

/** Linkerd's retries of a route (`retry.linkerd.io/*` annotations on the route). */
export interface RetryPolicy<C extends string> {
  /** Retry at most this many times. @default 1 (Linkerd's) */
  limit?: number;
  /** Time limit of each try, a Linkerd duration (a whole number and `ms`, `s`, `m`, `h` or `d`). */
  timeout?: string;
  /** Which responses are retried. */
  on?: C[];
}

/** A status (`503`), a range (`500-504`), `5xx` or `gateway-error` (502-504). */
export type HttpRetryCondition = '5xx' | 'gateway-error' | `${number}` | `${number}-${number}`;
export type GrpcRetryCondition = 'cancelled' | 'deadline-exceeded' | 'internal' | 'resource-exhausted' | 'unavailable';

interface RouteProps {
  /** The route's name. @default the construct id */
  name?: string;
  /** The route's namespace: the Service's (a producer route, for every client of the Service). */
  namespace: string;
  /** The Service (port) whose traffic the route governs. */
  service: ServicePortRef;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ServiceHttpRouteProps extends RouteProps {
  /** Rules, first match wins as the Gateway API orders them. @default one rule for every request, to the Service */
  rules?: HttpRule[];
  retry?: RetryPolicy<HttpRetryCondition>;
}

export interface GrpcMatch {
  /** The gRPC service (`package.Service`) and/or method (`Method`); one at least. */
  service?: string;
  method?: string;
  /** @default 'Exact' */
  type?: 'Exact' | 'RegularExpression';
  headers?: HeaderMatch[];
}

export interface GrpcRule {
  /** Requests matching any of these take this rule. @default every request */
  matches?: GrpcMatch[];
  /** @default the parent Service, at its port */
  backends?: WeightedBackend[];
}

export interface ServiceGrpcRouteProps extends RouteProps {
  rules?: GrpcRule[];
  retry?: RetryPolicy<GrpcRetryCondition>;
  /** Linkerd's time limits (`timeout.linkerd.io/*`), each a Linkerd duration (`5s`). */
  timeouts?: { request?: string; response?: string; idle?: string };
}

export interface RouteProblem {
  /** The field, from the props: `rules[0].matches[1].path.value`. */
  field: string;
  message: string;
}

/** A route the API server or Linkerd's policy controller would refuse; nothing is built. */
export class GatewayRouteError extends Error {
  constructor(
    readonly route: string,
    readonly problems: RouteProblem[],
  ) {
    super(`${route}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`);
    this.name = 'GatewayRouteError';
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
const LINKERD_DURATION = /^(0|[0-9]+(ms|s|m|h|d))$/;
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
const GRPC_SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

/** Milliseconds of a Gateway API duration. */
function gatewayMs(d: string): number {
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  return [...d.matchAll(/([0-9]+)(ms|h|m|s)/g)].reduce((sum, m) => sum + Number(m[1]) * unit[m[2]], 0);
}

class Problems {
  readonly list: RouteProblem[] = [];
  add(field: string, message: string): void {
    this.list.push({ field, message });
  }
  name(field: string, value: string, what: string): void {
    if (!(DNS_SUBDOMAIN.test(value) && value.length <= 253)) this.add(field, `${JSON.stringify(value)} is not a ${what} name (lower-case DNS name)`);
  }
  port(field: string, value: number | undefined, required: boolean): void {
    if (value === undefined) {
      if (required) this.add(field, 'a Service backend needs a port (the Gateway API and Linkerd refuse one without)');
    } else if (!Number.isInteger(value) || value < 1 || value > 65535) this.add(field, `${value} is not a port (1-65535)`);
  }
  headers(field: string, list: HeaderMatch[] | undefined, query = false): void {
    const seen = new Set<string>();
    (list ?? []).forEach((h, i) => {
      const f = `${field}[${i}]`;
      if (!(query ? h.name.length >= 1 && h.name.length <= 256 : HEADER_NAME.test(h.name) && h.name.length <= 256)) this.add(`${f}.name`, `${JSON.stringify(h.name)} is not a ${query ? 'query parameter' : 'header'} name`);
      const key = query ? h.name : h.name.toLowerCase();
      if (seen.has(key)) this.add(`${f}.name`, `${h.name} is matched twice; one match per name`);
      seen.add(key);
      if (h.value.length < 1) this.add(`${f}.value`, 'empty');
      if (h.type === 'RegularExpression') this.regex(`${f}.value`, h.value);
    });
    if ((list ?? []).length > 16) this.add(field, 'at most 16');
  }
  regex(field: string, value: string): void {
    try {
      new RegExp(value);
    } catch {
      this.add(field, `${JSON.stringify(value)} is not a regular expression`);
    }
  }
  backends(field: string, list: WeightedBackend[] | undefined): void {
    if ((list ?? []).length > 16) this.add(field, 'at most 16 backends');
    (list ?? []).forEach((b, i) => {
      this.name(`${field}[${i}].name`, b.name, 'Service');
      this.port(`${field}[${i}].port`, b.port, true);
      if (b.weight !== undefined && !(Number.isInteger(b.weight) && b.weight >= 0 && b.weight <= 1_000_000)) this.add(`${field}[${i}].weight`, `${b.weight} is not a weight (0-1000000)`);
    });
  }
  retry(field: string, retry: RetryPolicy<string> | undefined, condition: (c: string) => boolean): void {
    if (!retry) return;
    if (retry.limit !== undefined && !(Number.isInteger(retry.limit) && retry.limit >= 0 && retry.limit <= 65535)) this.add(`${field}.limit`, `${retry.limit} is not a retry limit (0-65535)`);
    if (retry.timeout !== undefined && !LINKERD_DURATION.test(retry.timeout)) this.add(`${field}.timeout`, `${JSON.stringify(retry.timeout)} is not a Linkerd duration (a whole number and ms, s, m, h or d)`);
    for (const c of retry.on ?? []) if (!condition(c)) this.add(`${field}.on`, `${JSON.stringify(c)} is not a retry condition Linkerd knows`);
  }
}

function checkCommon(p: Problems, props: RouteProps, id: string): void {
  const name = props.name ?? id;
  if (!(DNS_SUBDOMAIN.test(name) && name.length <= 253)) p.add('name', `${JSON.stringify(name)} is not an object name (lower-case DNS name)`);
  if (!(DNS_LABEL.test(props.namespace) && props.namespace.length <= 63)) p.add('namespace', `${JSON.stringify(props.namespace)} is not a namespace name`);
  p.name('service.name', props.service.name, 'Service');
  p.port('service.port', props.service.port, false);
}

/** A rule without backends sends to the parent Service, which then needs its port. */
function checkDefaultBackend(p: Problems, props: RouteProps, rules: { backends?: WeightedBackend[] }[]): void {
  if (props.service.port === undefined && rules.some((r) => r.backends === undefined)) p.add('service.port', 'a rule without backends sends to the Service, which then needs its port');
}

const httpCode = (s: string) => /^[0-9]+$/.test(s) && Number(s) >= 100 && Number(s) <= 599;
const httpCondition = (c: string): boolean => {
  if (/^(5xx|gateway-error)$/i.test(c) || httpCode(c)) return true;
  const [a, b, ...rest] = c.split('-');
  return rest.length === 0 && b !== undefined && httpCode(a) && httpCode(b) && Number(a) <= Number(b);
};
const GRPC_CONDITIONS = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];

function checkHttp(props: ServiceHttpRouteProps, id: string): void {
  const p = new Problems();
  checkCommon(p, props, id);
  const rules = props.rules ?? [];
  checkDefaultBackend(p, props, props.rules ?? [{}]);
  if (rules.length > 16) p.add('rules', 'at most 16 rules');
  let matches = 0;
  rules.forEach((r, i) => {
    const f = `rules[${i}]`;
    if ((r.matches ?? []).length > 64) p.add(`${f}.matches`, 'at most 64 matches');
    matches += Math.max(1, (r.matches ?? []).length);
    (r.matches ?? []).forEach((m, j) => {
      const mf = `${f}.matches[${j}]`;
      if (m.path) {
        const type = m.path.type ?? 'PathPrefix';
        const v = m.path.value;
        if (v.length > 1024) p.add(`${mf}.path.value`, 'longer than 1024');
        if (type === 'RegularExpression') p.regex(`${mf}.path.value`, v);
        else {
          if (!v.startsWith('/')) p.add(`${mf}.path.value`, `${JSON.stringify(v)} must start with /`);
          if (!PATH_CHARS.test(v)) p.add(`${mf}.path.value`, `${JSON.stringify(v)} has characters a path cannot have`);
          for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) if (v.includes(bad)) p.add(`${mf}.path.value`, `${JSON.stringify(v)} must not contain ${bad}`);
          for (const bad of ['/..', '/.']) if (v.endsWith(bad)) p.add(`${mf}.path.value`, `${JSON.stringify(v)} must not end with ${bad}`);
        }
      }
      p.headers(`${mf}.headers`, m.headers);
      p.headers(`${mf}.queryParams`, m.queryParams, true);
    });
    p.backends(`${f}.backends`, r.backends);
    const t = r.timeouts;
    for (const k of ['request', 'backendRequest'] as const) {
      if (t?.[k] !== undefined && !GATEWAY_DURATION.test(t[k])) p.add(`${f}.timeouts.${k}`, `${JSON.stringify(t[k])} is not a Gateway API duration (e.g. 10s, 1m30s, 500ms)`);
    }
    if (t?.request && t.backendRequest && GATEWAY_DURATION.test(t.request) && GATEWAY_DURATION.test(t.backendRequest) && gatewayMs(t.request) !== 0 && gatewayMs(t.backendRequest) > gatewayMs(t.request)) {
      p.add(`${f}.timeouts.backendRequest`, `${t.backendRequest} is longer than the request timeout ${t.request}`);
    }
  });
  if (matches > 128) p.add('rules', 'at most 128 matches over all rules');
  p.retry('retry', props.retry, httpCondition);
  if (p.list.length > 0) throw new GatewayRouteError(`HTTPRoute ${props.namespace}/${props.name ?? id}`, p.list);
}

function checkGrpc(props: ServiceGrpcRouteProps, id: string): void {
  const p = new Problems();
  checkCommon(p, props, id);
  const rules = props.rules ?? [];
  checkDefaultBackend(p, props, props.rules ?? [{}]);
  if (rules.length > 16) p.add('rules', 'at most 16 rules');
  rules.forEach((r, i) => {
    const f = `rules[${i}]`;
    if ((r.matches ?? []).length > 64) p.add(`${f}.matches`, 'at most 64 matches');
    (r.matches ?? []).forEach((m, j) => {
      const mf = `${f}.matches[${j}]`;
      if (m.service === undefined && m.method === undefined) p.add(mf, 'give the service, the method or both');
      if ((m.type ?? 'Exact') === 'Exact') {
        if (m.service !== undefined && !(GRPC_SERVICE.test(m.service) && m.service.length <= 1024)) p.add(`${mf}.service`, `${JSON.stringify(m.service)} is not a gRPC service name (package.Service)`);
        if (m.method !== undefined && !(GRPC_METHOD.test(m.method) && m.method.length <= 1024)) p.add(`${mf}.method`, `${JSON.stringify(m.method)} is not a gRPC method name`);
      } else {
        if (m.service !== undefined) p.regex(`${mf}.service`, m.service);
        if (m.method !== undefined) p.regex(`${mf}.method`, m.method);
      }
      p.headers(`${mf}.headers`, m.headers);
    });
    p.backends(`${f}.backends`, r.backends);
  });
  p.retry('retry', props.retry, (c) => GRPC_CONDITIONS.includes(c.toLowerCase()));
  for (const [k, v] of Object.entries(props.timeouts ?? {})) {
    if (v !== undefined && !LINKERD_DURATION.test(v)) p.add(`timeouts.${k}`, `${JSON.stringify(v)} is not a Linkerd duration (a whole number and ms, s, m, h or d)`);
  }
  if (p.list.length > 0) throw new GatewayRouteError(`GRPCRoute ${props.namespace}/${props.name ?? id}`, p.list);
}

/** The parent: the Service (core group, as Linkerd requires of an outbound route's parent). */
const parentRefs = (s: ServicePortRef) => [{ group: '', kind: 'Service', name: s.name, ...(s.port !== undefined ? { port: s.port } : {}) }];

function backendRefs(backends: WeightedBackend[] | undefined, service: ServicePortRef) {
  if (backends === undefined) return service.port === undefined ? undefined : [{ name: service.name, port: service.port }];
  return backends.map((b) => ({ name: b.name, port: b.port, ...(b.weight !== undefined ? { weight: b.weight } : {}) }));
}

function retryAnnotations(retry: RetryPolicy<string> | undefined, conditionsKey: string): Record<string, string> {
  if (!retry) return {};
  return {
    ...(retry.on?.length ? { [conditionsKey]: retry.on.join(',') } : {}),
    ...(retry.limit !== undefined ? { 'retry.linkerd.io/limit': String(retry.limit) } : {}),
    ...(retry.timeout !== undefined ? { 'retry.linkerd.io/timeout': retry.timeout } : {}),
  };
}

const metadata = (props: RouteProps, id: string, annotations: Record<string, string>) => {
  const all = { ...props.annotations, ...annotations };
  return { name: props.name ?? id, namespace: props.namespace, ...(props.labels ? { labels: props.labels } : {}), ...(Object.keys(all).length ? { annotations: all } : {}) };
};

/** A `gateway.networking.k8s.io/v1` HTTPRoute with Linkerd's meaning; build one with serviceHttpRoute. */
export class GatewayHTTPRoute extends ApiObject {
  constructor(scope: Construct, id: string, props: ServiceHttpRouteProps) {
    checkHttp(props, id);
    const rules = props.rules ?? [{}];
    super(scope, id, {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'HTTPRoute',
      metadata: metadata(props, id, retryAnnotations(props.retry, 'retry.linkerd.io/http')),
      spec: {
        parentRefs: parentRefs(props.service),
        rules: rules.map((r) => ({
          ...(r.matches ? { matches: r.matches.map((m) => ({ ...m, ...(m.path ? { path: { type: m.path.type ?? 'PathPrefix', value: m.path.value } } : {}) })) } : {}),
          ...(backendRefs(r.backends, props.service) ? { backendRefs: backendRefs(r.backends, props.service) } : {}),
          ...(r.timeouts ? { timeouts: r.timeouts } : {}),
        })),
      },
    });
  }
}

/** A `gateway.networking.k8s.io/v1` GRPCRoute with Linkerd's meaning; build one with serviceGrpcRoute. */
export class GatewayGRPCRoute extends ApiObject {
  constructor(scope: Construct, id: string, props: ServiceGrpcRouteProps) {
    checkGrpc(props, id);
    const rules = props.rules ?? [{}];
    const timeouts = Object.fromEntries(Object.entries(props.timeouts ?? {}).filter(([, v]) => v !== undefined).map(([k, v]) => [`timeout.linkerd.io/${k}`, v as string]));
    super(scope, id, {
      apiVersion: `${GATEWAY_API_GROUP}/v1`,
      kind: 'GRPCRoute',
      metadata: metadata(props, id, { ...retryAnnotations(props.retry, 'retry.linkerd.io/grpc'), ...timeouts }),
      spec: {
        parentRefs: parentRefs(props.service),
        rules: rules.map((r) => ({
          ...(r.matches
            ? {
                matches: r.matches.map(({ headers, ...method }) => ({
                  method: { type: method.type ?? 'Exact', ...(method.service !== undefined ? { service: method.service } : {}), ...(method.method !== undefined ? { method: method.method } : {}) },
                  ...(headers ? { headers } : {}),
                })),
              }
            : {}),
          ...(backendRefs(r.backends, props.service) ? { backendRefs: backendRefs(r.backends, props.service) } : {}),
        })),
      },
    });
  }
}

/**
 * An HTTPRoute for a Service of the mesh: its rules (default: every request to the Service),
 * timeouts and Linkerd retries. Throws GatewayRouteError naming each field the API server or
 * Linkerd would refuse.
 *
 *     serviceHttpRoute(chart, 'web', { namespace: 'shop', service: { name: 'web', port: 80 },
 *       rules: [{ matches: [{ path: { value: '/api' } }], timeouts: { request: '5s' } }],
 *       retry: { on: ['5xx'], limit: 2 } });
 */
export function serviceHttpRoute(scope: Construct, id: string, props: ServiceHttpRouteProps): GatewayHTTPRoute {
  return new GatewayHTTPRoute(scope, id, props);
}

/** A GRPCRoute for a Service of the mesh (see serviceHttpRoute); timeouts are Linkerd's annotations. */
export function serviceGrpcRoute(scope: Construct, id: string, props: ServiceGrpcRouteProps): GatewayGRPCRoute {
  return new GatewayGRPCRoute(scope, id, props);
}

/**
 * The backends of a canary split: `percent` of the requests to `canary`, the rest to `stable`
 * (weights out of 100).
 *
 *     rules: [{ backends: canaryBackends({ name: 'web', port: 80 }, { name: 'web-v2', port: 80 }, 10) }]
 */
export function canaryBackends(stable: ServicePortRef & { port: number }, canary: ServicePortRef & { port: number }, percent: number): WeightedBackend[] {
  if (!(Number.isInteger(percent) && percent >= 0 && percent <= 100)) throw new GatewayRouteError('canary split', [{ field: 'percent', message: `${percent} is not a whole percentage (0-100)` }]);
  return [
    { name: stable.name, port: stable.port, weight: 100 - percent },
    { name: canary.name, port: canary.port, weight: percent },
  ];
}
