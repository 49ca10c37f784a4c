/**
 * The linkerd-multicluster components: the gateway (Deployment, Service, policy), the local
 * service mirror, the RBAC that linked clusters' service mirrors use to read this one, the
 * policy on the admin ports, and the Link CRD.
 */
import type { Construct } from 'constructs';
import type { Container } from 'kubernetes-types/core/v1';
import { crdName } from '../crds/definition';
import { linkCrd } from '../crds/link';
import { crdBody } from '../crds/manifest';
import { createdBy, extensionLabels, restrictedContainer } from '../extension/metadata';
import { authorizationPolicy, server } from '../extension/policy';
import { binding, clusterRole } from '../extension/rbac';
import { Component, K8sObject } from '../helm/object';
import type { HelmValues } from '../helm/values';
import { KUBE_API_ACCESS_MOUNT, podAntiAffinity } from '../k8s/pod';
import { linkMirrorContainer, mirrorDeployment, mirrorEnv, mirrorLinkRbac, mirrorServiceAccount, serviceMirrorLocalRules } from './pod';
import type { MulticlusterValues } from './values';

type Mv = HelmValues<MulticlusterValues>;
const READ = ['list', 'get', 'watch'];
/** The ClusterRole every service mirror controller is bound to. */
const CONTROLLER_ACCESS = 'linkerd-multicluster-controller-access-local-resources';
const POD_SECURITY = { seccompProfile: { type: 'RuntimeDefault' } };
const VIZ_PROMETHEUS = [{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'linkerd-viz' }];

/** `affinity` from enablePodAntiAffinity (on `label: component`) and nodeAffinity (the chart's, or a controller's). */
function affinity(v: Mv, label: string, component: string, antiAffinity: boolean = v.truthy(v.ref('enablePodAntiAffinity')), nodeAffinity: unknown = v.ref('nodeAffinity')) {
  return v.maybe(v.or(antiAffinity, v.truthy(nodeAffinity)), {
    ...v.fields(antiAffinity, podAntiAffinity(label, component)),
    nodeAffinity: v.maybe(v.truthy(nodeAffinity), nodeAffinity),
  });
}

function pdb(scope: Construct, v: Mv, name: string, labels: Record<string, string>, selector: Record<string, string>, when: boolean = v.truthy(v.ref('enablePodAntiAffinity'))) {
  v.when(when, () => {
    new K8sObject(scope, 'pdb', {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: { name, namespace: v.release.namespace, labels, annotations: createdBy(v) },
      spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
    });
  });
}


/** The gateway's pod template: a pause container behind the proxy, which takes the linked clusters' traffic. */
function gatewayPodTemplate(v: Mv) {
  const g = v.section('gateway');
  const name = g.name;
  return {
    metadata: {
      annotations: {
        ...createdBy(v),
        'linkerd.io/inject': 'enabled',
        'config.linkerd.io/proxy-require-identity-inbound-ports': v.fmt`${g.port}`,
        'config.linkerd.io/enable-gateway': 'true',
        'config.linkerd.io/default-inbound-policy': 'all-authenticated',
        'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
        ...v.spreadMap(g.deploymentAnnotations),
      },
      labels: { ...v.owned({ app: name, 'linkerd.io/extension': 'multicluster' }), ...v.spreadMap(v.ref('podLabels')) },
    },
    spec: {
      affinity: affinity(v, 'app', name),
      terminationGracePeriodSeconds: v.maybe(v.truthy(g.terminationGracePeriodSeconds), g.terminationGracePeriodSeconds),
      automountServiceAccountToken: false,
      containers: [{ name: 'pause', image: g.pauseImage, securityContext: restrictedContainer(g.UID, g.GID) }],
      securityContext: POD_SECURITY,
      serviceAccountName: name,
      nodeSelector: v.maybe(v.truthy(g.nodeSelector), g.nodeSelector),
      tolerations: v.maybe(v.truthy(g.tolerations), g.tolerations),
    },
  };
}

/** The gateway's Deployment. */
function gatewayDeployment(scope: Construct, v: Mv): void {
  const g = v.section('gateway');
  const name = g.name;
  new K8sObject(scope, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: createdBy(v),
      labels: extensionLabels(v, 'gateway', {
        extra: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion'), app: name },
      }),
      name,
      namespace: v.release.namespace,
    },
    spec: {
      replicas: g.replicas,
      revisionHistoryLimit: v.ref('revisionHistoryLimit'),
      selector: { matchLabels: { app: name } },
      strategy: v.maybe(v.truthy(v.ref('enablePodAntiAffinity')), { rollingUpdate: { maxUnavailable: 1 } }),
      template: gatewayPodTemplate(v),
    },
  });
}

/** The gateway's Service: what linked clusters' service mirrors read (its identity, probe) and send traffic to. */
function gatewayService(scope: Construct, v: Mv): void {
  const ns = v.release.namespace;
  const g = v.section('gateway');
  const name = g.name;
  const nodePorts = v.or(v.eq(g.serviceType, 'NodePort'), v.eq(g.serviceType, 'LoadBalancer'));
  const nodePort = (value: number | undefined) => v.maybe(v.and(nodePorts, v.truthy(value)), value);
  new K8sObject(scope, 'service', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: ns,
      labels: extensionLabels(v),
      annotations: {
        'mirror.linkerd.io/gateway-identity': v.fmt`${name}.${ns}.serviceaccount.identity.${v.ref('linkerdNamespace')}.${v.ref('identityTrustDomain')}`,
        'mirror.linkerd.io/probe-period': v.fmt`${g.probe.seconds}`,
        'mirror.linkerd.io/probe-path': g.probe.path,
        'mirror.linkerd.io/multicluster-gateway': 'true',
        component: 'gateway',
        ...createdBy(v),
        ...v.spreadMap(g.serviceAnnotations),
      },
    },
    spec: {
      ports: [
        { name: 'mc-gateway', port: g.port, protocol: 'TCP', nodePort: nodePort(g.nodePort) },
        { name: 'mc-probe', port: g.probe.port, protocol: 'TCP', nodePort: nodePort(g.probe.nodePort) },
      ],
      selector: { app: name },
      type: g.serviceType,
      externalTrafficPolicy: v.maybe(v.truthy(g.serviceExternalTrafficPolicy), g.serviceExternalTrafficPolicy),
      healthCheckNodePort: nodePort(g.healthCheckNodePort),
      loadBalancerClass: v.maybe(v.truthy(g.loadBalancerClass), g.loadBalancerClass),
      loadBalancerIP: v.maybe(v.truthy(g.loadBalancerIP), g.loadBalancerIP),
      loadBalancerSourceRanges: v.maybe(v.truthy(g.loadBalancerSourceRanges), g.loadBalancerSourceRanges),
    },
  });
}

export class Gateway extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, 'gateway.yaml');
    const name = v.ref('gateway.name');
    v.when('gateway.enabled', () => {
      gatewayDeployment(this, v);
      pdb(this, v, name, extensionLabels(v, undefined, { extra: { app: name } }), { app: name });
      gatewayService(this, v);
      mirrorServiceAccount(this, v, name, extensionLabels(v));
    });
  }
}

export class GatewayPolicy extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, 'gateway-policy.yaml');
    const ns = v.release.namespace;
    const name = v.ref('gateway.name');
    const meta = (objectName: string) => ({ namespace: ns, name: objectName, labels: extensionLabels(v, undefined, { extra: { app: name } }), annotations: createdBy(v) });
    v.when('gateway.enabled', () => {
      new K8sObject(this, 'server', { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: meta('linkerd-gateway'), spec: { podSelector: { matchLabels: { app: name } }, port: 'linkerd-proxy' } });
      new K8sObject(this, 'authorization-policy', {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'AuthorizationPolicy',
        metadata: meta('linkerd-gateway'),
        spec: {
          targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'linkerd-gateway' },
          requiredAuthenticationRefs: [
            { group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'any-meshed', namespace: ns },
            { group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'source-cluster', namespace: ns },
          ],
        },
      });
      new K8sObject(this, 'meshtls', { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'MeshTLSAuthentication', metadata: meta('any-meshed'), spec: { identities: ['*'] } });
      // Source clusters' addresses cannot be known here (and some providers show the node's address): any network.
      new K8sObject(this, 'network', {
        apiVersion: 'policy.linkerd.io/v1alpha1',
        kind: 'NetworkAuthentication',
        metadata: meta('source-cluster'),
        spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
      });
    });
  }
}

const LOCAL_MIRROR = 'linkerd-local-service-mirror';

/** What the local service mirror may do: mirror federated services here, lead by lease, read Links and write their status. */
function localMirrorRbac(scope: Construct, v: Mv): void {
  const role = 'linkerd-local-service-mirror-access-local-resources';
  clusterRole(scope, v, 'local', role, 'local-service-mirror', [
    { apiGroups: [''], resources: ['endpoints', 'services'], verbs: [...READ, 'create', 'delete', 'update'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: READ },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update', 'patch'] },
    { apiGroups: ['multicluster.linkerd.io'], resources: ['links'], verbs: READ },
    { apiGroups: ['multicluster.linkerd.io'], resources: ['links/status'], verbs: ['update'] },
  ]);
  binding(scope, v, { id: 'local', kind: 'ClusterRoleBinding', name: role, component: 'local-service-mirror', role: { kind: 'ClusterRole', name: role }, serviceAccounts: [LOCAL_MIRROR] });
}

/** The local service mirror's container. */
function localMirrorContainer(v: Mv): Container {
  const c = v.section('localServiceMirror');
  return {
    args: [
      'service-mirror',
      v.fmt`-log-level=${c.logLevel}`,
      v.fmt`-log-format=${c.logFormat}`,
      v.fmt`-event-requeue-limit=${c.serviceMirrorRetryLimit}`,
      v.fmt`-namespace=${v.release.namespace}`,
      v.fmt`-enable-pprof=${c.enablePprof}`,
      '-local-mirror',
      v.fmt`-federated-service-selector=${c.federatedServiceSelector}`,
      v.fmt`-excluded-labels=${c.excludedLabels}`,
      v.fmt`-excluded-annotations=${c.excludedAnnotations}`,
    ],
    env: mirrorEnv(v, c.additionalEnv, c.experimentalEnv),
    image: v.fmt`${c.image.name}:${c.image.version}`,
    name: 'service-mirror',
    securityContext: restrictedContainer(c.UID, c.GID),
    volumeMounts: [KUBE_API_ACCESS_MOUNT],
    ports: [{ containerPort: 9999, name: 'locsm-admin' }],
    resources: v.maybe(v.truthy(c.resources), c.resources),
  } as Container;
}

export class LocalServiceMirror extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, 'local-service-mirror.yaml');
    localMirrorRbac(this, v);
    const labels = extensionLabels(v, 'local-service-mirror');
    mirrorServiceAccount(this, v, LOCAL_MIRROR, labels);
    const nodeAffinity = v.ref('nodeAffinity');
    mirrorDeployment(this, v, {
      name: LOCAL_MIRROR,
      labels,
      replicas: v.ref('localServiceMirror.replicas'),
      selector: { component: 'local-service-mirror' },
      antiAffinity: v.truthy(v.ref('enablePodAntiAffinity')),
      // Upstream applies nodeAffinity here only together with enablePodAntiAffinity.
      affinity: v.maybe(v.truthy(v.ref('enablePodAntiAffinity')), {
        ...podAntiAffinity('component', 'local-service-mirror'),
        nodeAffinity: v.maybe(v.truthy(nodeAffinity), nodeAffinity),
      }),
      container: localMirrorContainer(v),
      nodeSelector: v.ref('nodeSelector'),
      tolerations: v.ref('tolerations'),
    });
    pdb(this, v, LOCAL_MIRROR, { component: 'local-service-mirror' }, { component: 'local-service-mirror' });
  }
}

export class ControllerAccess extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, 'controller-clusterrole.yaml');
    const labels = extensionLabels(v, 'controller');
    new K8sObject(this, 'cluster-role', {
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: CONTROLLER_ACCESS, labels },
      rules: serviceMirrorLocalRules(v, v.truthy(v.ref('enableNamespaceCreation'))),
    });
  }
}

type ControllerDefaults = ReturnType<typeof controllerDefaults>;
/** One entry of `controllers`. */
type ControllerEntry = MulticlusterValues['controllers'][number];
const controllerDefaults = (v: Mv) => v.section('controllerDefaults');

/** A `controllers` entry's service mirror container: each setting the entry's, else controllerDefaults'. */
function controllerContainer(v: Mv, c: unknown, d: ControllerDefaults, link: string): Container {
  return linkMirrorContainer(v, {
    container: 'controller',
    adminPort: 'ctrl-admin',
    link,
    probePrefix: 'probe-',
    image: v.fmt`${v.dig(c, ['image', 'name'], d.image.name)}:${v.dig(c, ['image', 'version'], d.image.version)}`,
    logLevel: v.dig(c, ['logLevel'], d.logLevel),
    logFormat: v.dig(c, ['logFormat'], d.logFormat),
    retryLimit: v.dig(c, ['retryLimit'], d.retryLimit),
    headlessServices: v.dig(c, ['enableHeadlessServices'], d.enableHeadlessServices),
    namespaceCreation: v.truthy(v.ref('enableNamespaceCreation')),
    pprof: v.dig(c, ['enablePprof'], d.enablePprof),
    uid: v.dig(c, ['UID'], d.UID),
    gid: v.dig(c, ['GID'], d.GID),
    additionalEnv: v.ref('serviceMirrorAdditionalEnv'),
    experimentalEnv: v.ref('serviceMirrorExperimentalEnv'),
    resources: v.dig(c, ['resources'], d.resources),
  });
}

/** The probe Service of a linked cluster's gateway, when the entry goes through one. */
function controllerProbeService(scope: Construct, v: Mv, c: unknown, d: ControllerDefaults, link: string): void {
  v.when(v.dig(c, ['gateway', 'enabled'], d.gateway.enabled), () => {
    new K8sObject(scope, 'probe', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: v.fmt`probe-${link}`,
        namespace: v.release.namespace,
        annotations: createdBy(v),
        labels: extensionLabels(v, undefined, { extra: { 'mirror.linkerd.io/mirrored-gateway': 'true', 'mirror.linkerd.io/cluster-name': link } }),
      },
      spec: { ports: [{ name: 'mc-probe', port: v.dig(c, ['gateway', 'probe', 'port'], d.gateway.probe.port), protocol: 'TCP' }] },
    });
  });
}

/** One `controllers` entry: its ServiceAccount and RBAC, Deployment, PodDisruptionBudget and gateway probe Service. */
function controller(scope: Construct, v: Mv, c: ControllerEntry): void {
  const d = controllerDefaults(v);
  const link = v.get(v.get(v.get(c, 'link'), 'ref'), 'name', 'string') as string;
  const name = v.fmt`controller-${link}`;
  const labels = extensionLabels(v, 'controller', { extra: { 'mirror.linkerd.io/cluster-name': link } });
  const selector = { component: 'controller', 'mirror.linkerd.io/cluster-name': link };
  const antiAffinity = v.dig(c, ['enablePodAntiAffinity'], d.enablePodAntiAffinity);
  mirrorServiceAccount(scope, v, name, labels);
  mirrorLinkRbac(scope, v, { name, access: v.fmt`linkerd-multicluster-controller-access-local-resources-${link}`, clusterRole: CONTROLLER_ACCESS, creds: v.fmt`controller-read-remote-creds-${link}`, link, labels });
  mirrorDeployment(scope, v, {
    name,
    labels,
    replicas: v.dig(c, ['replicas'], d.replicas),
    selector,
    antiAffinity,
    affinity: affinity(v, 'mirror.linkerd.io/cluster-name', link, antiAffinity, v.dig(c, ['nodeAffinity'], d.nodeAffinity)),
    container: controllerContainer(v, c, d, link),
    nodeSelector: v.dig(c, ['nodeSelector'], d.nodeSelector),
    tolerations: v.dig(c, ['tolerations'], d.tolerations),
  });
  // As upstream: the PodDisruptionBudget falls back to the chart's enablePodAntiAffinity, not controllerDefaults'.
  pdb(scope, v, name, { component: 'controller' }, selector, v.dig(c, ['enablePodAntiAffinity'], v.ref('enablePodAntiAffinity')));
  controllerProbeService(scope, v, c, d, link);
}

/**
 * One service mirror controller per entry of `controllers` (a Link in this cluster): its
 * ServiceAccount and RBAC, Deployment, PodDisruptionBudget and the probe Service of the target
 * gateway. What an entry leaves out comes from controllerDefaults (upstream's `dig`).
 */
export class Controllers extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, 'controllers.yaml');
    v.each('controllers', this, (scope, c) => controller(scope, v, c));
  }
}

/** What a linked cluster's service mirror reads in this cluster, through the remote-access ServiceAccount. */
export const REMOTE_ACCESS_RULES = [
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: READ },
  { apiGroups: [''], resources: ['pods', 'endpoints', 'services'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['policy.linkerd.io'], resources: ['servers'], verbs: READ },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
];

export class RemoteAccess extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, 'remote-access-service-mirror-rbac.yaml');
    const ns = v.release.namespace;
    const name = v.ref('remoteMirrorServiceAccountName');
    v.when('remoteMirrorServiceAccount', () => {
      const metadata = { labels: extensionLabels(v), annotations: createdBy(v) };
      new K8sObject(this, 'cluster-role', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, ...metadata }, rules: REMOTE_ACCESS_RULES });
      new K8sObject(this, 'service-account', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns, ...metadata }, imagePullSecrets: v.optional('imagePullSecrets') });
      new K8sObject(this, 'token', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: v.fmt`${name}-token`, namespace: ns, labels: extensionLabels(v), annotations: { 'kubernetes.io/service-account.name': name, ...createdBy(v) } },
        type: 'kubernetes.io/service-account-token',
      });
      new K8sObject(this, 'binding', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name, ...metadata },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      });
    });
  }
}

export class AdminPolicy extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, 'service-mirror-policy.yaml');
    const pair = (name: string, component: string | undefined, selector: Record<string, string>, port: string) => {
      server(this, v, { name, component, podSelector: { 'linkerd.io/extension': 'multicluster', ...selector }, port, proxyProtocol: 'HTTP/1' });
      authorizationPolicy(this, v, { name, component, server: name, authentications: VIZ_PROMETHEUS });
    };
    pair('linkerd-admin', undefined, {}, 'linkerd-admin');
    pair('service-mirror', 'linkerd-service-mirror', { component: 'linkerd-service-mirror' }, 'svcmi-admin');
    pair('controller', 'controller', { component: 'controller' }, 'ctrl-admin');
    pair('local-service-mirror', 'local-service-mirror', { component: 'local-service-mirror' }, 'locsm-admin');
  }
}

export class LinkCrd extends Component {
  constructor(scope: Construct, id: string, v: Mv) {
    super(scope, id, linkCrd.file);
    const body = crdBody(linkCrd);
    new K8sObject(this, 'crd', { ...body, metadata: { name: crdName(linkCrd), labels: extensionLabels(v), annotations: createdBy(v) } });
  }
}

