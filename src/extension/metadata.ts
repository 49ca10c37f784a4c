/**
 * Labels, metadata and the Deployment builder shared by the Linkerd extensions (viz,
 * jaeger, multicluster, cni). Extension pods are meshed by the proxy injector (`linkerd.io/inject: enabled`),
 * not by rendered sidecars. A chart names its extension once (`forExtension(v, 'viz')`);
 * the builders label every object with it.
 */
import type { Construct } from 'constructs';
import type { Probe, SecurityContext } from 'kubernetes-types/core/v1';
import { K8sObject } from '../helm/object';
import type { HelmValues } from '../helm/values';
import { podAntiAffinity } from '../k8s/pod';
import { quantityText } from '../k8s/resources';

/**
 * The keys every extension chart's values have (viz, jaeger, multicluster, cni), as the builders
 * read them, and the components' own sections (`<section>.proxy`, `.tolerations`, `.nodeSelector`).
 */
export interface ExtensionValues {
  commonLabels: Record<string, string>;
  podLabels: Record<string, string>;
  podAnnotations?: Record<string, string>;
  cliVersion: string;
  linkerdVersion: string;
  linkerdNamespace: string;
  revisionHistoryLimit: number;
  enablePodAntiAffinity: boolean;
  enablePodDisruptionBudget: boolean;
  nodeAffinity?: Record<string, unknown>;
  tolerations?: unknown[];
  nodeSelector?: Record<string, string>;
  imagePullSecrets: unknown[];
  createNamespaceMetadataJob: boolean;
  namespaceMetadata: { tolerations?: unknown[]; nodeSelector?: Record<string, string> };
  defaultUID: number;
  defaultGID: number;
}

type Ev = HelmValues<ExtensionValues>;

type ProxyResources = Partial<Record<'cpu' | 'memory', { request?: string; limit?: string }>>;

/** What the builders read of a component's own values section (`tap`, `collector`, …), named at run time. */
interface ComponentSection {
  proxy?: { resources?: ProxyResources };
  tolerations?: unknown[];
  nodeSelector?: Record<string, string>;
}

/** A component's section by name (checked against the chart's schema when read). */
function componentSections<V>(v: HelmValues<V>): HelmValues<Record<string, ComponentSection>> {
  return v.sharedAs<Record<string, ComponentSection>>();
}

/** A chart's values as the extension builders read them (every key read is checked against the chart's schema). */
export function asExtension<V>(v: HelmValues<V>): Ev {
  return v.sharedAs<ExtensionValues>();
}

const EXTENSIONS = new WeakMap<object, string>();

/** Declares which extension a chart's values belong to (`linkerd.io/extension: <name>`). */
export function forExtension<V>(values: HelmValues<V>, name: string): void {
  const v = asExtension(values);
  EXTENSIONS.set(v, name);
}

export function extensionOf<V>(values: HelmValues<V>): string {
  const v = asExtension(values);
  const name = EXTENSIONS.get(v);
  if (!name) throw new Error('forExtension(v, name) must be called before building extension objects');
  return name;
}

/** `linkerd.io/extension: <name>`, `component`, optionally `namespace`, then the user's commonLabels. */
export function extensionLabels<V>(values: HelmValues<V>, component?: string, opts: { namespace?: string; extra?: Record<string, string> } = {}): Record<string, string> {
  const v = asExtension(values);
  return {
    ...v.owned({ 'linkerd.io/extension': extensionOf(v) }),
    ...opts.extra,
    ...v.owned({ ...(component ? { component } : {}), ...(opts.namespace ? { namespace: opts.namespace } : {}) }),
    ...v.spreadMap(v.ref('commonLabels')),
  };
}

export function createdBy<V>(values: HelmValues<V>): Record<string, string> {
  const v = asExtension(values);
  return { 'linkerd.io/created-by': v.orElse(v.ref('cliVersion'), v.fmt`linkerd/helm ${v.ref('linkerdVersion')}`) };
}

/** Metadata of a namespaced extension object. */
export function extensionMeta<V>(values: HelmValues<V>, name: string, component?: string, opts: { namespace?: boolean; annotations?: Record<string, string> | false } = {}) {
  const v = asExtension(values);
  const ns = v.release.namespace;
  return {
    name,
    namespace: ns,
    labels: extensionLabels(v, component, { namespace: opts.namespace ? ns : undefined }),
    ...(opts.annotations === false ? {} : { annotations: { ...createdBy(v), ...opts.annotations } }),
  };
}

/** The restricted security context of an extension container. */
export function restrictedContainer(uid: number, gid: number): SecurityContext {
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

/** `config.linkerd.io/proxy-*` annotations from a component's `proxy.resources`. */
export function proxyResourceAnnotations<V>(values: HelmValues<V>, section: string): Record<string, string> {
  const v = asExtension(values);
  const resources = v.get(componentSections(v).ref(`${section}.proxy`), 'resources');
  const entry = (kind: 'cpu' | 'memory', field: 'request' | 'limit') => {
    const value = v.get(v.get(resources, kind), field) as string;
    // Annotation values are strings; a quantity given as a YAML number is written as Go prints it.
    return { [`config.linkerd.io/proxy-${kind}-${field}`]: v.maybe(v.truthy(value), quantityText(v, value)) };
  };
  return { ...entry('cpu', 'request'), ...entry('cpu', 'limit'), ...entry('memory', 'request'), ...entry('memory', 'limit') } as Record<string, string>;
}

export interface ExtensionDeploymentOptions {
  name: string;
  component: string;
  /** The component's values section (its proxy, tolerations, nodeSelector keys). */
  section: string;
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

/** An extension pod's annotations: checksum, created-by, proxy resources, the user's, then injection. */
function extensionPodAnnotations(v: Ev, o: ExtensionDeploymentOptions): Record<string, string> {
  return {
    ...(o.checksum ? { 'checksum/config': o.checksum } : {}),
    ...createdBy(v),
    ...proxyResourceAnnotations(v, o.section),
    ...v.spreadMap(v.ref('podAnnotations')),
    ...o.podAnnotations,
    'linkerd.io/inject': 'enabled',
    'config.alpha.linkerd.io/proxy-wait-before-exit-seconds': '0',
    ...(o.safeToEvict ? { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } : {}),
  };
}

/** An extension pod's spec: scheduling, affinity, its containers and volumes, the ServiceAccount token mounted by hand. */
function extensionPodSpec(v: Ev, o: ExtensionDeploymentOptions) {
  const nodeAffinity = v.ref('nodeAffinity');
  const own = componentSections(v);
  const tolerations = o.scheduling === 'own' ? own.ref(`${o.section}.tolerations`) : v.ref('tolerations');
  const nodeSelector = o.scheduling === 'own' ? own.ref(`${o.section}.nodeSelector`) : v.ref('nodeSelector');
  return {
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
  };
}

/** An extension Deployment: labels, replicas, injection annotations, scheduling and the pod spec around its containers. */
export function extensionDeployment<V>(scope: Construct, values: HelmValues<V>, o: ExtensionDeploymentOptions): K8sObject {
  const v = asExtension(values);
  const ns = v.release.namespace;
  const nsLabel = o.namespaceLabel ? { namespace: ns } : {};
  const selector = o.selector ?? { 'linkerd.io/extension': extensionOf(v), component: o.component, ...nsLabel };
  return new K8sObject(scope, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: { ...createdBy(v), 'linkerd.io/inject': 'enabled', 'config.linkerd.io/proxy-await': 'enabled' },
      labels: extensionLabels(v, o.component, {
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
      ...(o.strategyWithAntiAffinity ? { strategy: v.maybe(v.truthy(v.ref('enablePodAntiAffinity')), { rollingUpdate: { maxUnavailable: 1 } }) } : {}),
      ...o.spec,
      template: {
        metadata: {
          annotations: extensionPodAnnotations(v, o),
          labels: { ...v.owned({ 'linkerd.io/extension': extensionOf(v), component: o.component, ...nsLabel }), ...v.spreadMap(v.ref('podLabels')) },
        },
        spec: extensionPodSpec(v, o),
      },
    },
  });
}

/** A PodDisruptionBudget for a component, when enablePodDisruptionBudget and it runs more than one replica. */
export function extensionDisruptionBudget<V>(scope: Construct, values: HelmValues<V>, name: string, component: string, replicas: number): void {
  const v = asExtension(values);
  v.when(v.and('enablePodDisruptionBudget', v.gt(replicas, 1)), () => {
    new K8sObject(scope, 'pdb', {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: extensionMeta(v, name, component, { namespace: true }),
      spec: { maxUnavailable: 1, selector: { matchLabels: { 'linkerd.io/extension': extensionOf(v), component } } },
    });
  });
}

/** A component's ServiceAccount (with the image pull secrets). */
export function extensionServiceAccount<V>(scope: Construct, values: HelmValues<V>, name: string, component: string | undefined, opts: { namespace?: boolean; annotations?: Record<string, string> } = {}): K8sObject {
  const v = asExtension(values);
  return new K8sObject(scope, 'service-account', {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    metadata: { ...extensionMeta(v, name, component, { namespace: opts.namespace, annotations: opts.annotations ?? false }) },
    imagePullSecrets: v.optional('imagePullSecrets'),
  });
}

/** The admin-server probes of a Linkerd extension controller. */
export function adminProbes(port: number): { livenessProbe: Probe; readinessProbe: Probe } {
  return {
    livenessProbe: { httpGet: { path: '/ping', port }, initialDelaySeconds: 10 },
    readinessProbe: { failureThreshold: 7, httpGet: { path: '/ready', port } },
  };
}
