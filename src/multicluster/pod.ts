/** What the service mirrors (the local one, each link's, each controller's) have in common: pod metadata and RBAC rules. */
import { restrictedContainer } from '../extension/metadata';
import type { HelmValues } from '../helm/values';
import { KUBE_API_ACCESS_MOUNT } from '../k8s/pod';

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
export function linkMirrorContainer<V>(v: HelmValues<V>, s: LinkMirrorSettings) {
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
  };
}
