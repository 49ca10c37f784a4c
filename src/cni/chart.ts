/**
 * The linkerd2-cni chart: a DaemonSet that installs the Linkerd CNI plugin on every node, so
 * meshed pods get their traffic redirected to the proxy when their network is set up and need
 * no privileged proxy-init (the control plane's `cniEnabled: true`). Optionally a repair
 * controller restarts pods whose network validator failed.
 */
import type { Construct } from 'constructs';
import type { ChartDefinition } from '../helm/chart';
import { CNI_NAMESPACE_LABELS } from '../k8s/namespace';
import type { ConfigMap, Container, EnvVar, PodSpec, Volume } from 'kubernetes-types/core/v1';
import type { ClusterRoleBinding } from 'kubernetes-types/rbac/v1';
import { Component, K8sObject, type ObjectProps } from '../helm/object';
import { httpProbe } from '../extension/parts';
import type { HelmValues } from '../helm/values';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { resourcesOf } from '../k8s/resources';
import { cniValues, type CniValues } from './values';
import { valuesFileHeader } from '../values/model';

type Cv = HelmValues<CniValues>;

/** The label on every object of the chart. */
export const CNI_RESOURCE_LABEL = 'linkerd.io/cni-resource';
/** The name of the DaemonSet, its ServiceAccount and its RBAC. */
export const CNI_NAME = 'linkerd-cni';
const CONFIG_NAME = 'linkerd-cni-config';
const REPAIR_ADMIN_PORT = 9990;

/** What the plugin reads to configure a pod (its namespace, owner and annotations) and to name the proxy. */
export const CNI_RULES = [{ apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'services'], verbs: ['list', 'get', 'watch'] }];
/** What the repair controller adds: it deletes pods whose network validator failed and records why. */
export const REPAIR_RULES = [
  { apiGroups: [''], resources: ['pods'], verbs: ['delete'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create'] },
];

const labels = (v: Cv, extra: Record<string, string> = {}) => ({ ...v.owned({ ...extra, [CNI_RESOURCE_LABEL]: 'true' }), ...v.spreadMap(v.ref('commonLabels')) });
const meta = (v: Cv, name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace: v.release.namespace } : {}), labels: labels(v) });
const createdBy = (v: Cv) => ({ 'linkerd.io/created-by': v.orElse(v.ref('cliVersion'), v.fmt`linkerd/helm ${v.ref('image.version')}`) });

/** `"a","b"` from `a,b` (a port list as JSON strings). */
const quotedList = (v: Cv, list: string) => v.fmt`"${v.replace(list, ',', '","')}"`;

/** The CNI network configuration the install script merges into the node's: JSON text. */
function networkConfig(v: Cv): string {
  const ignoreIn = v.ref('ignoreInboundPorts');
  const ignoreOut = v.ref('ignoreOutboundPorts');
  const gid = v.ref('proxyGID');
  return v.fmt`{
  "name": "linkerd-cni",
  "type": "linkerd-cni",
  "log_level": "${v.ref('logLevel')}",
  "kubernetes": {
    "kubeconfig": "__KUBECONFIG_FILEPATH__"
  },
  "linkerd": {
    "incoming-proxy-port": ${v.ref('inboundProxyPort')},
    "outgoing-proxy-port": ${v.ref('outboundProxyPort')},
    "proxy-uid": ${v.ref('proxyUID')},
${v.ternary(v.ge(gid, 0), v.fmt`    "proxy-gid": ${gid},\n`, '')}    "ports-to-redirect": [${v.ref('portsToRedirect')}],
    "inbound-ports-to-ignore": ["${v.ref('proxyAdminPort')}","${v.ref('proxyControlPort')}"${v.ternary(v.truthy(ignoreIn), v.fmt`,${quotedList(v, ignoreIn)}`, '')}],
${v.ternary(v.truthy(ignoreOut), v.fmt`    "outbound-ports-to-ignore": [${quotedList(v, ignoreOut)}],\n`, '')}    "simulate": false,
    "use-wait-flag": ${v.ref('useWaitFlag')},
    "iptables-mode": "${v.ref('iptablesMode')}",
    "ipv6": ${v.ternary(v.truthy(v.ref('disableIPv6')), 'false', 'true')}
  }
}
`;
}

/** The plugin's ServiceAccount, what it may read (and the repair controller delete), and its ConfigMap. */
function cniRbacAndConfig(scope: Construct, v: Cv): void {
  const subjects = [{ kind: 'ServiceAccount', name: CNI_NAME, namespace: v.release.namespace }];
  new K8sObject(scope, 'service-account', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(v, CNI_NAME), imagePullSecrets: v.optional('imagePullSecrets') });
  new K8sObject(scope, 'cluster-role', {
    kind: 'ClusterRole',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: meta(v, CNI_NAME, false),
    rules: [...CNI_RULES, ...REPAIR_RULES.map((r) => v.maybe(v.truthy(v.ref('repairController.enabled')), r))],
  });
  new K8sObject<ObjectProps & ClusterRoleBinding>(scope, 'cluster-role-binding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: meta(v, CNI_NAME, false),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: CNI_NAME },
    subjects,
  });
  new K8sObject<ObjectProps & ConfigMap>(scope, 'config', {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: meta(v, CONFIG_NAME),
    data: { dest_cni_net_dir: v.ref('destCNINetDir'), dest_cni_bin_dir: v.ref('destCNIBinDir'), cni_network_config: networkConfig(v) },
  });
}

/** The plugin's image, shared by both containers. */
const cniImage = (v: Cv) => ({ image: v.fmt`${v.ref('image.name')}:${v.ref('image.version')}`, imagePullPolicy: v.ref('image.pullPolicy') });

/** The bin directory is mounted on its own only when it is not the net directory. */
const twoDirs = (v: Cv) => v.not(v.eq(v.ref('destCNIBinDir'), v.ref('destCNINetDir')));

/** The container that installs the plugin and its configuration on the node, and removes them when it stops. */
function installCniContainer(v: Cv): Container {
  const fromConfig = (name: string, key: string): EnvVar => ({ name, valueFrom: { configMapKeyRef: { name: CONFIG_NAME, key } } });
  return {
    name: 'install-cni',
    ...cniImage(v),
    env: [
      fromConfig('DEST_CNI_NET_DIR', 'dest_cni_net_dir'),
      fromConfig('DEST_CNI_BIN_DIR', 'dest_cni_bin_dir'),
      fromConfig('CNI_NETWORK_CONFIG', 'cni_network_config'),
      { name: 'SLEEP', value: 'true' },
    ],
    // Gives the install script time to remove the plugin from the node's configuration.
    lifecycle: { preStop: { exec: { command: ['/bin/sh', '-c', 'kill -15 1; sleep 15s'] } } },
    volumeMounts: [
      v.maybe(twoDirs(v), { mountPath: v.fmt`/host${v.ref('destCNIBinDir')}`, name: 'cni-bin-dir' }),
      { mountPath: v.fmt`/host${v.ref('destCNINetDir')}`, name: 'cni-net-dir' },
      { mountPath: '/tmp', name: 'linkerd-tmp-dir' },
      // The script writes the plugin's kubeconfig from this ServiceAccount token.
      KUBE_API_ACCESS_MOUNT,
    ],
    securityContext: { readOnlyRootFilesystem: true, privileged: v.ref('privileged') },
    resources: resourcesOf(v, v.ref('resources')),
  } as Container;
}

/** The repair controller: restarts pods whose network validator failed. */
function repairControllerContainer(v: Cv): Container {
  const repair = v.section('repairController');
  return {
    name: 'repair-controller',
    ...cniImage(v),
    env: [
      { name: 'LINKERD_CNI_REPAIR_CONTROLLER_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'LINKERD_CNI_REPAIR_CONTROLLER_POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    ],
    command: ['/usr/lib/linkerd/linkerd-cni-repair-controller'],
    args: ['--admin-addr', v.fmt`${v.ternary(v.truthy(v.ref('disableIPv6')), '0.0.0.0', '[::]')}:${REPAIR_ADMIN_PORT}`, '--log-format', repair.logFormat, '--log-level', repair.logLevel],
    livenessProbe: httpProbe('/live', 'repair-admin'),
    readinessProbe: { failureThreshold: 7, ...httpProbe('/ready', 'repair-admin', { initialDelaySeconds: 10 }) },
    ports: [{ containerPort: REPAIR_ADMIN_PORT, name: 'repair-admin' }],
    securityContext: v.maybe(v.truthy(v.ref('repairController.enableSecurityContext')), {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'RuntimeDefault' },
    }),
    resources: resourcesOf(v, repair.resources),
    volumeMounts: [KUBE_API_ACCESS_MOUNT],
  } as Container;
}

/** The node's CNI directories, scratch space and the ServiceAccount token. */
function cniVolumes(v: Cv): (Volume | undefined)[] {
  return [
    v.maybe(twoDirs(v), { name: 'cni-bin-dir', hostPath: { path: v.ref('destCNIBinDir') } }),
    { name: 'cni-net-dir', hostPath: { path: v.ref('destCNINetDir') } },
    { name: 'linkerd-tmp-dir', emptyDir: {} },
    KUBE_API_ACCESS_VOLUME,
  ];
}

/** The plugin's pod: on every Linux node, never meshed, the repair controller when enabled. */
function cniPodSpec(v: Cv): PodSpec {
  const tolerations = v.ref('tolerations');
  const nodeAffinity = v.ref('nodeAffinity');
  return {
    tolerations: v.maybe(v.truthy(tolerations), tolerations),
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    affinity: v.maybe(v.truthy(nodeAffinity), { nodeAffinity }),
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    serviceAccountName: CNI_NAME,
    automountServiceAccountToken: false,
    priorityClassName: v.optional('priorityClassName'),
    initContainers: v.maybe(v.truthy(v.ref('extraInitContainers')), v.ref('extraInitContainers')),
    containers: [installCniContainer(v), v.maybe(v.truthy(v.ref('repairController.enabled')), repairControllerContainer(v))],
    volumes: cniVolumes(v),
  } as PodSpec;
}

class CniPlugin extends Component {
  constructor(scope: Construct, id: string, v: Cv) {
    super(scope, id, 'cni-plugin.yaml');
    cniRbacAndConfig(this, v);
    new K8sObject(this, 'daemonset', {
      kind: 'DaemonSet',
      apiVersion: 'apps/v1',
      metadata: { name: CNI_NAME, namespace: v.release.namespace, labels: labels(v, { 'k8s-app': CNI_NAME }), annotations: createdBy(v) },
      spec: {
        revisionHistoryLimit: v.ref('revisionHistoryLimit'),
        selector: { matchLabels: { 'k8s-app': CNI_NAME } },
        updateStrategy: v.ref('updateStrategy'),
        template: {
          metadata: {
            labels: { ...v.owned({ 'k8s-app': CNI_NAME, [CNI_RESOURCE_LABEL]: 'true' }), ...v.spreadMap(v.ref('podLabels')) },
            annotations: { ...createdBy(v), 'linkerd.io/inject': 'disabled' },
          },
          spec: cniPodSpec(v),
        },
      },
    });
  }
}

export const linkerd2CniChart: ChartDefinition<typeof cniValues> = {
  name: 'linkerd2-cni',
  description: 'The Linkerd CNI plugin: a DaemonSet that sets up each meshed pod\u2019s traffic redirect when its network is created, so no pod needs the privileged proxy-init (control plane cniEnabled: true).',
  keywords: ['service-mesh', 'linkerd', 'cni'],
  values: cniValues,
  valuesHeader: valuesFileHeader('linkerd2-cni', 'src/cni/values.ts'),
  readme: [
    '## Install',
    '',
    'Install the plugin before a control plane with `cniEnabled: true`, in a namespace that allows',
    'privileged pods (the plugin writes to the nodes\u2019 CNI directories through hostPath volumes):',
    '',
    '```sh',
    'kubectl create namespace linkerd-cni',
    'kubectl label namespace linkerd-cni pod-security.kubernetes.io/enforce=privileged config.linkerd.io/admission-webhooks=disabled',
    'helm install linkerd2-cni charts/linkerd2-cni -n linkerd-cni --wait',
    'helm install linkerd-control-plane charts/linkerd-control-plane -n linkerd --set cniEnabled=true ...',
    '```',
    '',
    'The redirect settings must agree with the control plane\u2019s proxy: `inboundProxyPort`,',
    '`outboundProxyPort`, `proxyAdminPort`, `proxyControlPort`, `proxyUID` and `proxyGID` are the',
    'control plane\u2019s `proxy.ports.*`, `proxy.uid` and `proxy.gid` (the defaults agree).',
  ].join('\n'),
  notes: (v) => [
    'The Linkerd CNI plugin is installed in the ',
    v.release.namespace,
    ' namespace, on every node its DaemonSet runs on.\n\nInstall (or upgrade) the control plane with cniEnabled: true, so meshed pods get the network validator instead of proxy-init.\n',
  ],
  namespace: () => ({ labels: CNI_NAMESPACE_LABELS }),
  build(chart, v) {
    new CniPlugin(chart, 'cni-plugin', v);
  },
};
