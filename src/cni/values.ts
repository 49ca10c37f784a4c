/**
 * Values of the linkerd2-cni chart: every key of upstream's charts/linkerd2-cni (edge-26.8.3)
 * with its default and meaning, typed and validated. The CNI plugin redirects each meshed
 * pod's traffic when the pod's network is set up, so the pods need no privileged proxy-init;
 * the plugin's redirect settings (ports, proxy UID/GID) must agree with the control plane's.
 */
import { Type } from '@sinclair/typebox';
import { portList, resourcesValues } from '../proxy/values';
import { val } from '../values/model';

const port = (defaultValue: number, description: string) => val.integer(defaultValue, { description, minimum: 1, maximum: 65535 });

/** An absolute directory on the node (also written into JSON and a mount path: no quotes, backslashes or spaces). */
const hostDir = (defaultValue: string, description: string) => val.string(defaultValue, { description, pattern: '^/[^"\\\\\\s]*$' });

/** A count or a percentage of nodes (apps/v1 RollingUpdateDaemonSet). */
const countOrPercent = (description: string) => Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+%$' })], { description }));

/** How the DaemonSet replaces its pods (apps/v1 DaemonSetUpdateStrategy). */
const updateStrategy = val.object(
  {
    type: val.enum(['RollingUpdate', 'OnDelete'] as const, 'RollingUpdate', { description: 'RollingUpdate: node by node; OnDelete: a pod is replaced only when it is deleted.' }),
    rollingUpdate: val.nullable(
      Type.Object(
        {
          maxUnavailable: countOrPercent('Nodes (or percentage) whose CNI pod may be unavailable during a rolling update.'),
          maxSurge: countOrPercent('Nodes (or percentage) that may run an old and a new CNI pod at once during a rolling update.'),
        },
        { additionalProperties: false },
      ),
      { maxUnavailable: 1 },
      { description: 'The rolling update (only with type RollingUpdate; null for OnDelete).' },
    ),
  },
  { description: 'How the DaemonSet replaces its pods.' },
);

export const cniValues = val.object(
  {
    inboundProxyPort: port(4143, 'Port where the proxy takes inbound connections (the control plane\u2019s proxy.ports.inbound).'),
    outboundProxyPort: port(4140, 'Port where the proxy takes outbound connections (the control plane\u2019s proxy.ports.outbound).'),
    ignoreInboundPorts: portList('', 'Inbound ports (and ranges, `4000-4100`) that bypass the proxy on every meshed pod, besides the proxy\u2019s admin and control ports.'),
    ignoreOutboundPorts: portList('', 'Outbound ports (and ranges) that bypass the proxy on every meshed pod.'),
    proxyAdminPort: port(4191, 'The proxy\u2019s admin port (never redirected).'),
    proxyControlPort: port(4190, 'The proxy\u2019s control port (never redirected).'),
    podLabels: val.labels({}, { description: 'Labels added to the CNI pods.' }),
    commonLabels: val.labels({}, { description: 'Labels added to every object of the chart.' }),
    logLevel: val.enum(['panic', 'fatal', 'error', 'warn', 'warning', 'info', 'debug', 'trace'] as const, 'info', { description: 'Log level of the CNI plugin.' }),
    portsToRedirect: val.string('', { description: 'Only these inbound ports are redirected to the proxy, comma-separated (empty: all ports).', pattern: '^$|^[0-9]+(,[0-9]+)*$' }),
    proxyUID: val.integer(2102, { description: 'User ID the proxy runs as (its traffic is not redirected); the control plane\u2019s proxy.uid.', minimum: 0 }),
    proxyGID: val.integer(-1, { description: 'Group ID the proxy runs as (its traffic is not redirected); the control plane\u2019s proxy.gid. Below 0: not used.', minimum: -1 }),
    destCNINetDir: hostDir('/etc/cni/net.d', 'Directory on the node where the CNI network configuration is.'),
    destCNIBinDir: hostDir('/opt/cni/bin', 'Directory on the node where the CNI plugin binaries are.'),
    useWaitFlag: val.boolean(false, { description: 'Runs iptables with `-w` (waits for the xtables lock).' }),
    iptablesMode: val.enum(['nft', 'legacy', 'plain'] as const, 'nft', {
      description: 'Which iptables the plugin runs: nft (`iptables-nft`), legacy (`iptables-legacy`) or plain (`iptables`, e.g. RHEL\u2019s nftables-based one).',
    }),
    disableIPv6: val.boolean(true, { description: 'Sets up IPv4 rules only (false: IPv6 rules too).' }),
    priorityClassName: val.string('', { description: 'PriorityClass of the CNI pods (empty: none).' }),
    revisionHistoryLimit: val.integer(10, { description: 'Old revisions of the DaemonSet kept for rollback.', minimum: 0 }),
    updateStrategy,
    enablePSP: Type.Literal(false, { default: false, description: 'Upstream\u2019s PodSecurityPolicy switch; PodSecurityPolicy is gone since Kubernetes 1.25, so only false is accepted.' }),
    privileged: val.boolean(false, { description: 'Runs the install-cni container privileged (some platforms need it to write the node\u2019s CNI directories).' }),
    tolerations: val.nullable(Type.Array(Type.Unknown()), [{ operator: 'Exists' }], { description: 'Tolerations of the CNI pods (default: every taint, so every node gets the plugin).' }),
    nodeAffinity: val.unset(Type.Object({}, { additionalProperties: true, description: 'Node affinity of the CNI pods.' }), { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } }),
    image: val.object(
      {
        name: val.imageRepository('cr.l5d.io/linkerd/cni-plugin', { description: 'Image of the CNI plugin (with its registry).' }),
        version: val.imageTag('v1.7.0-alpha.1', { description: 'Tag of the CNI plugin image.' }),
        pullPolicy: val.enum(['Always', 'IfNotPresent', 'Never'] as const, 'IfNotPresent', { description: 'Pull policy of the CNI plugin image.' }),
      },
      { description: 'The CNI plugin image (install-cni and repair-controller).' },
    ),
    imagePullSecrets: val.freeform<unknown[]>([], { type: 'array', description: 'Image pull secrets of the ServiceAccount.' }),
    extraInitContainers: val.freeform<unknown[]>([], { type: 'array', description: 'Init containers added to the CNI pods.' }),
    cliVersion: val.string('', { description: 'The whole linkerd.io/created-by annotation, as the linkerd CLI sets it; empty: `linkerd/helm <image.version>`.' }),
    repairController: val.object(
      {
        enabled: val.boolean(false, { description: 'Runs the repair controller: it deletes meshed pods whose network validator failed (a race with the cluster\u2019s own CNI plugin), so they start again.' }),
        logLevel: val.string('info', { description: 'Log filter of the repair controller (a level or target=level directives).', pattern: '^[A-Za-z0-9_:=,.\\-]+$' }),
        logFormat: val.enum(['plain', 'json'] as const, 'plain', { description: 'Log format of the repair controller.' }),
        enableSecurityContext: val.boolean(true, { description: 'Gives the repair-controller container its restricted securityContext.' }),
        resources: resourcesValues('repair-controller container'),
      },
      { description: 'The repair controller, a second container of the CNI pods.' },
    ),
    resources: resourcesValues('install-cni container'),
  },
  { description: 'Values of the linkerd2-cni chart.' },
);

/** The chart's values, generated from the schema above with each key's description and default (npm run synth). */
export type { CniValues } from './values.generated';
