/**
 * Per-workload proxy configuration as types: what a workload's pod template annotations
 * tell the proxy injector (`linkerd.io/inject`, `config.linkerd.io/*`,
 * `config.alpha.linkerd.io/*`), checked before synthesis.
 */
import { DURATION, QUANTITY as QUANTITY_PATTERN } from '../values/model';

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

/** Seconds in a Go duration (`1h30m`, `1.5s`, `500ms`), or undefined when Go would refuse it. */
export function goDurationSeconds(value: string): number | undefined {
  if (!GO_DURATION.test(value)) return undefined;
  const sign = value.startsWith('-') ? -1 : 1;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, '\u00b5s': 1e-6, '\u03bcs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let seconds = 0;
  for (const [, n, u] of value.replace(/^[-+]/, '').matchAll(/([0-9]*\.?[0-9]*)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/g)) seconds += Number(n) * unit[u];
  return sign * seconds;
}
const CIDR = /^(([0-9]{1,3}\.){3}[0-9]{1,3}\/[0-9]{1,2}|[0-9a-fA-F:]+\/[0-9]{1,3})$/;
const LOG_LEVEL = /^(trace|debug|info|warn|error|off)(,[a-z0-9_:]+=(trace|debug|info|warn|error|off))*$|^[a-z0-9_:]+=(trace|debug|info|warn|error|off)(,[a-z0-9_:]+=(trace|debug|info|warn|error|off))*$/;

function portProblem(p: PortOrRange): string | null {
  const inRange = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;
  if (typeof p === 'number') return inRange(p) ? null : `${p} is not a port (1-65535)`;
  const m = /^(\d+)-(\d+)$/.exec(p);
  if (!m || !inRange(Number(m[1])) || !inRange(Number(m[2])) || Number(m[1]) > Number(m[2])) return `${JSON.stringify(p)} is not a port range (low-high)`;
  return null;
}

/**
 * The pod-template annotations for a workload's proxy configuration. Throws ProxyConfigError
 * naming each bad field (an unknown field included).
 */
export function proxyAnnotations(config: WorkloadProxyConfig): Record<string, string> {
  const problems: { field: string; message: string }[] = [];
  const out: Record<string, string> = {};
  const c = 'config.linkerd.io/';
  const set = (key: string, value: string | number | boolean | undefined) => {
    if (value !== undefined) out[key] = String(value);
  };
  const check = (field: string, ok: boolean, message: string) => {
    if (!ok) problems.push({ field, message });
  };
  const ports = (field: string, list: PortOrRange[] | undefined, key: string) => {
    if (list === undefined) return;
    if (!Array.isArray(list) || list.length === 0) return check(field, false, 'a non-empty list of ports or ranges');
    for (const p of list) {
      const problem = portProblem(p);
      if (problem) check(field, false, problem);
    }
    set(key, list.join(','));
  };
  const duration = (field: string, value: string | undefined, key: string) => {
    if (value === undefined) return;
    const seconds = typeof value === 'string' ? goDurationSeconds(value) : undefined;
    check(field, seconds !== undefined && seconds >= 0, `${JSON.stringify(value)} is not a non-negative Go duration (e.g. 500ms, 10s, 1m30s; no d)`);
    set(key, value);
  };
  const flag = (field: string, value: boolean | undefined, key: string, yes = 'true', no = 'false') => {
    if (value === undefined) return;
    check(field, typeof value === 'boolean', 'true or false');
    set(key, value ? yes : no);
  };
  const oneOf = <T extends string>(field: string, value: T | undefined, allowed: readonly T[], key: string) => {
    if (value === undefined) return;
    check(field, allowed.includes(value), `one of ${allowed.join(', ')}`);
    set(key, value);
  };
  const known = new Set([
    'inject', 'image', 'version', 'imagePullPolicy', 'resources', 'logLevel', 'logFormat', 'logHttpHeaders', 'opaquePorts', 'skipInboundPorts',
    'skipOutboundPorts', 'skipSubnets', 'defaultInboundPolicy', 'requireIdentityOnInboundPorts', 'await', 'waitBeforeExitSeconds', 'nativeSidecar',
    'shutdownGracePeriod', 'accessLog', 'outboundConnectTimeout', 'inboundConnectTimeout', 'outboundDiscoveryCacheUnusedTimeout',
    'inboundDiscoveryCacheUnusedTimeout', 'disableOutboundProtocolDetectTimeout', 'disableInboundProtocolDetectTimeout', 'enableExternalProfiles',
    'adminShutdown', 'enableDebugSidecar', 'metricsHostnameLabels', 'proxyUid', 'proxyGid',
  ]);
  for (const k of Object.keys(config)) check(k, known.has(k), 'not a proxy setting');

  oneOf('inject', config.inject ?? 'enabled', ['enabled', 'disabled', 'ingress'] as const, 'linkerd.io/inject');
  if (config.image !== undefined) check('image', typeof config.image === 'string' && config.image.length > 0, 'an image name');
  set(`${c}proxy-image`, config.image);
  if (config.version !== undefined) check('version', typeof config.version === 'string' && /^[\w][\w.-]{0,127}$/.test(config.version), 'an image tag');
  set(`${c}proxy-version`, config.version);
  oneOf('imagePullPolicy', config.imagePullPolicy, ['Always', 'IfNotPresent', 'Never'] as const, `${c}image-pull-policy`);
  const r = config.resources ?? {};
  for (const [kind, key] of [['cpu', 'cpu'], ['memory', 'memory'], ['ephemeralStorage', 'ephemeral-storage']] as const) {
    for (const f of ['request', 'limit'] as const) {
      const value = r[kind]?.[f];
      if (value === undefined) continue;
      const ok = (typeof value === 'string' && QUANTITY.test(value)) || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
      check(`resources.${kind}.${f}`, ok, `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. 100m, 0.5, 64Mi)`);
      set(`${c}proxy-${key}-${f}`, value);
    }
  }
  if (r.cpuRatioLimit !== undefined) {
    check('resources.cpuRatioLimit', typeof r.cpuRatioLimit === 'number' && r.cpuRatioLimit > 0 && r.cpuRatioLimit <= 1, 'a number in (0, 1]');
    set(`${c}proxy-cpu-ratio-limit`, r.cpuRatioLimit);
  }
  if (config.logLevel !== undefined) check('logLevel', LOG_LEVEL.test(config.logLevel), 'a level (info) or directives (warn,linkerd=info)');
  set(`${c}proxy-log-level`, config.logLevel);
  oneOf('logFormat', config.logFormat, ['plain', 'json'] as const, `${c}proxy-log-format`);
  oneOf('logHttpHeaders', config.logHttpHeaders, ['off', 'insecure'] as const, `${c}proxy-log-http-headers`);
  ports('opaquePorts', config.opaquePorts, `${c}opaque-ports`);
  ports('skipInboundPorts', config.skipInboundPorts, `${c}skip-inbound-ports`);
  ports('skipOutboundPorts', config.skipOutboundPorts, `${c}skip-outbound-ports`);
  if (config.skipSubnets !== undefined) {
    for (const s of config.skipSubnets) check('skipSubnets', CIDR.test(s), `${JSON.stringify(s)} is not a CIDR`);
    set(`${c}skip-subnets`, config.skipSubnets.join(','));
  }
  oneOf('defaultInboundPolicy', config.defaultInboundPolicy, ['all-unauthenticated', 'all-authenticated', 'cluster-unauthenticated', 'cluster-authenticated', 'deny', 'audit'] as const, `${c}default-inbound-policy`);
  ports('requireIdentityOnInboundPorts', config.requireIdentityOnInboundPorts, `${c}proxy-require-identity-inbound-ports`);
  flag('await', config.await, `${c}proxy-await`, 'enabled', 'disabled');
  if (config.waitBeforeExitSeconds !== undefined) {
    check('waitBeforeExitSeconds', Number.isInteger(config.waitBeforeExitSeconds) && config.waitBeforeExitSeconds >= 0, 'a whole number of seconds');
    set('config.alpha.linkerd.io/proxy-wait-before-exit-seconds', config.waitBeforeExitSeconds);
  }
  flag('nativeSidecar', config.nativeSidecar, `${c}proxy-enable-native-sidecar`);
  duration('shutdownGracePeriod', config.shutdownGracePeriod, `${c}shutdown-grace-period`);
  oneOf('accessLog', config.accessLog, ['apache', 'json'] as const, `${c}access-log`);
  duration('outboundConnectTimeout', config.outboundConnectTimeout, `${c}proxy-outbound-connect-timeout`);
  duration('inboundConnectTimeout', config.inboundConnectTimeout, `${c}proxy-inbound-connect-timeout`);
  duration('outboundDiscoveryCacheUnusedTimeout', config.outboundDiscoveryCacheUnusedTimeout, `${c}proxy-outbound-discovery-cache-unused-timeout`);
  duration('inboundDiscoveryCacheUnusedTimeout', config.inboundDiscoveryCacheUnusedTimeout, `${c}proxy-inbound-discovery-cache-unused-timeout`);
  flag('disableOutboundProtocolDetectTimeout', config.disableOutboundProtocolDetectTimeout, `${c}proxy-disable-outbound-protocol-detect-timeout`);
  flag('disableInboundProtocolDetectTimeout', config.disableInboundProtocolDetectTimeout, `${c}proxy-disable-inbound-protocol-detect-timeout`);
  flag('enableExternalProfiles', config.enableExternalProfiles, `${c}enable-external-profiles`);
  flag('adminShutdown', config.adminShutdown, `${c}proxy-admin-shutdown`, 'enabled', 'disabled');
  flag('enableDebugSidecar', config.enableDebugSidecar, `${c}enable-debug-sidecar`);
  flag('metricsHostnameLabels', config.metricsHostnameLabels, `${c}proxy-metrics-hostname-labels`);
  for (const [field, value, key] of [['proxyUid', config.proxyUid, 'proxy-uid'], ['proxyGid', config.proxyGid, 'proxy-gid']] as const) {
    if (value === undefined) continue;
    check(field, Number.isInteger(value) && value >= 0, 'a user or group id');
    set(`${c}${key}`, value);
  }
  if (problems.length > 0) throw new ProxyConfigError(problems);
  return out;
}

/** What a workload's pod-template annotations say about its proxy, read back as a WorkloadProxyConfig. */
export interface AnnotatedProxyConfig {
  config: WorkloadProxyConfig;
  /** Injector annotations present that have no WorkloadProxyConfig field (manual injection cannot honour them). */
  unsupported: string[];
  /** Annotations whose value the injector would not understand, with why. */
  problems: { field: string; message: string }[];
}

/**
 * Reads the injector's annotations (`linkerd.io/inject`, `config.linkerd.io/*`,
 * `config.alpha.linkerd.io/*`) back into a WorkloadProxyConfig, the inverse of
 * proxyAnnotations: what manual injection must honour, as the proxy injector would.
 */
export function proxyConfigFromAnnotations(annotations: Record<string, string>): AnnotatedProxyConfig {
  const config: WorkloadProxyConfig = {};
  const problems: { field: string; message: string }[] = [];
  const unsupported: string[] = [];
  const c = 'config.linkerd.io/';
  const known = new Set<string>();
  const read = (key: string, apply: (value: string) => void) => {
    known.add(key);
    const value = annotations[key];
    if (value !== undefined) apply(value);
  };
  const flag = (key: string, yes: string, no: string, apply: (b: boolean) => void) =>
    read(key, (value) => (value === yes ? apply(true) : value === no ? apply(false) : problems.push({ field: key, message: `${JSON.stringify(value)}: expected ${yes} or ${no}` })));
  const ports = (value: string) => value.split(',').map((p) => (/^\d+$/.test(p.trim()) ? Number(p.trim()) : (p.trim() as PortOrRange)));
  const integer = (key: string, apply: (n: number) => void) =>
    read(key, (value) => (/^\d+$/.test(value) ? apply(Number(value)) : problems.push({ field: key, message: `${JSON.stringify(value)}: expected a whole number` })));
  const set = <K extends keyof WorkloadProxyConfig>(field: K) => (value: string) => {
    (config as Record<string, unknown>)[field] = value;
  };

  read('linkerd.io/inject', set('inject'));
  read(`${c}proxy-image`, set('image'));
  read(`${c}proxy-version`, set('version'));
  read(`${c}image-pull-policy`, set('imagePullPolicy'));
  for (const [kind, key] of [['cpu', 'cpu'], ['memory', 'memory'], ['ephemeralStorage', 'ephemeral-storage']] as const) {
    for (const f of ['request', 'limit'] as const) {
      read(`${c}proxy-${key}-${f}`, (value) => {
        const resources = (config.resources ??= {});
        resources[kind] = { ...resources[kind], [f]: value };
      });
    }
  }
  read(`${c}proxy-cpu-ratio-limit`, (value) => ((config.resources ??= {}).cpuRatioLimit = Number(value)));
  read(`${c}proxy-log-level`, set('logLevel'));
  read(`${c}proxy-log-format`, set('logFormat'));
  read(`${c}proxy-log-http-headers`, set('logHttpHeaders'));
  read(`${c}opaque-ports`, (value) => (config.opaquePorts = ports(value)));
  read(`${c}skip-inbound-ports`, (value) => (config.skipInboundPorts = ports(value)));
  read(`${c}skip-outbound-ports`, (value) => (config.skipOutboundPorts = ports(value)));
  read(`${c}skip-subnets`, (value) => (config.skipSubnets = value.split(',').map((s) => s.trim())));
  read(`${c}default-inbound-policy`, set('defaultInboundPolicy'));
  read(`${c}proxy-require-identity-inbound-ports`, (value) => (config.requireIdentityOnInboundPorts = ports(value)));
  flag(`${c}proxy-await`, 'enabled', 'disabled', (b) => (config.await = b));
  integer('config.alpha.linkerd.io/proxy-wait-before-exit-seconds', (n) => (config.waitBeforeExitSeconds = n));
  flag(`${c}proxy-enable-native-sidecar`, 'true', 'false', (b) => (config.nativeSidecar = b));
  flag('config.alpha.linkerd.io/proxy-enable-native-sidecar', 'true', 'false', (b) => (config.nativeSidecar ??= b));
  read(`${c}shutdown-grace-period`, set('shutdownGracePeriod'));
  read(`${c}access-log`, set('accessLog'));
  read(`${c}proxy-outbound-connect-timeout`, set('outboundConnectTimeout'));
  read(`${c}proxy-inbound-connect-timeout`, set('inboundConnectTimeout'));
  read(`${c}proxy-outbound-discovery-cache-unused-timeout`, set('outboundDiscoveryCacheUnusedTimeout'));
  read(`${c}proxy-inbound-discovery-cache-unused-timeout`, set('inboundDiscoveryCacheUnusedTimeout'));
  flag(`${c}proxy-disable-outbound-protocol-detect-timeout`, 'true', 'false', (b) => (config.disableOutboundProtocolDetectTimeout = b));
  flag(`${c}proxy-disable-inbound-protocol-detect-timeout`, 'true', 'false', (b) => (config.disableInboundProtocolDetectTimeout = b));
  flag(`${c}enable-external-profiles`, 'true', 'false', (b) => (config.enableExternalProfiles = b));
  flag(`${c}proxy-admin-shutdown`, 'enabled', 'disabled', (b) => (config.adminShutdown = b));
  flag(`${c}enable-debug-sidecar`, 'true', 'false', (b) => (config.enableDebugSidecar = b));
  flag(`${c}proxy-metrics-hostname-labels`, 'true', 'false', (b) => (config.metricsHostnameLabels = b));
  integer(`${c}proxy-uid`, (n) => (config.proxyUid = n));
  integer(`${c}proxy-gid`, (n) => (config.proxyGid = n));
  for (const key of INJECTOR_ANNOTATIONS) if (!known.has(key) && annotations[key] !== undefined) unsupported.push(key);
  return { config, unsupported, problems };
}
