/**
 * Values of the Linkerd proxy and its init containers: the `proxy`, `proxyInit`,
 * `networkValidator` and `debugContainer` sections of the control-plane values, which
 * also configure every injected workload (the proxy injector reads them from
 * `linkerd-config`). Keys, nesting and defaults follow upstream edge-26.8.3.
 */
import { Type } from '@sinclair/typebox';
import { SNAKE_SAFE_KEY } from '../helm/expr';
import { QUANTITY, orEmpty, val } from '../values/model';

/** A Kubernetes quantity (string or number), or empty for "not set". */
const quantity = (description: string) => val.quantity('', { description, optional: true });

/**
 * `cpu`/`memory`/`ephemeral-storage` requests and limits; empty strings are left out.
 * `nullCpuMemory`: CPU and memory default to null (left empty, as upstream's extension
 * charts write them), ephemeral storage to "".
 */
export function resourcesValues(what: string, opts: { nullCpuMemory?: boolean } = {}) {
  const pair = (resource: string, nullable: boolean) => {
    const field = (f: 'limit' | 'request') => {
      const q = quantity(`${resource} ${f} of the ${what} (empty: none).`);
      return nullable ? val.nullable(q, null, { description: `${resource} ${f} of the ${what} (empty: none).` }) : q;
    };
    return val.object({ limit: field('limit'), request: field('request') }, { description: `${resource} request and limit of the ${what}.` });
  };
  const n = Boolean(opts.nullCpuMemory);
  return val.object(
    { cpu: pair('CPU', n), memory: pair('Memory', n), 'ephemeral-storage': pair('Ephemeral storage', false) },
    { description: `Resource requests and limits of the ${what}.` },
  );
}

/**
 * Same shape as `resourcesValues`, as an optional override that upstream leaves commented
 * out; a proxy override may also fix the worker threads (`cores`). Quantities are strings here
 * (quote `"1"`): linkerd-config carries these sections as given.
 */
export function resourcesOverride(what: string, withCores = false) {
  // Strings only: the proxy injector reads these optional sections from linkerd-config into Go
  // string fields (a YAML number would break every injection), and the chart copies them as given.
  const q = Type.String({ pattern: orEmpty(QUANTITY) });
  const pair = Type.Object({ limit: Type.Optional(q), request: Type.Optional(q) }, { additionalProperties: false });
  const schema = Type.Object(
    {
      cpu: Type.Optional(pair),
      memory: Type.Optional(pair),
      'ephemeral-storage': Type.Optional(pair),
      cores: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false, description: `Resource requests and limits of the ${what} (overrides the shared setting).` },
  );
  if (!withCores) delete (schema.properties as Record<string, unknown>).cores;
  return val.unset(
    schema,
    { cpu: { request: '100m' }, memory: { limit: '250Mi', request: '50Mi' } },
  );
}

/** A duration the proxy (or the network validator) parses: a whole number with ms, s, m, h or d. */
const duration = (defaultValue: string, description: string) => val.duration('proxy', defaultValue, { description });
const optionalDuration = (defaultValue: string, description: string) => val.duration('proxy', defaultValue, { description, optional: true });
const port = (defaultValue: number, description: string) => val.integer(defaultValue, { description, minimum: 1, maximum: 65535 });
/** A comma-separated list of ports and port ranges (`25,587,4000-4100`), or empty. */
export const portList = (defaultValue: string, description: string) =>
  val.string(defaultValue, { description, pattern: '^$|^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$' });

/** An image: name, pull policy and version (empty: the shared default). */
export function imageValues(name: string, what: string) {
  return val.object(
    {
      name: val.imageRepository(name, { description: `Image name of the ${what}, with its registry.` }),
      pullPolicy: val.enum(['', 'Always', 'IfNotPresent', 'Never'] as const, '', {
        description: `Pull policy of the ${what} image (empty: imagePullPolicy).`,
      }),
      version: val.imageTag('', { description: `Image tag of the ${what} (empty: linkerdVersion).`, optional: true }),
    },
    { description: `The ${what} image.` },
  );
}

const probeDelay = (initial: number, what: string) =>
  val.object(
    {
      initialDelaySeconds: val.integer(initial, { description: `Seconds before the first ${what} probe.`, minimum: 0 }),
      timeoutSeconds: val.integer(1, { description: `Seconds after which a ${what} probe times out.`, minimum: 1 }),
    },
    { description: `The proxy's ${what} probe.` },
  );

/** `proxy.inbound` / `proxy.outbound`: scope → protocol → parameter, passed to the proxy as environment variables. */
const tuning = (direction: string) =>
  val.record(
    SNAKE_SAFE_KEY,
    Type.Record(Type.String({ pattern: SNAKE_SAFE_KEY }), Type.Record(Type.String({ pattern: SNAKE_SAFE_KEY }), Type.String(), { additionalProperties: false }), {
      additionalProperties: false,
    }),
    { server: { http2: { keepAliveInterval: '10s', keepAliveTimeout: '3s' } } },
    {
      description: `Tuning of ${direction} connections: scope (server) → protocol (http2) → parameter (keepAliveInterval), each becoming LINKERD2_PROXY_${direction.toUpperCase()}_<SCOPE>_<PROTOCOL>_<PARAMETER>.`,
    },
  );

const envList = (description: string) =>
  val.unset(Type.Array(Type.Object({ name: Type.String(), value: Type.Optional(Type.String()) }, { additionalProperties: true }), { description }), [
    { name: 'LINKERD2_PROXY_EXAMPLE', value: 'on' },
  ]);

const capabilities = (what: string) =>
  val.unset(
    Type.Object(
      { add: Type.Optional(Type.Array(Type.String())), drop: Type.Optional(Type.Array(Type.String())) },
      { additionalProperties: false, description: `Linux capabilities added to or dropped from the ${what}.` },
    ),
    { drop: ['ALL'] },
  );

export const proxyValues = val.object(
  {
    enableExternalProfiles: val.boolean(false, {
      description: 'Looks up service profiles for hosts outside the cluster domain too (not only *.svc.<clusterDomain>).',
    }),
    outboundConnectTimeout: duration('1000ms', 'Time limit for the proxy to open an outbound connection.'),
    inboundConnectTimeout: duration('100ms', 'Time limit for the proxy to connect to its own workload.'),
    outboundDiscoveryCacheUnusedTimeout: duration('5s', 'How long an unused outbound service discovery result is cached.'),
    inboundDiscoveryCacheUnusedTimeout: duration('90s', 'How long an unused inbound policy discovery result is cached.'),
    disableOutboundProtocolDetectTimeout: val.boolean(false, {
      description: 'Waits for outbound protocol detection without a time limit (a year) instead of falling back to TCP.',
    }),
    disableInboundProtocolDetectTimeout: val.boolean(false, {
      description: 'Waits for inbound protocol detection without a time limit (a year) instead of falling back to TCP.',
    }),
    image: imageValues('cr.l5d.io/linkerd/proxy', 'proxy'),
    enableShutdownEndpoint: val.boolean(false, { description: 'Serves /shutdown on the admin port, letting a Job end its proxy.' }),
    logLevel: val.string('warn,linkerd=info,hickory=error', {
      description: 'Proxy log filter: a level (trace, debug, info, warn, error) or a comma-separated list of target=level directives.',
      minLength: 1,
    }),
    logFormat: val.enum(['plain', 'json'] as const, 'plain', { description: 'Proxy log format.' }),
    logHTTPHeaders: val.enum(['off', 'insecure'] as const, 'off', {
      description: 'Whether HTTP headers may appear in proxy logs: off, or insecure (they may hold secrets).',
    }),
    ports: val.object(
      {
        admin: port(4191, 'Admin port: metrics, probes, tap.'),
        control: port(4190, 'Control port: the proxy talks to the control plane from it.'),
        inbound: port(4143, 'Port where inbound connections are redirected to the proxy.'),
        outbound: port(4140, 'Port where outbound connections are redirected to the proxy.'),
      },
      { description: 'Ports the proxy listens on.' },
    ),
    cores: val.nullable(Type.Integer({ minimum: 1 }), null, {
      description: 'Deprecated: a fixed number of proxy worker threads (use runtime.workers instead).',
    }),
    runtime: val.object(
      {
        workers: val.object(
          {
            maximumCPURatio: val.nullable(Type.Number({ minimum: 0, maximum: 1 }), null, {
              description: 'Upper bound of worker threads as a fraction of the CPUs available (0 to 1).',
            }),
            minimum: val.integer(1, { description: 'Worker threads the proxy always runs.', minimum: 1 }),
            maximum: val.unset(Type.Integer({ minimum: 1, description: 'Upper bound of worker threads.' }), 2),
          },
          { description: 'How many threads the proxy runs.' },
        ),
      },
      { description: 'Proxy runtime settings.' },
    ),
    resources: resourcesValues('proxy'),
    uid: val.integer(2102, { description: 'User ID the proxy runs as.', minimum: 0 }),
    gid: val.integer(-1, { description: 'Group ID the proxy runs as (-1: the image default).', minimum: -1 }),
    securityContext: val.freeform({}, { description: 'A full security context for the proxy container, replacing the hardened default when set.' }),
    waitBeforeExitSeconds: val.integer(0, {
      description: 'Seconds the proxy waits before exiting when its pod stops, so the workload can finish in-flight requests.',
      minimum: 0,
    }),
    await: val.boolean(true, { description: 'Starts the workload only once the proxy is ready.' }),
    requireIdentityOnInboundPorts: portList('', 'Inbound ports that only accept meshed (mTLS) clients.'),
    requireTLSOnInboundPorts: val.unset(Type.String({ description: 'Inbound ports that only accept TLS connections.' }), '8080'),
    opaquePorts: portList('25,587,3306,4444,5432,6379,9300,11211', 'Ports proxied as opaque TCP, without protocol detection (server-speaks-first protocols).'),
    shutdownGracePeriod: optionalDuration('', 'Time the proxy lets connections drain at shutdown (empty: the proxy default).'),
    defaultInboundPolicy: val.enum(
      ['all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit'] as const,
      'all-unauthenticated',
      { description: 'What inbound traffic is allowed on ports no Server or policy covers.' },
    ),
    outboundTransportMode: val.enum(['transport-header', 'none'] as const, 'transport-header', {
      description: 'How meshed outbound connections carry the original destination: a transport header, or none.',
    }),
    nativeSidecar: val.boolean(true, { description: 'Runs the proxy as a native sidecar (an init container with restartPolicy Always).' }),
    livenessProbe: probeDelay(10, 'liveness'),
    readinessProbe: probeDelay(2, 'readiness'),
    startupProbe: val.object(
      {
        initialDelaySeconds: val.integer(0, { description: 'Seconds before the first startup probe.', minimum: 0 }),
        periodSeconds: val.integer(1, { description: 'Seconds between startup probes.', minimum: 1 }),
        failureThreshold: val.integer(120, { description: 'Failed startup probes before the proxy is restarted.', minimum: 1 }),
      },
      { description: 'The startup probe of a native sidecar proxy that others await.' },
    ),
    control: val.object(
      {
        streams: val.object(
          {
            initialTimeout: duration('3s', 'Time limit for a control-plane stream to deliver its first update.'),
            idleTimeout: duration('5m', 'Time after which a quiet control-plane stream is reopened.'),
            lifetime: duration('1h', 'Time after which any control-plane stream is reopened.'),
          },
          { description: 'Lifetimes of the proxy\u2019s discovery streams to the control plane.' },
        ),
      },
      { description: 'How the proxy talks to the control plane.' },
    ),
    metrics: val.object(
      { hostnameLabels: val.boolean(false, { description: 'Labels outbound metrics with the target host name (may add many series).' }) },
      { description: 'Proxy metrics settings.' },
    ),
    tracing: val.object(
      {
        enabled: val.boolean(false, { description: 'Exports traces of the requests the proxy handles.' }),
        traceServiceName: val.string('linkerd-proxy', { description: 'Service name the proxy reports in its spans.' }),
        protocol: val.unset(Type.Unsafe<'opentelemetry' | 'opencensus'>({ type: 'string', enum: ['opentelemetry', 'opencensus'], description: 'Trace export protocol (default opentelemetry).' }), 'opentelemetry'),
        // One attribute per line in the proxy's environment: no line breaks or control characters.
        labels: val.record(
          '^[A-Za-z0-9][A-Za-z0-9._/-]*$',
          Type.String({ pattern: '^[^\\x00-\\x1f\\x7f]*$' }),
          { 'k8s.pod.ip': '$(_pod_ip)', 'k8s.pod.uid': '$(_pod_uid)', 'k8s.container.name': '$(_pod_containerName)' },
          { description: 'Attributes added to every span (values may refer to the pod through $(_pod_*) variables; one line each).' },
        ),
        collector: val.object(
          {
            endpoint: val.string('', { description: 'host:port of the OpenTelemetry collector (required when tracing is enabled).' }),
            meshIdentity: val.object(
              {
                serviceAccountName: val.dnsName('', { description: 'ServiceAccount of the collector, for its mesh identity.', optional: true }),
                namespace: val.dnsName('', { description: 'Namespace of the collector, for its mesh identity.', label: true, optional: true }),
              },
              { description: 'The collector\u2019s mesh identity, which the proxy verifies.' },
            ),
          },
          { description: 'Where the proxy sends traces.' },
        ),
      },
      { description: 'Distributed tracing in the proxy.' },
    ),
    inbound: tuning('inbound'),
    outbound: tuning('outbound'),
    accessLog: val.unset(Type.Unsafe<'apache' | 'json'>({ type: 'string', enum: ['apache', 'json'], description: 'Writes an HTTP access log in this format.' }), 'json'),
    additionalEnv: envList('Environment variables added to the proxy container.'),
    experimentalEnv: envList('Experimental proxy settings as environment variables (not covered by compatibility).'),
    capabilities: capabilities('proxy'),
  },
  { description: 'The Linkerd proxy, in control-plane pods and in every injected workload.' },
);

export const proxyInitValues = val.object(
  {
    iptablesMode: val.enum(['nft', 'legacy'] as const, 'nft', { description: 'Which iptables the init container programs: nft or legacy.' }),
    ignoreInboundPorts: portList('4567,4568', 'Inbound ports that bypass the proxy.'),
    ignoreOutboundPorts: portList('4567,4568', 'Outbound ports that bypass the proxy.'),
    kubeAPIServerPorts: portList('443,6443', 'Ports of the Kubernetes API server, which bypass the proxy before it is ready.'),
    skipSubnets: val.string('', { description: 'Comma-separated CIDRs whose traffic bypasses the proxy.' }),
    logLevel: val.string('', { description: 'Log level of proxy-init (empty: its default).' }),
    logFormat: val.string('', { description: 'Log format of proxy-init (empty: its default).' }),
    closeWaitTimeoutSecs: val.integer(0, { description: 'Sets the kernel\u2019s nf_conntrack_tcp_timeout_close_wait (0: unchanged).', minimum: 0 }),
    privileged: val.boolean(false, { description: 'Runs proxy-init privileged (some kernels need it for iptables).' }),
    runAsRoot: val.boolean(false, { description: 'Runs proxy-init as root (some iptables versions need it).' }),
    runAsUser: val.integer(65534, { description: 'User ID proxy-init runs as when not root.', minimum: 0 }),
    runAsGroup: val.integer(65534, { description: 'Group ID proxy-init runs as when not root.', minimum: 0 }),
    xtMountPath: val.object(
      {
        mountPath: val.string('/run', { description: 'Where the xtables lock volume is mounted.' }),
        name: val.string('linkerd-proxy-init-xtables-lock', { description: 'Name of the xtables lock volume.' }),
      },
      { description: 'The writable volume for the xtables lock.' },
    ),
    capabilities: capabilities('proxy-init container'),
  },
  { description: 'The proxy-init container, which redirects pod traffic through the proxy (not used with the CNI plugin).' },
);

/** A restricted security context as user nobody (65534). */
export const RESTRICTED_NOBODY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
  runAsGroup: 65534,
  runAsNonRoot: true,
  runAsUser: 65534,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const networkValidatorValues = val.object(
  {
    logLevel: val.string('debug', { description: 'Log level of the network validator.' }),
    logFormat: val.enum(['plain', 'json'] as const, 'plain', { description: 'Log format of the network validator.' }),
    connectAddr: val.string('', { description: 'Address the validator connects to (empty: a default that must be redirected).' }),
    listenAddr: val.string('', { description: 'Address the validator listens on (empty: the proxy\u2019s outbound port).' }),
    timeout: duration('10s', 'How long the validator waits for the redirected connection.'),
    enableSecurityContext: val.unset(Type.Boolean({ description: 'Applies securityContext to the validator (default true).' }), true),
    securityContext: val.freeform(structuredClone(RESTRICTED_NOBODY), { description: 'Security context of the validator container.' }),
  },
  { description: 'The init container that checks, in CNI mode, that the CNI plugin redirects traffic to the proxy.' },
);

export const debugContainerValues = val.object(
  { image: imageValues('cr.l5d.io/linkerd/debug', 'debug sidecar') },
  { description: 'The debug sidecar that injection can add (config.linkerd.io/enable-debug-sidecar).' },
);
