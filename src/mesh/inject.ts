/**
 * Meshing the workloads of a cdk8s app, two ways:
 * - by annotation (`meshWorkloads`): the pod templates get `linkerd.io/inject: enabled` and
 *   the proxy settings as `config.linkerd.io/*` annotations; the proxy injector adds the
 *   proxy when the pods are created;
 * - manually (`injectProxy`): the proxy, proxy-init and their volumes are rendered into the
 *   pod template at synthesis, like `linkerd inject --manual`, from the same builder as the
 *   control plane's own pods (`meshedPodParts`).
 */
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { ApiObject, JsonPatch } from 'cdk8s';
import type { IConstruct } from 'constructs';
import type { LinkerdControlPlane } from '../control-plane/construct';
import { meshedPodParts } from '../proxy/containers';
import { proxySettingsFromValues } from '../control-plane/proxy-settings';
import type { ProxySettings } from '../proxy/settings';
import { clean } from '../helm/object';
import { HelmValues } from '../helm/values';
import { CHART_VERSION, LINKERD_VERSION } from '../version';
import { applyWorkloadConfig } from '../proxy/workload';
import { ProxyConfigError, proxyAnnotations, proxyConfigFromAnnotations, type WorkloadProxyConfig } from './annotations';

/** Where each kind of workload keeps its pod template, and its proxy label (`linkerd.io/proxy-<kind>`). */
export const WORKLOAD_KINDS: Record<string, { template: string[]; label: string }> = {
  Deployment: { template: ['spec', 'template'], label: 'deployment' },
  StatefulSet: { template: ['spec', 'template'], label: 'statefulset' },
  DaemonSet: { template: ['spec', 'template'], label: 'daemonset' },
  ReplicaSet: { template: ['spec', 'template'], label: 'replicaset' },
  Job: { template: ['spec', 'template'], label: 'job' },
  CronJob: { template: ['spec', 'jobTemplate', 'spec', 'template'], label: 'cronjob' },
};

type Json = Record<string, unknown>;

const pointer = (path: string[]) => `/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

function at(obj: Json, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Json)[k] : undefined), obj);
}

/** The workloads (ApiObjects of the kinds above) under `scope`, cdk8s-plus ones included. */
export function workloadsIn(scope: IConstruct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && c.kind in WORKLOAD_KINDS);
}

/*
 * addEntries and addItems patch the object and make the same change to `json`, the object's
 * JSON as its patches leave it, so that one toJson() (the costly part: cdk8s-plus objects
 * serialize all their props) serves every patch of an injection.
 */

/** Adds entries to a map in the object (creating the map and its parents as needed). */
function addEntries(obj: ApiObject, json: Json, path: string[], entries: Record<string, string>): void {
  let map = json;
  for (let i = 0; i < path.length; i++) {
    if (map[path[i]] === undefined || map[path[i]] === null) {
      obj.addJsonPatch(JsonPatch.add(pointer(path.slice(0, i + 1)), {}));
      for (const k of path.slice(i)) map = map[k] = {};
      break;
    }
    map = map[path[i]] as Json;
  }
  for (const [k, v] of Object.entries(entries)) {
    obj.addJsonPatch(JsonPatch.add(pointer([...path, k]), v));
    map[k] = v;
  }
}

/** Appends (or, with `first`, prepends) items to a list in the object, creating it as needed. */
function addItems(obj: ApiObject, json: Json, path: string[], items: readonly unknown[], first = false): void {
  if (items.length === 0) return;
  const parent = at(json, path.slice(0, -1)) as Json;
  const list = parent[path[path.length - 1]];
  if (!Array.isArray(list)) {
    obj.addJsonPatch(JsonPatch.add(pointer(path), items));
    parent[path[path.length - 1]] = [...items];
    return;
  }
  items.forEach((item, i) => obj.addJsonPatch(JsonPatch.add(first ? pointer([...path, String(i)]) : `${pointer(path)}/-`, item)));
  if (first) list.unshift(...items);
  else list.push(...items);
}

/*
 * The proxy's containers and volumes, shared by every workload with the same settings: a patch's
 * value is cloned when the object is serialized, so one copy serves them all (manual injection
 * of many workloads then costs about what annotating them does: docs/performance.md).
 */
const podPartsCache = new WeakMap<object, Map<string, PodParts>>();
type PodParts = { initContainers: unknown[]; containers: unknown[]; volumes: unknown[] };
function sharedPodParts<V>(v: HelmValues<V>, settings: ProxySettings, propsForm: boolean): PodParts {
  let byKey = podPartsCache.get(v);
  if (!byKey) podPartsCache.set(v, (byKey = new Map()));
  const key = `${propsForm}:${JSON.stringify(settings)}`;
  let parts = byKey.get(key);
  if (!parts) {
    const plain = clean(meshedPodParts(v, settings));
    parts = (propsForm ? propsShape(plain) : plain) as PodParts;
    byKey.set(key, parts);
  }
  return parts;
}

const trustRootDigests = new Map<string, string>();
function trustRootSha256(pem: string): string {
  let d = trustRootDigests.get(pem);
  if (d === undefined) trustRootDigests.set(pem, (d = createHash('sha256').update(pem).digest('hex')));
  return d;
}

const meshed = new WeakSet<ApiObject>();
/** The configurations meshWorkloads gave each scope (applied to a workload before injectProxy reads its annotations). */
const meshScopes = new WeakMap<IConstruct, WorkloadProxyConfig[]>();
/** Workloads whose proxy injectProxy rendered in: their proxy annotations are fixed. */
const injected = new WeakSet<ApiObject>();

function podAnnotations(obj: ApiObject, template: string[]): Record<string, string> {
  return ((at(obj.toJson() as Json, [...template, 'metadata', 'annotations']) ?? {}) as Record<string, string>);
}

/**
 * Annotates one workload's pod template for the proxy injector. A workload whose proxy was
 * already rendered in (injectProxy) only takes annotations that agree with that proxy;
 * anything else throws ProxyConfigError naming the annotation.
 */
export function annotateWorkload(obj: ApiObject, config: WorkloadProxyConfig = {}): void {
  const kind = WORKLOAD_KINDS[obj.kind];
  if (!kind) throw new Error(`${obj.node.path}: ${obj.kind} is not a workload (${Object.keys(WORKLOAD_KINDS).join(', ')})`);
  if (meshed.has(obj)) return;
  const wanted = proxyAnnotations(config);
  if (injected.has(obj)) {
    const current = podAnnotations(obj, kind.template);
    const disagree = Object.entries(wanted).filter(([k, value]) => (k === 'linkerd.io/inject' ? value !== 'enabled' : current[k] !== value));
    if (disagree.length > 0) {
      throw new ProxyConfigError(
        disagree.map(([k, value]) => ({
          field: k,
          message: `${obj.node.path}: its proxy was rendered in by injectProxy with ${current[k] === undefined ? 'the default' : JSON.stringify(current[k])}, not ${JSON.stringify(value)}; give the setting to injectProxy (config) or mesh the workload before injecting it`,
        })),
      );
    }
    meshed.add(obj);
    return;
  }
  meshed.add(obj);
  addEntries(obj, obj.toJson() as Json, [...kind.template, 'metadata', 'annotations'], wanted);
}

/**
 * Meshes every workload under `scope` (a chart, or the whole app) by annotation: those that
 * exist now, and — when the app is synthesized — those added later. The configuration is
 * checked here (ProxyConfigError names a bad field). Workloads injected with injectProxy
 * after this call get a proxy that follows these annotations.
 */
export function meshWorkloads(scope: IConstruct, config: WorkloadProxyConfig = {}): void {
  proxyAnnotations(config);
  meshScopes.set(scope, [...(meshScopes.get(scope) ?? []), config]);
  const apply = () => workloadsIn(scope).forEach((w) => annotateWorkload(w, config));
  apply();
  scope.node.addValidation({
    validate: () => {
      try {
        apply();
        return [];
      } catch (e) {
        if (e instanceof ProxyConfigError) return [e.message];
        throw e;
      }
    },
  });
}

/** Proxy settings for a workload: the control plane's, with the workload's configuration over them (each row of PROXY_SETTINGS). */
export function workloadProxySettings(base: ProxySettings, config: WorkloadProxyConfig = {}): ProxySettings {
  proxyAnnotations(config);
  return applyWorkloadConfig(base, config);
}

export interface InjectOptions {
  /** The control plane whose proxy configuration the workload gets. */
  controlPlane: LinkerdControlPlane;
  /**
   * The workload's own proxy settings (as for annotation mode). The workload's pod-template
   * annotations (e.g. from meshWorkloads) apply too, as the proxy injector applies them; a
   * setting given both ways must agree.
   */
  config?: WorkloadProxyConfig;
}

/** Normalized annotation form of one field, to compare a field given in two ways. */
function annotationsOf(config: WorkloadProxyConfig): string {
  return JSON.stringify(Object.entries(proxyAnnotations(config)).sort());
}

/**
 * The configuration manual injection honours: the workload's annotations, as the proxy
 * injector reads them, with `config` over them. Throws ProxyConfigError for a setting the
 * two give differently, for annotations manual injection cannot honour, and for
 * `linkerd.io/inject: disabled` or the debug sidecar.
 */
function effectiveConfig(obj: ApiObject, annotations: Record<string, string>, given: WorkloadProxyConfig | undefined): WorkloadProxyConfig {
  const { config: fromPod, unsupported, problems } = proxyConfigFromAnnotations(annotations);
  const out: { field: string; message: string }[] = [...problems];
  for (const key of unsupported) out.push({ field: key, message: `${obj.node.path}: manual injection (injectProxy) cannot honour this annotation; remove it or let the proxy injector mesh the workload` });
  const merged: WorkloadProxyConfig = { ...fromPod, ...given };
  const conflict = (field: string, pod: unknown, value: unknown) =>
    out.push({ field, message: `${obj.node.path}: the pod annotations say ${JSON.stringify(pod)}, injectProxy was given ${JSON.stringify(value)}; give it one way` });
  for (const [field, value] of Object.entries(given ?? {}) as [keyof WorkloadProxyConfig, unknown][]) {
    if (field === 'resources') {
      const podResources = (fromPod.resources ?? {}) as Record<string, unknown>;
      const resources: Record<string, unknown> = { ...podResources };
      for (const [kind, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        const pod = podResources[kind];
        if (v !== null && typeof v === 'object' && pod !== null && typeof pod === 'object') {
          for (const [f, q] of Object.entries(v)) {
            const podQ = (pod as Record<string, unknown>)[f];
            if (q !== undefined && podQ !== undefined && String(q) !== String(podQ)) conflict(`resources.${kind}.${f}`, podQ, q);
          }
          resources[kind] = { ...pod, ...v };
        } else {
          if (pod !== undefined && v !== undefined && String(pod) !== String(v)) conflict(`resources.${kind}`, pod, v);
          resources[kind] = v;
        }
      }
      merged.resources = resources as WorkloadProxyConfig['resources'];
      continue;
    }
    const pod = fromPod[field];
    if (pod !== undefined && annotationsOf({ [field]: pod }) !== annotationsOf({ [field]: value })) conflict(field, pod, value);
  }
  if (merged.inject === 'disabled') out.push({ field: 'linkerd.io/inject', message: `${obj.node.path}: the workload is marked disabled, yet injectProxy was asked to mesh it` });
  if (merged.enableDebugSidecar) out.push({ field: 'enableDebugSidecar', message: `${obj.node.path}: manual injection does not add the debug sidecar; let the proxy injector mesh the workload` });
  if (out.length > 0) throw new ProxyConfigError(out);
  proxyAnnotations(merged);
  return merged;
}

/**
 * Renders the proxy into a workload's pod template (manual injection): proxy-init (or the
 * CNI network validator), the proxy (a native sidecar by default), their volumes, and the
 * labels and annotations the proxy injector would add. The proxy follows the workload's own
 * proxy annotations (`config.linkerd.io/*`, e.g. from meshWorkloads) as the proxy injector
 * would, and the pod template gets the annotations of every setting `config` adds, so that
 * annotations and proxy agree (the destination controller reads `opaque-ports` from them).
 * The configuration is checked now (ProxyConfigError); with `controlPlane`, the proxy is
 * rendered when the app is synthesized (`App.synth`, `synthYaml`, `Chart.toJson`,
 * `Testing.synth`), from the control plane's values then: constructs that add values to it
 * (LinkerdJaeger's tracing) may come before or after this call.
 */
export function injectProxy(obj: ApiObject, options: InjectOptions | { settings: ProxySettings }): void {
  const kind = WORKLOAD_KINDS[obj.kind];
  if (!kind) throw new Error(`${obj.node.path}: ${obj.kind} is not a workload (${Object.keys(WORKLOAD_KINDS).join(', ')})`);
  const cp = 'controlPlane' in options ? options.controlPlane : undefined;
  const template = kind.template;
  // A workload added after meshWorkloads gets its annotations at synthesis; injecting it now must see them.
  for (const scope of obj.node.scopes) for (const config of meshScopes.get(scope) ?? []) annotateWorkload(obj, config);
  const json = obj.toJson() as Json;
  const podSpec = (at(json, [...template, 'spec']) ?? {}) as { containers?: { ports?: { containerPort: number }[] }[] };
  const podPorts = (podSpec.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
  const existing = { ...((at(json, [...template, 'metadata', 'annotations']) ?? {}) as Record<string, string>) };
  const config = effectiveConfig(obj, existing, 'settings' in options ? undefined : options.config);
  const { inject: _inject, ...annotated } = config;
  const missing = Object.fromEntries(Object.entries(proxyAnnotations(annotated)).filter(([k]) => k !== 'linkerd.io/inject' && existing[k] === undefined));
  if (Object.keys(missing).length > 0) addEntries(obj, json, [...template, 'metadata', 'annotations'], missing);
  injected.add(obj);
  if (!cp) return renderProxy(obj, kind, json, podPorts, options as { settings: ProxySettings }, config);
  // The proxy follows the control plane's final values (LinkerdJaeger may add tracing after this call): rendered once, at synthesis.
  // Its patches take the place they would have had now, so a patch the user adds later (to the proxy, say) still applies after them.
  const position = patchesOf(obj).length;
  let rendered = false;
  obj.node.addValidation({
    validate: () => {
      if (!rendered) {
        rendered = true;
        cp.markValuesUsed(`injectProxy(${obj.node.path})`);
        const patches = patchesOf(obj);
        const before = patches.length;
        renderProxy(obj, kind, json, podPorts, { controlPlane: cp }, config);
        patches.splice(position, 0, ...patches.splice(before));
      }
      return [];
    },
  });
}

/** The JSON patches of an object, in the order cdk8s applies them (ApiObject keeps them in a private list). */
function patchesOf(obj: ApiObject): JsonPatch[] {
  const patches: unknown = Reflect.get(obj, 'patches');
  if (!Array.isArray(patches)) throw new Error(`${obj.node.path}: this cdk8s version keeps no patch list; injectProxy needs cdk8s 2`);
  return patches;
}

/** The proxy parts, annotations and labels injectProxy renders into a workload. */
function renderProxy(
  obj: ApiObject,
  kind: { template: string[]; label: string },
  json: Json,
  podPorts: number[],
  options: { controlPlane: LinkerdControlPlane } | { settings: ProxySettings },
  config: WorkloadProxyConfig,
): void {
  const template = kind.template;
  const cp = 'controlPlane' in options ? options.controlPlane : undefined;
  const base = 'settings' in options ? options.settings : proxySettingsFromValues(cp!.values);
  const settings = workloadProxySettings(base, config);
  const withPorts: ProxySettings = 'settings' in options ? settings : { ...settings, proxy: { ...settings.proxy, podInboundPorts: podPorts.join(',') } };
  const propsForm = serializesProps(obj);
  const parts = cp ? sharedPodParts(cp.values, withPorts, propsForm) : sharedPodParts(concreteValues(withPorts.mesh.namespace), withPorts, propsForm);
  addItems(obj, json, [...template, 'spec', 'initContainers'], parts.initContainers);
  addItems(obj, json, [...template, 'spec', 'containers'], parts.containers, true);
  addItems(obj, json, [...template, 'spec', 'volumes'], parts.volumes);
  const mesh = withPorts.mesh;
  const name = (json.metadata as { name?: string } | undefined)?.name ?? obj.name;
  const namespace = (json.metadata as { namespace?: string } | undefined)?.namespace ?? 'default';
  addEntries(obj, json, [...template, 'metadata', 'annotations'], {
    'linkerd.io/created-by': `cdk8s-linkerd/${CHART_VERSION}`,
    'linkerd.io/proxy-version': withPorts.proxy.image.version || mesh.linkerdVersion,
    'linkerd.io/trust-root-sha256': trustRootSha256(mesh.identityTrustAnchorsPEM),
  });
  addEntries(obj, json, [...template, 'metadata', 'labels'], {
    'linkerd.io/control-plane-ns': mesh.namespace,
    'linkerd.io/workload-ns': namespace,
    [`linkerd.io/proxy-${kind.label}`]: name,
  });
}

/**
 * Objects generated by `cdk8s import` (what cdk8s-plus builds on) serialize their props
 * after JSON patches are applied, reading IntOrString and Quantity fields as `{ value }`.
 */
function serializesProps(obj: ApiObject): boolean {
  return obj.toJson !== ApiObject.prototype.toJson;
}

/** Plain Kubernetes JSON in the props shape of imported classes (ports and quantities wrapped). */
function propsShape(x: unknown, key = ''): unknown {
  if (Array.isArray(x)) return x.map((i) => propsShape(i));
  if (x === null || typeof x !== 'object') return x;
  const o = x as Record<string, unknown>;
  if (key === 'limits' || key === 'requests') return Object.fromEntries(Object.entries(o).map(([k, q]) => [k, { value: q }]));
  return Object.fromEntries(
    Object.entries(o).map(([k, val]) => [k, (key === 'httpGet' || key === 'tcpSocket') && k === 'port' ? { value: val } : propsShape(val, k)]),
  );
}

/** Concrete-mode helpers for builders given settings only (they read no values). */
function concreteValues(namespace: string): HelmValues<unknown> {
  return new HelmValues('concrete', Type.Object({}), {
    values: {},
    release: { name: 'workload', namespace, service: 'Helm' },
    chart: { name: 'workload', version: CHART_VERSION, appVersion: LINKERD_VERSION },
  });
}
