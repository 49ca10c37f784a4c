/**
 * The per-workload proxy settings, written once: one row per setting of a workload's proxy
 * (`WorkloadProxyConfig` field ↔ pod-template annotation ↔ chart values key / ProxySettings
 * path ↔ what the proxy sees), with the codec that checks, writes and reads it. Annotation
 * meshing (`proxyAnnotations`), reading annotations back (`proxyConfigFromAnnotations`),
 * manual injection (`workloadProxySettings`) and the control plane's own pods
 * (`controlPlaneProxySettings`) all read `PROXY_SETTINGS`; adding a proxy setting is adding a
 * row (and the field to `WorkloadProxyConfig`).
 */
import { DURATION, QUANTITY as QUANTITY_PATTERN } from '../values/model';
import type { ProxySettings } from './settings';

/** A port (1-65535) or a range of ports (`"4000-4100"`). */
export type PortOrRange = number | `${number}-${number}`;

export type InboundPolicy = 'all-unauthenticated' | 'all-authenticated' | 'cluster-unauthenticated' | 'cluster-authenticated' | 'deny' | 'audit';

/** Kubernetes quantities, as strings (`100m`, `64Mi`) or numbers (`0.5`). */
export interface ResourcePair {
  request?: string | number;
  limit?: string | number;
}

/** The proxy of one workload, as the proxy injector reads it from pod annotations. Every field is optional. */
export interface WorkloadProxyConfig {
  /** `enabled` (default when meshing), `disabled`, or `ingress` (the workload is an ingress controller). */
  inject?: 'enabled' | 'disabled' | 'ingress';
  /** Proxy image (name with registry) and version. */
  image?: string;
  version?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Proxy resources (Kubernetes quantities); `cpuRatioLimit` bounds the worker threads by the CPU limit. */
  resources?: { cpu?: ResourcePair; memory?: ResourcePair; ephemeralStorage?: ResourcePair; cpuRatioLimit?: number };
  logLevel?: string;
  logFormat?: 'plain' | 'json';
  logHttpHeaders?: 'off' | 'insecure';
  /** Ports whose traffic is opaque TCP (no protocol detection). */
  opaquePorts?: PortOrRange[];
  /** Ports the proxy does not handle at all. */
  skipInboundPorts?: PortOrRange[];
  skipOutboundPorts?: PortOrRange[];
  /** CIDRs the proxy does not handle. */
  skipSubnets?: string[];
  /** Policy for inbound traffic no Server/AuthorizationPolicy covers. */
  defaultInboundPolicy?: InboundPolicy;
  /** Ports that accept only meshed (mTLS) clients. */
  requireIdentityOnInboundPorts?: PortOrRange[];
  /** The application starts only once the proxy is ready (default true). */
  await?: boolean;
  /** Seconds the proxy waits before it shuts down (for draining). */
  waitBeforeExitSeconds?: number;
  /** The proxy runs as a native sidecar (an init container that keeps running). */
  nativeSidecar?: boolean;
  /** How long the proxy drains connections on shutdown (a Go duration, as the injector parses it: `30s`, `1m30s`). */
  shutdownGracePeriod?: string;
  /** HTTP access logs in the given format. */
  accessLog?: 'apache' | 'json';
  outboundConnectTimeout?: string;
  inboundConnectTimeout?: string;
  outboundDiscoveryCacheUnusedTimeout?: string;
  inboundDiscoveryCacheUnusedTimeout?: string;
  disableOutboundProtocolDetectTimeout?: boolean;
  disableInboundProtocolDetectTimeout?: boolean;
  enableExternalProfiles?: boolean;
  /** The proxy's admin server serves /shutdown (for Jobs). */
  adminShutdown?: boolean;
  /** Adds the debug sidecar (tcpdump, tshark). */
  enableDebugSidecar?: boolean;
  /** Outbound metrics carry the destination hostname. */
  metricsHostnameLabels?: boolean;
  /** The proxy's UID and GID. */
  proxyUid?: number;
  proxyGid?: number;
}

/** Every annotation the proxy injector of Linkerd edge-26.8.3 reads (pkg/k8s/labels.go). */
export const INJECTOR_ANNOTATIONS: readonly string[] = [
  'linkerd.io/inject',
  ...[
    'proxy-image', 'image-pull-policy', 'debug-image', 'debug-image-version', 'debug-image-pull-policy', 'control-port', 'skip-inbound-ports',
    'opaque-ports', 'skip-outbound-ports', 'skip-subnets', 'inbound-port', 'admin-port', 'outbound-port', 'pod-inbound-ports', 'proxy-cpu-request',
    'proxy-memory-request', 'proxy-ephemeral-storage-request', 'proxy-cpu-limit', 'proxy-cpu-ratio-limit', 'proxy-memory-limit',
    'proxy-ephemeral-storage-limit', 'proxy-uid', 'proxy-gid', 'proxy-admin-shutdown', 'proxy-log-level', 'proxy-log-http-headers', 'proxy-log-format',
    'enable-external-profiles', 'proxy-version', 'proxy-require-identity-inbound-ports', 'proxy-metrics-hostname-labels', 'proxy-outbound-connect-timeout',
    'proxy-inbound-connect-timeout', 'proxy-outbound-discovery-cache-unused-timeout', 'proxy-inbound-discovery-cache-unused-timeout',
    'proxy-disable-outbound-protocol-detect-timeout', 'proxy-disable-inbound-protocol-detect-timeout', 'enable-gateway', 'enable-debug-sidecar',
    'close-wait-timeout', 'proxy-enable-native-sidecar', 'proxy-await', 'default-inbound-policy', 'access-log', 'shutdown-grace-period',
    'proxy-additional-env',
  ].map((a) => `config.linkerd.io/${a}`),
  'config.alpha.linkerd.io/proxy-wait-before-exit-seconds',
  'config.alpha.linkerd.io/proxy-enable-native-sidecar',
];

export class ProxyConfigError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(`invalid proxy configuration:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
    this.name = 'ProxyConfigError';
  }
}

// The injector parses duration annotations with Go's time.ParseDuration; a negative one would reach the proxy as such.
const GO_DURATION = new RegExp(DURATION.go);
const QUANTITY = new RegExp(QUANTITY_PATTERN);
const CIDR = /^(([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}|[0-9a-fA-F:]+\/[0-9]{1,3})$/;
const LOG_LEVEL = /^(trace|debug|info|warn|error|off)(,[a-z0-9_:]+=(trace|debug|info|warn|error|off))*$|^[a-z0-9_:]+=(trace|debug|info|warn|error|off)(,[a-z0-9_:]+=(trace|debug|info|warn|error|off))*$/;

/** Seconds in a Go duration (`1h30m`, `1.5s`, `500ms`), or undefined when Go would refuse it. */
export function goDurationSeconds(value: string): number | undefined {
  if (!GO_DURATION.test(value)) return undefined;
  const sign = value.startsWith('-') ? -1 : 1;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, '\u00b5s': 1e-6, '\u03bcs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let seconds = 0;
  for (const [, n, u] of value.replace(/^[-+]/, '').matchAll(/([0-9]*\.?[0-9]*)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g)) seconds += Number(n) * unit[u];
  return sign * seconds;
}

function portProblem(p: PortOrRange): string | null {
  const inRange = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (typeof p === 'number') return inRange(p) ? null : `${p} is not a port (1-65535)`;
  const m = /^(\d+)-(\d+)$/.exec(p);
  if (!m || !inRange(Number(m[1])) || !inRange(Number(m[2])) || Number(m[1]) > Number(m[2])) return `${JSON.stringify(p)} is not a port range (low-high)`;
  return null;
}

/**
 * How one setting is checked, written as annotation text, read back from it, and turned into
 * the proxy's own setting. `problems` lists what is wrong with a given value (empty: fine;
 * `undefined` from `write`: no annotation); `read` gives the value or a problem.
 */
export interface Codec<T = unknown> {
  problems(value: T): string[];
  write(value: T): string | undefined;
  read(text: string): { value: T } | { problem: string };
  /** The ProxySettings value for a given value (the current one passed in); identity when absent. */
  toSetting?(value: T, current: unknown): unknown;
  /** Values that a test may set (a differing pair for flags). */
  examples: T[];
}

const raw = (text: string) => ({ value: text });
const unless = (ok: boolean, message: string) => (ok ? [] : [message]);

/** Free text checked by a predicate. */
function text(ok: (value: string) => boolean, expected: string, example: string): Codec<string> {
  return { problems: (value) => unless(ok(value), expected), write: String, read: raw, examples: [example] };
}

function oneOf<T extends string>(allowed: readonly T[]): Codec<T> {
  return { problems: (value) => unless(allowed.includes(value), `one of ${allowed.join(', ')}`), write: String, read: raw as Codec<T>['read'], examples: [...allowed] };
}

/** A comma-separated list of ports and ranges (`"80,4000-4100"`), as the proxy and proxy-init take it. */
const ports: Codec<PortOrRange[]> = {
  problems: (list) =>
    !Array.isArray(list) || list.length === 0 ? ['a non-empty list of ports or ranges'] : list.map(portProblem).filter((p): p is string => p !== null),
  write: (list) => (!Array.isArray(list) || list.length === 0 ? undefined : list.join(',')),
  read: (value) => ({ value: value.split(',').map((p) => (/^\d+$/.test(p.trim()) ? Number(p.trim()) : (p.trim() as PortOrRange))) }),
  toSetting: (list) => list.join(','),
  examples: [[4444, '5000-5001']],
};

const subnets: Codec<string[]> = {
  problems: (list) => list.filter((s) => !CIDR.test(s)).map((s) => `${JSON.stringify(s)} is not a CIDR`),
  write: (list) => list.join(','),
  read: (value) => ({ value: value.split(',').map((s) => s.trim()) }),
  toSetting: (list) => list.join(','),
  examples: [['10.9.0.0/16']],
};

/** A Go duration (as the injector parses annotations), given to the proxy in its own format (`ms` or `s`), as the injector writes it. */
function duration(unit: 'ms' | 's'): Codec<string> {
  return {
    problems: (value) => {
      const seconds = typeof value === 'string' ? goDurationSeconds(value) : undefined;
      return unless(seconds !== undefined && seconds >= 0, `${JSON.stringify(value)} is not a non-negative Go duration (e.g. 500ms, 10s, 1m30s; no d)`);
    },
    write: String,
    read: raw,
    toSetting: (value) => {
      const seconds = goDurationSeconds(value) ?? 0;
      return unit === 'ms' ? `${Math.trunc(seconds * 1000)}ms` : `${Math.trunc(seconds)}s`;
    },
    examples: ['1m7s'],
  };
}

function flag(yes = 'true', no = 'false'): Codec<boolean> {
  return {
    problems: (value) => unless(typeof value === 'boolean', 'true or false'),
    write: (value) => (value ? yes : no),
    read: (value) => (value === yes ? { value: true } : value === no ? { value: false } : { problem: `${JSON.stringify(value)}: expected ${yes} or ${no}` }),
    examples: [true, false],
  };
}

function wholeNumber(expected: string, example: number): Codec<number> {
  return {
    problems: (value) => unless(Number.isInteger(value) && value >= 0, expected),
    write: String,
    read: (value) => (/^\d+$/.test(value) ? { value: Number(value) } : { problem: `${JSON.stringify(value)}: expected a whole number` }),
    examples: [example],
  };
}

const quantity: Codec<string | number> = {
  problems: (value) =>
    unless(
      (typeof value === 'string' && QUANTITY.test(value)) || (typeof value === 'number' && Number.isFinite(value) && value >= 0),
      `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 100m, 0.5, 64Mi)`,
    ),
  write: String,
  read: raw,
  examples: ['123m'],
};

const ratio: Codec<number> = {
  problems: (value) => unless(typeof value === 'number' && value > 0 && value <= 1, 'a number in (0, 1]'),
  write: String,
  read: (value) => ({ value: Number(value) }),
  examples: [0.25],
};

/** One per-workload proxy setting. */
export interface ProxySettingRow {
  /** The WorkloadProxyConfig field (a dotted path for the nested resources). */
  field: string;
  /** The pod-template annotation the proxy injector reads. */
  annotation: string;
  /** Older annotations read when `annotation` is absent. */
  aliases?: string[];
  /**
   * Where the setting lands in ProxySettings; the same path is the control-plane chart's
   * values key. Absent: manual injection does not apply it (checked there instead).
   */
  setting?: string;
  /** What the proxy (or proxy-init) sees: an environment variable, argument or container field. */
  proxy: string;
  /** How the value is checked, written, read and converted. */
  codec: Codec<unknown>;
  /** Written even when not given. */
  default?: string;
}

const c = 'config.linkerd.io/';
const row = (field: string, annotation: string, setting: string | undefined, proxy: string, codec: Codec<unknown>, more: Partial<ProxySettingRow> = {}): ProxySettingRow => ({
  field,
  annotation,
  setting,
  proxy,
  codec,
  ...more,
});
const resource = (kind: 'cpu' | 'memory' | 'ephemeralStorage', key: string, f: 'request' | 'limit') =>
  row(`resources.${kind}.${f}`, `${c}proxy-${key}-${f}`, `proxy.resources.${key}.${f}`, `resources.${f}s.${key}`, quantity);

/** Every per-workload proxy setting, in the order the annotations are written. */
export const PROXY_SETTINGS: readonly ProxySettingRow[] = [
  row('inject', 'linkerd.io/inject', 'proxy.isIngress', 'LINKERD2_PROXY_INGRESS_MODE (ingress)', oneOf(['enabled', 'disabled', 'ingress'] as const), {
    default: 'enabled',
    codec: { ...oneOf(['enabled', 'disabled', 'ingress'] as const), toSetting: (value, current) => (value === 'ingress' ? true : current) },
  }),
  row('image', `${c}proxy-image`, 'proxy.image.name', 'image', text((x) => typeof x === 'string' && x.length > 0, 'an image name', 'example.com/proxy')),
  row('version', `${c}proxy-version`, 'proxy.image.version', 'image', text((x) => typeof x === 'string' && /^[\w][\w.-]{0,127}$/.test(x), 'an image tag', 'v9')),
  row('imagePullPolicy', `${c}image-pull-policy`, 'proxy.image.pullPolicy', 'imagePullPolicy', oneOf(['Always', 'IfNotPresent', 'Never'] as const)),
  ...(['cpu', 'memory', 'ephemeralStorage'] as const).flatMap((kind) =>
    (['request', 'limit'] as const).map((f) => resource(kind, kind === 'ephemeralStorage' ? 'ephemeral-storage' : kind, f)),
  ),
  row('resources.cpuRatioLimit', `${c}proxy-cpu-ratio-limit`, 'proxy.runtime.workers.maximumCPURatio', 'LINKERD2_PROXY_CORES_MAX_RATIO', ratio),
  row('logLevel', `${c}proxy-log-level`, 'proxy.logLevel', 'LINKERD2_PROXY_LOG', text((x) => LOG_LEVEL.test(x), 'a level (info) or directives (warn,linkerd=info)', 'warn')),
  row('logFormat', `${c}proxy-log-format`, 'proxy.logFormat', 'LINKERD2_PROXY_LOG_FORMAT', oneOf(['plain', 'json'] as const)),
  row('logHttpHeaders', `${c}proxy-log-http-headers`, 'proxy.logHTTPHeaders', 'LINKERD2_PROXY_LOG', oneOf(['off', 'insecure'] as const)),
  row('opaquePorts', `${c}opaque-ports`, 'proxy.opaquePorts', 'LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION', ports),
  row('skipInboundPorts', `${c}skip-inbound-ports`, 'proxyInit.ignoreInboundPorts', 'proxy-init --inbound-ports-to-ignore', ports),
  row('skipOutboundPorts', `${c}skip-outbound-ports`, 'proxyInit.ignoreOutboundPorts', 'proxy-init --outbound-ports-to-ignore', ports),
  row('skipSubnets', `${c}skip-subnets`, 'proxyInit.skipSubnets', 'proxy-init --subnets-to-ignore', subnets),
  row('defaultInboundPolicy', `${c}default-inbound-policy`, 'proxy.defaultInboundPolicy', 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY',
    oneOf(['all-unauthenticated', 'all-authenticated', 'cluster-unauthenticated', 'cluster-authenticated', 'deny', 'audit'] as const)),
  row('requireIdentityOnInboundPorts', `${c}proxy-require-identity-inbound-ports`, 'proxy.requireIdentityOnInboundPorts', 'LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY', ports),
  row('await', `${c}proxy-await`, 'proxy.await', 'lifecycle.postStart (linkerd-await), startupProbe', flag('enabled', 'disabled')),
  row('waitBeforeExitSeconds', 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds', 'proxy.waitBeforeExitSeconds', 'lifecycle.preStop (sleep)', wholeNumber('a whole number of seconds', 7)),
  row('nativeSidecar', `${c}proxy-enable-native-sidecar`, 'proxy.nativeSidecar', 'restartPolicy: Always (an init container)', flag(), {
    aliases: ['config.alpha.linkerd.io/proxy-enable-native-sidecar'],
  }),
  row('shutdownGracePeriod', `${c}shutdown-grace-period`, 'proxy.shutdownGracePeriod', 'LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD', duration('ms')),
  row('accessLog', `${c}access-log`, 'proxy.accessLog', 'LINKERD2_PROXY_ACCESS_LOG', oneOf(['apache', 'json'] as const)),
  row('outboundConnectTimeout', `${c}proxy-outbound-connect-timeout`, 'proxy.outboundConnectTimeout', 'LINKERD2_PROXY_OUTBOUND_CONNECT_TIMEOUT', duration('ms')),
  row('inboundConnectTimeout', `${c}proxy-inbound-connect-timeout`, 'proxy.inboundConnectTimeout', 'LINKERD2_PROXY_INBOUND_CONNECT_TIMEOUT', duration('ms')),
  row('outboundDiscoveryCacheUnusedTimeout', `${c}proxy-outbound-discovery-cache-unused-timeout`, 'proxy.outboundDiscoveryCacheUnusedTimeout',
    'LINKERD2_PROXY_OUTBOUND_DISCOVERY_IDLE_TIMEOUT', duration('s')),
  row('inboundDiscoveryCacheUnusedTimeout', `${c}proxy-inbound-discovery-cache-unused-timeout`, 'proxy.inboundDiscoveryCacheUnusedTimeout',
    'LINKERD2_PROXY_INBOUND_DISCOVERY_IDLE_TIMEOUT', duration('s')),
  row('disableOutboundProtocolDetectTimeout', `${c}proxy-disable-outbound-protocol-detect-timeout`, 'proxy.disableOutboundProtocolDetectTimeout',
    'LINKERD2_PROXY_OUTBOUND_DETECT_TIMEOUT', flag()),
  row('disableInboundProtocolDetectTimeout', `${c}proxy-disable-inbound-protocol-detect-timeout`, 'proxy.disableInboundProtocolDetectTimeout',
    'LINKERD2_PROXY_INBOUND_DETECT_TIMEOUT', flag()),
  row('enableExternalProfiles', `${c}enable-external-profiles`, 'proxy.enableExternalProfiles', 'LINKERD2_PROXY_DESTINATION_PROFILE_SUFFIXES', flag()),
  row('adminShutdown', `${c}proxy-admin-shutdown`, 'proxy.enableShutdownEndpoint', 'LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED', flag('enabled', 'disabled')),
  // Only the proxy injector adds the debug sidecar: manual injection refuses this setting.
  row('enableDebugSidecar', `${c}enable-debug-sidecar`, undefined, 'the linkerd-debug container', flag()),
  row('metricsHostnameLabels', `${c}proxy-metrics-hostname-labels`, 'proxy.metrics.hostnameLabels', 'LINKERD2_PROXY_OUTBOUND_METRICS_HOSTNAME_LABELS', flag()),
  row('proxyUid', `${c}proxy-uid`, 'proxy.uid', 'securityContext.runAsUser', wholeNumber('a user or group id', 2103)),
  row('proxyGid', `${c}proxy-gid`, 'proxy.gid', 'securityContext.runAsGroup', wholeNumber('a user or group id', 2103)),
];

/** The value at a dotted path. */
export function getPath(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o === undefined || o === null ? undefined : (o as Record<string, unknown>)[k]), obj);
}

/** A copy of `obj` with `value` at a dotted path (the objects along it copied, the rest shared). */
export function withPath<T>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const o = (obj ?? {}) as Record<string, unknown>;
  return { ...o, [head]: rest.length === 0 ? value : withPath(o[head], rest.join('.'), value) } as T;
}

/**
 * Proxy settings with the given workload settings over them, row by row (unchecked: the
 * control plane passes template references too). Rows with no `setting` are left out.
 */
export function applyWorkloadConfig(base: ProxySettings, config: WorkloadProxyConfig): ProxySettings {
  let out = base;
  for (const r of PROXY_SETTINGS) {
    const value = getPath(config, r.field);
    if (value === undefined || r.setting === undefined) continue;
    out = withPath(out, r.setting, r.codec.toSetting ? r.codec.toSetting(value, getPath(out, r.setting)) : value);
  }
  return out;
}
