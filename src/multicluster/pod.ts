/** What the service mirrors (the local one, each link's, each controller's) have in common: pod metadata and RBAC rules. */
import type { Construct } from 'constructs';
import type { Container } from 'kubernetes-types/core/v1';
import { restrictedContainer } from '../extension/metadata';
import { K8sObject } from '../helm/object';
import type { HelmValues } from '../helm/values';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';

const READ = ['list', 'get', 'watch'];

/**
 * What a service mirror for a linked cluster may do cluster-wide here: write the mirror Services
 * and their Endpoints, read namespaces, and create them when `namespaceCreation` holds.
 */
export function serviceMirrorLocalRules<V>(v: HelmValues<V>, namespaceCreation: boolean) {
  return [
    { apiGroups: [''], resources: ['endpoints', 'services'], verbs: [...READ, 'create', 'delete', 'update'] },
    { apiGroups: [''], resources: ['namespaces'], verbs: READ },
    v.maybe(namespaceCreation, { apiGroups: [''], resources: ['namespaces'], verbs: ['create'] }),
  ];
}

/** What it reads in its own namespace: its link's credentials Secret, the Links (writing their status), its lease. */
export function serviceMirrorLinkRules<V>(v: HelmValues<V>, link: string) {
  return [
    { apiGroups: [''], resources: ['secrets'], resourceNames: [v.fmt`cluster-credentials-${link}`], verbs: READ },
    { apiGroups: ['multicluster.linkerd.io'], resources: ['links'], verbs: READ },
    { apiGroups: ['multicluster.linkerd.io'], resources: ['links/status'], verbs: ['update', 'patch'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update', 'patch'] },
  ];
}

/**
 * The pod metadata of a service mirror: meshed, evictable, its proxy stopping with it, then the
 * user's pod annotations; `linkerd.io/extension` and the selector labels, then the user's pod labels.
 */
export function serviceMirrorPodMetadata<V>(v: HelmValues<V>, selector: Record<string, string>, user: { annotations: Record<string, string>; labels: Record<string, string> }) {
  return {
    annotations: {
      'linkerd.io/inject': 'enabled',
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
      'config.alpha.linkerd.io/proxy-wait-before-exit-seconds': '0',
      ...v.spreadMap(user.annotations),
    },
    labels: { ...v.owned({ 'linkerd.io/extension': 'multicluster', ...selector }), ...v.spreadMap(user.labels) },
  };
}

/** A service mirror's env: the additional and the experimental variables, left out when there are none. */
export function mirrorEnv<V>(v: HelmValues<V>, additional: unknown[] | undefined, experimental: unknown[] | undefined) {
  return v.maybe(v.or(v.truthy(additional), v.truthy(experimental)), [...v.splice(additional), ...v.splice(experimental)]);
}

/** The settings of one link's service mirror container, wherever they are read from (a link chart's values, a controllers entry). */
export interface LinkMirrorSettings {
  /** The container's name and its admin port's name. */
  container: string;
  adminPort: string;
  /** The Link (and target cluster) it mirrors; its gateway's probe Service is `<probePrefix><link>`. */
  link: string;
  probePrefix: string;
  image: string;
  logLevel: string;
  logFormat: string;
  retryLimit: number;
  headlessServices: boolean;
  namespaceCreation: boolean;
  pprof: boolean;
  uid: number;
  gid: number;
  additionalEnv: unknown[] | undefined;
  experimentalEnv: unknown[] | undefined;
  resources: Record<string, unknown> | undefined;
}

/** The container of a service mirror for one Link (upstream's `service-mirror <link>` command). */
export function linkMirrorContainer<V>(v: HelmValues<V>, s: LinkMirrorSettings): Container {
  return {
    args: [
      'service-mirror',
      v.fmt`-log-level=${s.logLevel}`,
      v.fmt`-log-format=${s.logFormat}`,
      v.fmt`-event-requeue-limit=${s.retryLimit}`,
      v.fmt`-namespace=${v.release.namespace}`,
      v.maybe(s.headlessServices, '-enable-headless-services'),
      v.maybe(s.namespaceCreation, '-enable-namespace-creation'),
      v.fmt`-enable-pprof=${s.pprof}`,
      v.fmt`-probe-service=${s.probePrefix}${s.link}`,
      s.link,
    ],
    env: mirrorEnv(v, s.additionalEnv, s.experimentalEnv),
    image: s.image,
    name: s.container,
    securityContext: restrictedContainer(s.uid, s.gid),
    volumeMounts: [KUBE_API_ACCESS_MOUNT],
    ports: [{ containerPort: 9999, name: s.adminPort }],
    resources: v.maybe(v.truthy(s.resources), s.resources),
  } as Container;
}

/** The keys of both multicluster charts' values that the service mirrors' objects read. */
interface MirrorValues {
  revisionHistoryLimit: number;
  podAnnotations: Record<string, string>;
  podLabels: Record<string, string>;
  imagePullSecrets: unknown[];
}

/** What differs between the service mirrors' Deployments (the local one, each link's, each controller's). */
export interface MirrorDeployment {
  name: string;
  labels: Record<string, string>;
  replicas: number;
  /** The selector labels, also on the pods. */
  selector: Record<string, string>;
  /** `maxUnavailable: 1` rollouts when it holds. */
  antiAffinity: boolean;
  affinity: unknown;
  container: Container;
  nodeSelector: unknown;
  tolerations: unknown;
}

/** A service mirror's Deployment: meshed pods with one container, the ServiceAccount token mounted by hand. */
export function mirrorDeployment<V>(scope: Construct, values: HelmValues<V>, o: MirrorDeployment): K8sObject {
  const v = values.sharedAs<MirrorValues>();
  return new K8sObject(scope, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { labels: o.labels, name: o.name, namespace: v.release.namespace },
    spec: {
      replicas: o.replicas,
      revisionHistoryLimit: v.ref('revisionHistoryLimit'),
      selector: { matchLabels: o.selector },
      strategy: v.maybe(o.antiAffinity, { rollingUpdate: { maxUnavailable: 1 } }),
      template: {
        metadata: serviceMirrorPodMetadata(v, o.selector, { annotations: v.ref('podAnnotations'), labels: v.ref('podLabels') }),
        spec: {
          affinity: o.affinity,
          automountServiceAccountToken: false,
          containers: [o.container],
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          serviceAccountName: o.name,
          volumes: [KUBE_API_ACCESS_VOLUME],
          nodeSelector: v.maybe(v.truthy(o.nodeSelector), o.nodeSelector),
          tolerations: v.maybe(v.truthy(o.tolerations), o.tolerations),
        },
      },
    },
  });
}

/** A service mirror's ServiceAccount (with the image pull secrets). */
export function mirrorServiceAccount<V>(scope: Construct, values: HelmValues<V>, name: string, labels: Record<string, string>): K8sObject {
  const v = values.sharedAs<MirrorValues>();
  return new K8sObject(scope, 'service-account', {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    metadata: { name, namespace: v.release.namespace, labels },
    imagePullSecrets: v.optional('imagePullSecrets'),
  });
}

/**
 * A link's service mirror RBAC: its ServiceAccount bound to the ClusterRole `clusterRole` (as
 * `access`), and a Role `creds` (with its binding) to read the link's credentials.
 */
export function mirrorLinkRbac<V>(scope: Construct, v: HelmValues<V>, o: { name: string; access: string; clusterRole: string; creds: string; link: string; labels: Record<string, string> }): void {
  const ns = v.release.namespace;
  const rbac = 'rbac.authorization.k8s.io/v1';
  const subjects = [{ kind: 'ServiceAccount', name: o.name, namespace: ns }];
  const labels = o.labels;
  new K8sObject(scope, 'cluster-role-binding', { kind: 'ClusterRoleBinding', apiVersion: rbac, metadata: { name: o.access, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: o.clusterRole }, subjects });
  new K8sObject(scope, 'role', { kind: 'Role', apiVersion: rbac, metadata: { name: o.creds, namespace: ns, labels }, rules: serviceMirrorLinkRules(v, o.link) });
  new K8sObject(scope, 'role-binding', { kind: 'RoleBinding', apiVersion: rbac, metadata: { name: o.creds, namespace: ns, labels }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: o.creds }, subjects });
}
