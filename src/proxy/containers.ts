/**
 * The proxy, proxy-init and network-validator containers and the proxy's volumes, built
 * from ProxySettings through the engine, so that they render as plain objects (control
 * plane in TypeScript, dist/, manual injection) and as Helm templates alike.
 *
 * Facts (env, args, ports, probes, security contexts) follow upstream edge-26.8.3.
 */
import type { Container, EnvVar, Lifecycle, Probe, SecurityContext, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import type { HelmValues } from '../helm/values';
import { sharedResources } from '../k8s/resources';
import type { ProxySettings } from './settings';
import { RESTRICTED_NOBODY } from './values';

const PROXY_NAME = 'linkerd-proxy';
const TOKEN_PROJECTION_PATH = '/var/run/secrets/tokens';
const IDENTITY_DIR = '/var/run/linkerd/identity/end-entity';
const PODINFO_DIR = '/var/run/linkerd/podinfo';

const fieldEnv = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

type Proxy = ProxySettings['proxy'];

/** What the proxy's environment is written from: the values engine, the settings, and the facts derived from them. */
interface ProxyEnvContext<V> {
  v: HelmValues<V>;
  p: Proxy;
  m: ProxySettings['mesh'];
  trustDomain: string;
  /** An entry only when `cond` holds. */
  when: (cond: boolean, name: string, value: string) => EnvVar;
  /** An entry only when `value` is set. */
  ifSet: (value: string, name: string) => EnvVar;
  /** A control-plane address: localhost for the component itself, else its Service. */
  local: (component: string, port: number, service: string) => string;
  /** The identity of a control-plane service account. */
  serviceName: (sa: string) => string;
}

function proxyEnvContext<V>(v: HelmValues<V>, s: ProxySettings): ProxyEnvContext<V> {
  const p = s.proxy;
  const m = s.mesh;
  const trustDomain = v.orElse(m.identityTrustDomain, m.clusterDomain);
  const when = (cond: boolean, name: string, value: string): EnvVar => v.maybe(cond, { name, value }) as EnvVar;
  return {
    v,
    p,
    m,
    trustDomain,
    when,
    ifSet: (value, name) => when(v.truthy(value), name, value),
    local: (component, port, service) =>
      v.ternary(v.eq(p.component ?? '', component), `localhost.:${port}`, v.fmt`${service}.${m.namespace}.svc.${m.clusterDomain}.:${port}`),
    serviceName: (sa) => v.fmt`${sa}.${m.namespace}.serviceaccount.identity.${m.namespace}.${trustDomain}`,
  };
}

/** The pod facts the proxy reads from the downward API. */
function podFieldEnv(): EnvVar[] {
  return [
    fieldEnv('_pod_name', 'metadata.name'),
    fieldEnv('_pod_ns', 'metadata.namespace'),
    fieldEnv('_pod_uid', 'metadata.uid'),
    fieldEnv('_pod_ip', 'status.podIP'),
    fieldEnv('_pod_nodeName', 'spec.nodeName'),
    { name: '_pod_containerName', value: PROXY_NAME },
  ];
}

/** Worker threads: the deprecated fixed count, else the runtime.workers bounds. */
function workerEnv<V>({ v, p, when }: ProxyEnvContext<V>): EnvVar[] {
  const cores = p.cores;
  const workers = p.runtime.workers;
  return [
    when(v.truthy(cores), 'LINKERD2_PROXY_CORES', v.fmt`${cores}`),
    when(v.truthy(cores), 'LINKERD2_PROXY_CORES_MIN', v.fmt`${cores}`),
    when(v.not(v.truthy(cores)), 'LINKERD2_PROXY_CORES', v.fmt`${v.orElse(workers.minimum, 1)}`),
    when(v.not(v.truthy(cores)), 'LINKERD2_PROXY_CORES_MIN', v.fmt`${v.orElse(workers.minimum, 1)}`),
    when(v.and(v.not(v.truthy(cores)), v.truthy(workers.maximum)), 'LINKERD2_PROXY_CORES_MAX', v.fmt`${workers.maximum}`),
    when(v.and(v.not(v.truthy(cores)), v.truthy(workers.maximumCPURatio)), 'LINKERD2_PROXY_CORES_MAX_RATIO', v.fmt`${workers.maximumCPURatio}`),
  ];
}

/** Inbound TLS requirements, logging, and where the destination and policy controllers are. */
function controlEnv<V>({ v, p, m, ifSet, local }: ProxyEnvContext<V>): EnvVar[] {
  return [
    ifSet(p.requireIdentityOnInboundPorts, 'LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_IDENTITY'),
    ifSet(p.requireTLSOnInboundPorts as string, 'LINKERD2_PROXY_INBOUND_PORTS_REQUIRE_TLS'),
    { name: 'LINKERD2_PROXY_SHUTDOWN_ENDPOINT_ENABLED', value: v.fmt`${p.enableShutdownEndpoint}` },
    {
      name: 'LINKERD2_PROXY_LOG',
      value: v.fmt`${p.logLevel}${v.ternary(v.eq(p.logHTTPHeaders, 'insecure'), '', ',[{headers}]=off,[{request}]=off')}`,
    },
    { name: 'LINKERD2_PROXY_LOG_FORMAT', value: p.logFormat },
    { name: 'LINKERD2_PROXY_DESTINATION_SVC_ADDR', value: local('linkerd-destination', 8086, 'linkerd-dst-headless') },
    { name: 'LINKERD2_PROXY_DESTINATION_PROFILE_NETWORKS', value: m.clusterNetworks },
    { name: 'LINKERD2_PROXY_POLICY_SVC_ADDR', value: local('linkerd-destination', 8090, 'linkerd-policy') },
    { name: 'LINKERD2_PROXY_POLICY_WORKLOAD', value: '{"ns":"$(_pod_ns)", "pod":"$(_pod_name)"}\n' },
    { name: 'LINKERD2_PROXY_INBOUND_DEFAULT_POLICY', value: p.defaultInboundPolicy },
    { name: 'LINKERD2_PROXY_POLICY_CLUSTER_NETWORKS', value: m.clusterNetworks },
    { name: 'LINKERD2_PROXY_CONTROL_STREAM_INITIAL_TIMEOUT', value: p.control.streams.initialTimeout },
    { name: 'LINKERD2_PROXY_CONTROL_STREAM_IDLE_TIMEOUT', value: p.control.streams.idleTimeout },
    { name: 'LINKERD2_PROXY_CONTROL_STREAM_LIFETIME', value: p.control.streams.lifetime },
  ];
}

/** Connect, discovery-idle and protocol-detection timeouts. */
function timeoutEnv<V>({ p, when, ifSet }: ProxyEnvContext<V>): EnvVar[] {
  return [
    ifSet(p.inboundConnectTimeout, 'LINKERD2_PROXY_INBOUND_CONNECT_TIMEOUT'),
    ifSet(p.outboundConnectTimeout, 'LINKERD2_PROXY_OUTBOUND_CONNECT_TIMEOUT'),
    ifSet(p.outboundDiscoveryCacheUnusedTimeout, 'LINKERD2_PROXY_OUTBOUND_DISCOVERY_IDLE_TIMEOUT'),
    ifSet(p.inboundDiscoveryCacheUnusedTimeout, 'LINKERD2_PROXY_INBOUND_DISCOVERY_IDLE_TIMEOUT'),
    when(p.disableOutboundProtocolDetectTimeout, 'LINKERD2_PROXY_OUTBOUND_DETECT_TIMEOUT', '365d'),
    when(p.disableInboundProtocolDetectTimeout, 'LINKERD2_PROXY_INBOUND_DETECT_TIMEOUT', '365d'),
  ];
}

/** The listeners, the pod's ports, gateway and ingress modes, keepalives and metrics labels. */
function listenEnv<V>({ v, p, m, when }: ProxyEnvContext<V>): EnvVar[] {
  const listen = (port: number) => v.fmt`${v.ternary(m.disableIPv6, '0.0.0.0', '[::]')}:${port}`;
  return [
    { name: 'LINKERD2_PROXY_CONTROL_LISTEN_ADDR', value: listen(p.ports.control) },
    { name: 'LINKERD2_PROXY_ADMIN_LISTEN_ADDR', value: listen(p.ports.admin) },
    // Superseded by LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS; upstream still sets both.
    { name: 'LINKERD2_PROXY_OUTBOUND_LISTEN_ADDR', value: v.fmt`127.0.0.1:${p.ports.outbound}` },
    {
      name: 'LINKERD2_PROXY_OUTBOUND_LISTEN_ADDRS',
      value: v.fmt`127.0.0.1:${p.ports.outbound}${v.ternary(m.disableIPv6, '', v.fmt`,[::1]:${p.ports.outbound}`)}`,
    },
    { name: 'LINKERD2_PROXY_INBOUND_LISTEN_ADDR', value: listen(p.ports.inbound) },
    fieldEnv('LINKERD2_PROXY_INBOUND_IPS', 'status.podIPs'),
    { name: 'LINKERD2_PROXY_INBOUND_PORTS', value: p.podInboundPorts ?? '' },
    when(p.isGateway ?? false, 'LINKERD2_PROXY_INBOUND_GATEWAY_SUFFIXES', v.fmt`svc.${m.clusterDomain}.`),
    when(p.isIngress ?? false, 'LINKERD2_PROXY_INGRESS_MODE', 'true'),
    { name: 'LINKERD2_PROXY_DESTINATION_PROFILE_SUFFIXES', value: v.ternary(p.enableExternalProfiles, '.', v.fmt`svc.${m.clusterDomain}.`) },
    { name: 'LINKERD2_PROXY_INBOUND_ACCEPT_KEEPALIVE', value: '10000ms' },
    { name: 'LINKERD2_PROXY_OUTBOUND_CONNECT_KEEPALIVE', value: '10000ms' },
    { name: 'LINKERD2_PROXY_INBOUND_ACCEPT_USER_TIMEOUT', value: '30s' },
    { name: 'LINKERD2_PROXY_OUTBOUND_CONNECT_USER_TIMEOUT', value: '30s' },
    { name: 'LINKERD2_PROXY_OUTBOUND_METRICS_HOSTNAME_LABELS', value: v.fmt`${p.metrics.hostnameLabels}` },
  ];
}

/** Tracing (the collector endpoint and identity are required when enabled: see the values checks). */
function tracingEnv<V>({ v, p, m, trustDomain, when }: ProxyEnvContext<V>): EnvVar[] {
  const tracing = p.tracing;
  const collector = tracing.collector.meshIdentity;
  return [
    when(tracing.enabled, 'LINKERD2_PROXY_TRACE_ATTRIBUTES_PATH', `${PODINFO_DIR}/labels`),
    when(tracing.enabled, 'LINKERD2_PROXY_TRACE_ANNOTATIONS_PATH', `${PODINFO_DIR}/annotations`),
    when(tracing.enabled, 'LINKERD2_PROXY_TRACE_PROTOCOL', v.orElse(tracing.protocol as string, 'opentelemetry')),
    when(tracing.enabled, 'LINKERD2_PROXY_TRACE_SERVICE_NAME', tracing.traceServiceName),
    when(tracing.enabled, 'LINKERD2_PROXY_TRACE_COLLECTOR_SVC_ADDR', tracing.collector.endpoint),
    when(
      tracing.enabled,
      'LINKERD2_PROXY_TRACE_COLLECTOR_SVC_NAME',
      v.fmt`${collector.serviceAccountName}.${collector.namespace}.serviceaccount.identity.${m.namespace}.${trustDomain}`,
    ),
    when(tracing.enabled, 'LINKERD2_PROXY_TRACE_EXTRA_ATTRIBUTES', v.lines(tracing.labels, (k, val) => v.fmt`${k}=${val}`)),
  ];
}

/** The `proxy.inbound` / `proxy.outbound` tuning maps as LINKERD2_PROXY_<DIRECTION>_<SCOPE>_<PROTOCOL>_<PARAM>. */
function tuningEnv<V>(v: HelmValues<V>, direction: 'inbound' | 'outbound', map: Record<string, Record<string, Record<string, string>>>): EnvVar[] {
  const name = (scope: string, protocol: string, param: string) =>
    v.fmt`LINKERD2_PROXY_${direction.toUpperCase()}_${v.upper(v.snakecase(scope))}_${v.upper(v.snakecase(protocol))}_${v.upper(v.snakecase(param))}`;
  return v.entries(map, (scope, protocols) =>
    v.entries(protocols, (protocol, params) => v.entries(params, (param, value) => ({ name: name(scope, protocol, param), value: v.fmt`${value}` }), 'string')),
  );
}

/** The proxy's identity: its trust anchors, token, and the identities of the control plane it talks to. */
function identityEnv<V>({ v, p, m, trustDomain, local, serviceName }: ProxyEnvContext<V>): EnvVar[] {
  return [
    { name: 'LINKERD2_PROXY_DESTINATION_CONTEXT', value: '{"ns":"$(_pod_ns)", "nodeName":"$(_pod_nodeName)", "pod":"$(_pod_name)"}\n' },
    fieldEnv('_pod_sa', 'spec.serviceAccountName'),
    { name: '_l5d_ns', value: m.namespace },
    { name: '_l5d_trustdomain', value: trustDomain },
    { name: 'LINKERD2_PROXY_IDENTITY_DIR', value: IDENTITY_DIR },
    p.loadTrustBundleFromConfigMap
      ? { name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', valueFrom: { configMapKeyRef: { name: 'linkerd-identity-trust-roots', key: 'ca-bundle.crt' } } }
      : { name: 'LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS', value: v.fmt`${v.trim(m.identityTrustAnchorsPEM)}\n` },
    {
      name: 'LINKERD2_PROXY_IDENTITY_TOKEN_FILE',
      value: v.ternary(m.serviceAccountTokenProjection, `${TOKEN_PROJECTION_PATH}/linkerd-identity-token`, '/var/run/secrets/kubernetes.io/serviceaccount/token'),
    },
    { name: 'LINKERD2_PROXY_IDENTITY_SVC_ADDR', value: local('linkerd-identity', 8080, 'linkerd-identity-headless') },
    { name: 'LINKERD2_PROXY_IDENTITY_LOCAL_NAME', value: v.fmt`$(_pod_sa).$(_pod_ns).serviceaccount.identity.${m.namespace}.${trustDomain}` },
    { name: 'LINKERD2_PROXY_IDENTITY_SVC_NAME', value: serviceName('linkerd-identity') },
    { name: 'LINKERD2_PROXY_DESTINATION_SVC_NAME', value: serviceName('linkerd-destination') },
    { name: 'LINKERD2_PROXY_POLICY_SVC_NAME', value: serviceName('linkerd-destination') },
  ];
}

/** The linkerd-proxy container's environment, in upstream's order. */
export function proxyEnv<V>(v: HelmValues<V>, s: ProxySettings): EnvVar[] {
  const ctx = proxyEnvContext(v, s);
  const p = s.proxy;
  return [
    ...podFieldEnv(),
    ...workerEnv(ctx),
    ...controlEnv(ctx),
    ...timeoutEnv(ctx),
    ...listenEnv(ctx),
    ...tracingEnv(ctx),
    ...tuningEnv(v, 'inbound', p.inbound),
    ...tuningEnv(v, 'outbound', p.outbound),
    ctx.ifSet(p.opaquePorts, 'LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION'),
    ...identityEnv(ctx),
    ctx.ifSet(p.accessLog as string, 'LINKERD2_PROXY_ACCESS_LOG'),
    ctx.ifSet(p.shutdownGracePeriod, 'LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD'),
    ...v.splice(p.additionalEnv as EnvVar[] | undefined),
    ...v.splice(p.experimentalEnv as EnvVar[] | undefined),
  ];
}

/** A liveness or readiness probe of the proxy's admin server. */
function adminProbe(path: '/live' | '/ready', port: number, timing: { initialDelaySeconds: number; timeoutSeconds: number }): Probe {
  return { httpGet: { path, port }, initialDelaySeconds: timing.initialDelaySeconds, timeoutSeconds: timing.timeoutSeconds };
}

/** The startup probe of a native-sidecar proxy that the application awaits. */
function startupProbe<V>(v: HelmValues<V>, p: Proxy): Probe {
  return v.maybe(v.and(p.nativeSidecar, p.await), {
    httpGet: { path: '/ready', port: p.ports.admin },
    initialDelaySeconds: p.startupProbe.initialDelaySeconds,
    periodSeconds: p.startupProbe.periodSeconds,
    failureThreshold: p.startupProbe.failureThreshold,
  }) as Probe;
}

/** The proxy's mounts: its identity, (when tracing) pod info, the projected token, and any service-account token. */
function proxyVolumeMounts<V>(v: HelmValues<V>, s: ProxySettings): VolumeMount[] {
  return [
    { mountPath: IDENTITY_DIR, name: 'linkerd-identity-end-entity' },
    v.maybe(s.proxy.tracing.enabled, { mountPath: PODINFO_DIR, name: 'linkerd-podinfo' }) as VolumeMount,
    v.maybe(s.mesh.serviceAccountTokenProjection, { mountPath: TOKEN_PROJECTION_PATH, name: 'linkerd-identity-token' }) as VolumeMount,
    ...(s.proxy.saMountPath ? [s.proxy.saMountPath] : []),
  ];
}

/** The proxy's security context: the values' own, else restricted (no privilege, read-only root, the proxy's UID/GID). */
function proxySecurityContext<V>(v: HelmValues<V>, p: Proxy): { securityContext?: SecurityContext } {
  return v.fields(
    v.truthy(p.securityContext),
    { securityContext: p.securityContext as SecurityContext },
    {
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: v.maybe(v.truthy(p.capabilities), {
          add: v.maybe(v.truthy(v.get(p.capabilities, 'add')), v.get(p.capabilities, 'add')),
          drop: v.maybe(v.truthy(v.get(p.capabilities, 'drop')), v.get(p.capabilities, 'drop')),
        }) as SecurityContext['capabilities'],
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: p.uid,
        runAsGroup: v.maybe(v.ge(p.gid, 0), p.gid) as number,
        seccompProfile: { type: 'RuntimeDefault' },
      },
    },
  );
}

/** Awaiting the proxy (postStart) and draining before exit (preStop), for a proxy that is not a native sidecar. */
function proxyLifecycle<V>(v: HelmValues<V>, p: Proxy): Lifecycle {
  return v.maybe(v.and(v.not(p.nativeSidecar), v.or(p.await, v.truthy(p.waitBeforeExitSeconds))), {
    postStart: v.maybe(p.await, { exec: { command: ['/usr/lib/linkerd/linkerd-await', '--timeout=2m', v.fmt`--port=${p.ports.admin}`] } }),
    preStop: v.maybe(v.truthy(p.waitBeforeExitSeconds), { exec: { command: ['/bin/sleep', v.fmt`${p.waitBeforeExitSeconds}`] } }),
  }) as Lifecycle;
}

/** The linkerd-proxy container. */
export function proxyContainer<V>(v: HelmValues<V>, s: ProxySettings): Container {
  const p = s.proxy;
  const admin = p.ports.admin;
  return {
    env: proxyEnv(v, s),
    image: v.fmt`${p.image.name}:${v.orElse(p.image.version, s.mesh.linkerdVersion)}`,
    imagePullPolicy: v.orElse(p.image.pullPolicy, s.mesh.imagePullPolicy),
    livenessProbe: adminProbe('/live', admin, p.livenessProbe),
    name: PROXY_NAME,
    ports: [
      { containerPort: p.ports.inbound, name: 'linkerd-proxy' },
      { containerPort: admin, name: 'linkerd-admin' },
    ],
    readinessProbe: adminProbe('/ready', admin, p.readinessProbe),
    startupProbe: startupProbe(v, p),
    resources: sharedResources(v, p.resources),
    ...proxySecurityContext(v, p),
    terminationMessagePolicy: 'FallbackToLogsOnError',
    lifecycle: proxyLifecycle(v, p),
    volumeMounts: proxyVolumeMounts(v, s),
    restartPolicy: v.maybe(p.nativeSidecar, 'Always'),
  } as Container;
}

/** The linkerd-init container: programs iptables to redirect the pod's traffic through the proxy. */
export function proxyInitContainer<V>(v: HelmValues<V>, s: ProxySettings): Container {
  const p = s.proxy;
  const init = s.proxyInit;
  const m = s.mesh;
  const elevated = v.or(v.truthy(init.closeWaitTimeoutSecs), init.privileged);
  // As root when asked (some iptables need it), else never as UID/GID 0.
  const runAs = v.fields(
    init.runAsRoot,
    { runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 },
    {
      runAsNonRoot: true,
      runAsUser: v.ternary(v.eq(init.runAsUser, 0), 65534, init.runAsUser),
      runAsGroup: v.ternary(v.eq(init.runAsGroup, 0), 65534, init.runAsGroup),
    },
  );
  const flag = (cond: boolean, name: string, value: string): string[] => [v.maybe(cond, name) as string, v.maybe(cond, value) as string];
  return {
    args: [
      ...flag(v.eq(init.iptablesMode, 'nft'), '--firewall-bin-path', 'iptables-nft'),
      ...flag(v.eq(init.iptablesMode, 'nft'), '--firewall-save-bin-path', 'iptables-nft-save'),
      v.maybe(m.disableIPv6, '--ipv6=false') as string,
      '--incoming-proxy-port',
      v.fmt`${p.ports.inbound}`,
      '--outgoing-proxy-port',
      v.fmt`${p.ports.outbound}`,
      '--proxy-uid',
      v.fmt`${p.uid}`,
      ...flag(v.ge(p.gid, 0), '--proxy-gid', v.fmt`${p.gid}`),
      '--inbound-ports-to-ignore',
      v.fmt`${p.ports.control},${p.ports.admin}${v.ternary(v.truthy(init.ignoreInboundPorts), v.fmt`,${init.ignoreInboundPorts}`, '')}`,
      ...flag(v.truthy(init.ignoreOutboundPorts), '--outbound-ports-to-ignore', init.ignoreOutboundPorts),
      ...flag(v.truthy(init.closeWaitTimeoutSecs), '--timeout-close-wait-secs', v.fmt`${init.closeWaitTimeoutSecs}`),
      ...flag(v.truthy(init.logFormat), '--log-format', init.logFormat),
      ...flag(v.truthy(init.logLevel), '--log-level', init.logLevel),
      ...flag(v.truthy(init.skipSubnets), '--subnets-to-ignore', init.skipSubnets),
    ],
    image: v.fmt`${p.image.name}:${v.orElse(p.image.version, m.linkerdVersion)}`,
    command: ['/usr/lib/linkerd/linkerd2-proxy-init'],
    imagePullPolicy: v.orElse(p.image.pullPolicy, m.imagePullPolicy),
    name: 'linkerd-init',
    resources: sharedResources(v, p.resources),
    securityContext: {
      allowPrivilegeEscalation: elevated,
      capabilities: {
        add: ['NET_ADMIN', 'NET_RAW', ...v.splice(v.get(init.capabilities, 'add'))],
        drop: v.maybe(v.truthy(v.get(init.capabilities, 'drop')), v.get(init.capabilities, 'drop')),
      },
      privileged: elevated,
      ...runAs,
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
    volumeMounts: v.maybe(v.or(v.not(m.cniEnabled), v.truthy(init.saMountPath ?? false)), [
      v.maybe(v.not(m.cniEnabled), { mountPath: init.xtMountPath.mountPath, name: init.xtMountPath.name }),
      ...(init.saMountPath ? [init.saMountPath] : []),
    ]) as VolumeMount[],
  } as Container;
}

/** The proxy's own volumes: its identity, the projected token and (when tracing) pod info. */
export function proxyVolumes<V>(v: HelmValues<V>, s: ProxySettings): Volume[] {
  return [
    v.maybe(s.mesh.serviceAccountTokenProjection, {
      name: 'linkerd-identity-token',
      projected: { sources: [{ serviceAccountToken: { path: 'linkerd-identity-token', expirationSeconds: 86400, audience: 'identity.l5d.io' } }] },
    }) as Volume,
    { emptyDir: { medium: 'Memory' }, name: 'linkerd-identity-end-entity' },
    v.maybe(s.proxy.tracing.enabled, {
      name: 'linkerd-podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        ],
      },
    }) as Volume,
  ];
}

/** The xtables lock volume proxy-init needs (not in CNI mode). */
export function proxyInitVolume<V>(v: HelmValues<V>, s: ProxySettings): Volume {
  return v.maybe(v.not(s.mesh.cniEnabled), { emptyDir: {}, name: s.proxyInit.xtMountPath.name }) as Volume;
}

/** The CNI-mode init container that checks the CNI plugin redirects traffic to the proxy. */
export function networkValidatorContainer<V>(v: HelmValues<V>, s: ProxySettings): Container {
  const p = s.proxy;
  const nv = s.networkValidator;
  const m = s.mesh;
  const securityContext = v.fields(v.truthy(nv.securityContext), { securityContext: nv.securityContext }, { securityContext: RESTRICTED_NOBODY });
  return {
    name: 'linkerd-network-validator',
    image: v.fmt`${p.image.name}:${v.orElse(p.image.version, m.linkerdVersion)}`,
    imagePullPolicy: v.orElse(p.image.pullPolicy, m.imagePullPolicy),
    resources: sharedResources(v, p.resources),
    // Left out only when enableSecurityContext is explicitly false.
    ...v.fields(v.or(v.not(v.isSet(nv.enableSecurityContext)), nv.enableSecurityContext as boolean), securityContext),
    command: ['/usr/lib/linkerd/linkerd2-network-validator'],
    args: [
      '--log-format',
      nv.logFormat,
      '--log-level',
      nv.logLevel,
      '--connect-addr',
      v.orElse(nv.connectAddr, v.ternary(m.disableIPv6, '1.1.1.1:20001', '[fd00::1]:20001')),
      '--listen-addr',
      v.orElse(nv.listenAddr, v.ternary(m.disableIPv6, '0.0.0.0:4140', '[::]:4140')),
      '--timeout',
      nv.timeout,
    ],
  } as Container;
}

/** Builds a part of a meshed pod, once per pod or as a shared definition. */
type Share = <T>(name: string, build: (s: ProxySettings) => T) => T;

function podParts<V>(v: HelmValues<V>, s: ProxySettings, share: Share) {
  const proxy = share('proxy.container', (x) => proxyContainer(v, x));
  const native = s.proxy.nativeSidecar;
  const cni = s.mesh.cniEnabled;
  return {
    containers: [v.maybe(v.not(native), proxy)] as Container[],
    initContainers: [
      v.maybe(cni, share('proxy.network-validator', (x) => networkValidatorContainer(v, x))),
      v.maybe(v.not(cni), share('proxy.init', (x) => proxyInitContainer(v, x))),
      v.maybe(native, proxy),
    ] as Container[],
    volumes: share('proxy.volumes', (x) => [proxyInitVolume(v, x), ...proxyVolumes(v, x)]),
  };
}

/**
 * What meshing adds to a pod, in upstream's order: the proxy (first container, or last init
 * container when it runs as a native sidecar), proxy-init (or the CNI network validator),
 * and the proxy's volumes (after the pod's own). The control plane's pods and manually
 * injected workloads are built from this, so they cannot drift apart.
 */
export function meshedPodParts<V>(v: HelmValues<V>, s: ProxySettings) {
  return podParts(v, s, (_, build) => build(s));
}

/**
 * `meshedPodParts` for the pods of one chart whose proxy settings differ only in `args`
 * (constants or values): in templates the proxy, proxy-init, network-validator and the
 * proxy's volumes are each one shared definition (`templates/_proxy.tpl`), which every pod
 * includes with its arguments; concrete mode gives the same objects as meshedPodParts.
 */
export function sharedMeshedPodParts<V, A extends Record<string, unknown>>(v: HelmValues<V>, args: A, settings: (a: A) => ProxySettings) {
  return podParts(v, settings(args), (name, build) => v.partial(name, args, (a) => build(settings(a))));
}
