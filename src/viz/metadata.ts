/**
 * Labels, metadata and the Deployment builder shared by the viz components. Viz pods are
 * meshed by the proxy injector (`linkerd.io/inject: enabled`), not by rendered sidecars.
 */
import type { Construct } from 'constructs';
import { K8sObject } from '../helm/object';
import type { HelmValues } from '../helm/values';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME, podAntiAffinity } from '../k8s/pod';
import { resourcesOf } from '../proxy/containers';
import type { VizValues } from './values';

export type Vv = HelmValues<VizValues>;

/** The values sections of the viz Deployments. */
export type VizSection = 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard' | 'prometheus' | 'grafana';

/** `linkerd.io/extension: viz`, `component`, optionally `namespace`, then the user's commonLabels. */
export function vizLabels(v: Vv, component?: string, opts: { namespace?: string; extra?: Record<string, string> } = {}): Record<string, string> {
  return {
    'linkerd.io/extension': 'viz',
    ...opts.extra,
    ...(component ? { component } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...v.spreadMap(v.ref('commonLabels')),
  };
}

export function createdBy(v: Vv): Record<string, string> {
  return { 'linkerd.io/created-by': v.fmt`linkerd/helm ${v.ref('linkerdVersion')}` };
}

/** Metadata of a namespaced viz object. */
export function vizMeta(v: Vv, name: string, component?: string, opts: { namespace?: boolean; annotations?: Record<string, string> | false } = {}) {
  const ns = v.release.namespace;
  return {
    name,
    namespace: ns,
    labels: vizLabels(v, component, { namespace: opts.namespace ? ns : undefined }),
    ...(opts.annotations === false ? {} : { annotations: { ...createdBy(v), ...opts.annotations } }),
  };
}

/** `image: registry/name:tag` with the viz defaults. */
export function vizImage(v: Vv, section: 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard' | 'namespaceMetadata'): string {
  const img = v.section(`${section}.image`);
  return v.fmt`${v.orElse(img.registry, v.ref('defaultRegistry'))}/${img.name}:${v.orElse(img.tag, v.ref('linkerdVersion'))}`;
}

export function pullPolicy(v: Vv, section: VizSection | 'namespaceMetadata'): string {
  return v.orElse(v.ref(`${section}.image.pullPolicy`), v.ref('defaultImagePullPolicy'));
}

/** `-log-level=` and `-log-format=` of a component (its own, else the viz default). */
export function logArgs(v: Vv, section: 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard'): string[] {
  return [
    v.fmt`-log-level=${v.orElse(v.ref(`${section}.logLevel`), v.ref('defaultLogLevel'))}`,
    v.fmt`-log-format=${v.orElse(v.ref(`${section}.logFormat`), v.ref('defaultLogFormat'))}`,
  ];
}

/** The restricted security context of a viz container. */
export function restrictedContainer(uid: number, gid: number) {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** The UID/GID of a component (its own, else the viz default). */
export function componentIds(v: Vv, section: 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard'): { uid: number; gid: number } {
  return { uid: v.orElse(v.ref(`${section}.UID`), v.ref('defaultUID')) as number, gid: v.orElse(v.ref(`${section}.GID`), v.ref('defaultGID')) as number };
}

/** `config.linkerd.io/proxy-*` annotations from a component's `proxy.resources`. */
export function proxyResourceAnnotations(v: Vv, section: VizSection): Record<string, string> {
  const resources = v.get(v.ref(`${section}.proxy`), 'resources');
  const entry = (kind: 'cpu' | 'memory', field: 'request' | 'limit') => {
    const value = v.get(v.get(resources, kind), field) as string;
    return { [`config.linkerd.io/proxy-${kind}-${field}`]: v.maybe(v.truthy(value), value) };
  };
  return { ...entry('cpu', 'request'), ...entry('cpu', 'limit'), ...entry('memory', 'request'), ...entry('memory', 'limit') } as Record<string, string>;
}

export interface VizDeploymentOptions {
  name: string;
  component: string;
  section: VizSection;
  /** Whether the `namespace` label is on the Deployment, its selector and its pods (upstream differs per component). */
  namespaceLabel: boolean;
  /** Whether the Deployment carries `app.kubernetes.io/version`. */
  versionLabel: boolean;
  /** The Deployment's selector (default: extension + component [+ namespace]). */
  selector?: Record<string, string>;
  replicas: number;
  /** Scheduling values: the component's own nodeSelector/tolerations, or the global ones. */
  scheduling: 'own' | 'global';
  /** Pod anti-affinity on the `component` label when enablePodAntiAffinity (and nodeAffinity). */
  affinity: boolean;
  /** `maxUnavailable: 1` rollouts when enablePodAntiAffinity. */
  strategyWithAntiAffinity: boolean;
  /** Pod annotations before the common ones (checksums). */
  checksum?: string;
  /** The component's own pod annotations (merged after the global ones). */
  podAnnotations?: Record<string, string>;
  /** `cluster-autoscaler.kubernetes.io/safe-to-evict: "true"`. */
  safeToEvict: boolean;
  containers: unknown[];
  volumes: unknown[];
  /** Extra Deployment spec fields (strategy for persistence, …). */
  spec?: Record<string, unknown>;
  podSecurityContext?: Record<string, unknown>;
}

/** A viz Deployment: labels, replicas, injection annotations, scheduling and the pod spec around its containers. */
export function vizDeployment(scope: Construct, v: Vv, o: VizDeploymentOptions): K8sObject {
  const ns = v.release.namespace;
  const nsLabel = o.namespaceLabel ? { namespace: ns } : {};
  const selector = o.selector ?? { 'linkerd.io/extension': 'viz', component: o.component, ...nsLabel };
  const nodeAffinity = v.ref('nodeAffinity');
  const tolerations = o.scheduling === 'own' ? v.ref(`${o.section}.tolerations` as 'metricsAPI.tolerations') : v.ref('tolerations');
  const nodeSelector = o.scheduling === 'own' ? v.ref(`${o.section}.nodeSelector` as 'metricsAPI.nodeSelector') : v.ref('nodeSelector');
  return new K8sObject(scope, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: { ...createdBy(v), 'linkerd.io/inject': 'enabled', 'config.linkerd.io/proxy-await': 'enabled' },
      labels: vizLabels(v, o.component, {
        namespace: o.namespaceLabel ? ns : undefined,
        extra: {
          'app.kubernetes.io/name': o.name,
          'app.kubernetes.io/part-of': 'Linkerd',
          ...(o.versionLabel ? { 'app.kubernetes.io/version': v.ref('linkerdVersion') } : {}),
        },
      }),
      name: o.name,
      namespace: ns,
    },
    spec: {
      replicas: o.replicas,
      revisionHistoryLimit: v.ref('revisionHistoryLimit'),
      selector: { matchLabels: selector },
      ...(o.strategyWithAntiAffinity ? { strategy: v.maybe(v.is('enablePodAntiAffinity'), { rollingUpdate: { maxUnavailable: 1 } }) } : {}),
      ...o.spec,
      template: {
        metadata: {
          annotations: {
            ...(o.checksum ? { 'checksum/config': o.checksum } : {}),
            ...createdBy(v),
            ...proxyResourceAnnotations(v, o.section),
            ...v.spreadMap(v.ref('podAnnotations')),
            ...o.podAnnotations,
            'linkerd.io/inject': 'enabled',
            'config.alpha.linkerd.io/proxy-wait-before-exit-seconds': '0',
            ...(o.safeToEvict ? { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } : {}),
          },
          labels: { 'linkerd.io/extension': 'viz', component: o.component, ...nsLabel, ...v.spreadMap(v.ref('podLabels')) },
        },
        spec: {
          tolerations: v.maybe(v.truthy(tolerations), tolerations),
          nodeSelector,
          ...(o.affinity
            ? {
                affinity: v.maybe(v.or('enablePodAntiAffinity', v.truthy(nodeAffinity)), {
                  ...v.fields('enablePodAntiAffinity', podAntiAffinity('component', o.component)),
                  nodeAffinity: v.maybe(v.truthy(nodeAffinity), nodeAffinity),
                }),
              }
            : {}),
          automountServiceAccountToken: false,
          containers: o.containers,
          securityContext: o.podSecurityContext ?? { seccompProfile: { type: 'RuntimeDefault' } },
          serviceAccountName: o.name,
          volumes: o.volumes,
        },
      },
    },
  });
}

/** A PodDisruptionBudget for a component, when enablePodDisruptionBudget and it runs more than one replica. */
export function vizDisruptionBudget(scope: Construct, v: Vv, name: string, component: string, replicas: number): void {
  v.when(v.and('enablePodDisruptionBudget', v.gt(replicas, 1)), () => {
    new K8sObject(scope, 'pdb', {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: vizMeta(v, name, component, { namespace: true }),
      spec: { maxUnavailable: 1, selector: { matchLabels: { 'linkerd.io/extension': 'viz', component } } },
    });
  });
}

/** A component's ServiceAccount (with the image pull secrets). */
export function vizServiceAccount(scope: Construct, v: Vv, name: string, component: string | undefined, opts: { namespace?: boolean; annotations?: Record<string, string> } = {}): K8sObject {
  return new K8sObject(scope, 'service-account', {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    metadata: { ...vizMeta(v, name, component, { namespace: opts.namespace, annotations: opts.annotations ?? false }) },
    imagePullSecrets: v.optional('imagePullSecrets'),
  });
}

/** The admin-server probes of a viz controller. */
export function adminProbes(port: number) {
  return {
    livenessProbe: { httpGet: { path: '/ping', port }, initialDelaySeconds: 10 },
    readinessProbe: { failureThreshold: 7, httpGet: { path: '/ready', port } },
  };
}

export { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME, resourcesOf };
