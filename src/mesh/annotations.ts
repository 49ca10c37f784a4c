/**
 * Per-workload proxy configuration as types: what a workload's pod template annotations
 * tell the proxy injector (`linkerd.io/inject`, `config.linkerd.io/*`,
 * `config.alpha.linkerd.io/*`), checked before synthesis.
 */

/** A port (1-65535) or a range of ports (`"4000-4100"`). */
export type PortOrRange = number | `${number}-${number}`;

export type InboundPolicy = 'all-unauthenticated' | 'all-authenticated' | 'cluster-unauthenticated' | 'cluster-authenticated' | 'deny' | 'audit';

export interface ResourcePair {
  request?: string;
  limit?: string;
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
  /** How long the proxy drains connections on shutdown (duration, e.g. `30s`). */
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

const DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const QUANTITY = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;
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
    check(field, typeof value === 'string' && DURATION.test(value), `${JSON.stringify(value)} is not a duration (e.g. 500ms, 10s, 1m)`);
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
      check(`resources.${kind}.${f}`, typeof value === 'string' && QUANTITY.test(value), `${JSON.stringify(value)} is not a Kubernetes quantity`);
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
