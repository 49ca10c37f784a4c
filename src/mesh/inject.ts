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
import { meshedPodParts, type Values } from '../proxy/containers';
import { proxySettingsFromValues, type ProxySettings } from '../proxy/settings';
import { clean } from '../helm/object';
import { HelmValues } from '../helm/values';
import { CHART_VERSION, LINKERD_VERSION } from '../version';
import { proxyAnnotations, type WorkloadProxyConfig } from './annotations';

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

/** Adds entries to a map in the object (creating the map and its parents as needed). */
function addEntries(obj: ApiObject, path: string[], entries: Record<string, string>): void {
  const json = obj.toJson() as Json;
  for (let i = 1; i <= path.length; i++) {
    if (at(json, path.slice(0, i)) === undefined) {
      obj.addJsonPatch(JsonPatch.add(pointer(path.slice(0, i)), {}));
      break;
    }
  }
  for (const [k, v] of Object.entries(entries)) obj.addJsonPatch(JsonPatch.add(pointer([...path, k]), v));
}

/** Appends (or, with `first`, prepends) items to a list in the object, creating it as needed. */
function addItems(obj: ApiObject, path: string[], items: unknown[], first = false): void {
  if (items.length === 0) return;
  const json = obj.toJson() as Json;
  if (!Array.isArray(at(json, path))) {
    obj.addJsonPatch(JsonPatch.add(pointer(path), items));
    return;
  }
  items.forEach((item, i) => obj.addJsonPatch(JsonPatch.add(first ? pointer([...path, String(i)]) : `${pointer(path)}/-`, item)));
}

const meshed = new WeakSet<ApiObject>();

/** Annotates one workload's pod template for the proxy injector. */
export function annotateWorkload(obj: ApiObject, config: WorkloadProxyConfig = {}): void {
  const kind = WORKLOAD_KINDS[obj.kind];
  if (!kind) throw new Error(`${obj.node.path}: ${obj.kind} is not a workload (${Object.keys(WORKLOAD_KINDS).join(', ')})`);
  if (meshed.has(obj)) return;
  meshed.add(obj);
  addEntries(obj, [...kind.template, 'metadata', 'annotations'], proxyAnnotations(config));
}

/**
 * Meshes every workload under `scope` (a chart, or the whole app) by annotation: those that
 * exist now, and — when the app is synthesized — those added later. The configuration is
 * checked here (ProxyConfigError names a bad field).
 */
export function meshWorkloads(scope: IConstruct, config: WorkloadProxyConfig = {}): void {
  proxyAnnotations(config);
  const apply = () => workloadsIn(scope).forEach((w) => annotateWorkload(w, config));
  apply();
  scope.node.addValidation({ validate: () => (apply(), []) });
}

/** Proxy settings for a workload: the control plane's, with the workload's configuration over them. */
export function workloadProxySettings(base: ProxySettings, config: WorkloadProxyConfig = {}): ProxySettings {
  proxyAnnotations(config);
  const p = base.proxy;
  const r = config.resources;
  const pair = (given: { request?: string; limit?: string } | undefined, current: { request: string | null; limit: string | null }) => ({
    request: given?.request ?? current.request,
    limit: given?.limit ?? current.limit,
  });
  const list = (ports: (number | string)[] | undefined, current: string) => (ports ? ports.join(',') : current);
  return {
    ...base,
    proxy: {
      ...p,
      image: { ...p.image, name: config.image ?? p.image.name, version: config.version ?? p.image.version, pullPolicy: config.imagePullPolicy ?? p.image.pullPolicy },
      resources: { cpu: pair(r?.cpu, p.resources.cpu), memory: pair(r?.memory, p.resources.memory), 'ephemeral-storage': pair(r?.ephemeralStorage, p.resources['ephemeral-storage']) },
      logLevel: config.logLevel ?? p.logLevel,
      logFormat: config.logFormat ?? p.logFormat,
      logHTTPHeaders: config.logHttpHeaders ?? p.logHTTPHeaders,
      opaquePorts: list(config.opaquePorts, p.opaquePorts),
      defaultInboundPolicy: config.defaultInboundPolicy ?? p.defaultInboundPolicy,
      requireIdentityOnInboundPorts: list(config.requireIdentityOnInboundPorts, p.requireIdentityOnInboundPorts),
      await: config.await ?? p.await,
      waitBeforeExitSeconds: config.waitBeforeExitSeconds ?? p.waitBeforeExitSeconds,
      nativeSidecar: config.nativeSidecar ?? p.nativeSidecar,
      shutdownGracePeriod: config.shutdownGracePeriod ?? p.shutdownGracePeriod,
      accessLog: config.accessLog ?? p.accessLog,
      outboundConnectTimeout: config.outboundConnectTimeout ?? p.outboundConnectTimeout,
      inboundConnectTimeout: config.inboundConnectTimeout ?? p.inboundConnectTimeout,
      outboundDiscoveryCacheUnusedTimeout: config.outboundDiscoveryCacheUnusedTimeout ?? p.outboundDiscoveryCacheUnusedTimeout,
      inboundDiscoveryCacheUnusedTimeout: config.inboundDiscoveryCacheUnusedTimeout ?? p.inboundDiscoveryCacheUnusedTimeout,
      disableOutboundProtocolDetectTimeout: config.disableOutboundProtocolDetectTimeout ?? p.disableOutboundProtocolDetectTimeout,
      disableInboundProtocolDetectTimeout: config.disableInboundProtocolDetectTimeout ?? p.disableInboundProtocolDetectTimeout,
      enableExternalProfiles: config.enableExternalProfiles ?? p.enableExternalProfiles,
      enableShutdownEndpoint: config.adminShutdown ?? p.enableShutdownEndpoint,
      uid: config.proxyUid ?? p.uid,
      gid: config.proxyGid ?? p.gid,
    },
    proxyInit: {
      ...base.proxyInit,
      ignoreInboundPorts: list(config.skipInboundPorts, base.proxyInit.ignoreInboundPorts),
      ignoreOutboundPorts: list(config.skipOutboundPorts, base.proxyInit.ignoreOutboundPorts),
      skipSubnets: config.skipSubnets ? config.skipSubnets.join(',') : base.proxyInit.skipSubnets,
    },
  };
}

export interface InjectOptions {
  /** The control plane whose proxy configuration the workload gets. */
  controlPlane: LinkerdControlPlane;
  /** The workload's own proxy settings (as for annotation mode). */
  config?: WorkloadProxyConfig;
}

/**
 * Renders the proxy into a workload's pod template (manual injection): proxy-init (or the
 * CNI network validator), the proxy (a native sidecar by default), their volumes, and the
 * labels and annotations the proxy injector would add.
 */
export function injectProxy(obj: ApiObject, options: InjectOptions | { settings: ProxySettings }): void {
  const kind = WORKLOAD_KINDS[obj.kind];
  if (!kind) throw new Error(`${obj.node.path}: ${obj.kind} is not a workload (${Object.keys(WORKLOAD_KINDS).join(', ')})`);
  const cp = 'controlPlane' in options ? options.controlPlane : undefined;
  const base = 'settings' in options ? options.settings : proxySettingsFromValues(cp!.values);
  const json = obj.toJson() as Json;
  const template = kind.template;
  const podSpec = (at(json, [...template, 'spec']) ?? {}) as { containers?: { ports?: { containerPort: number }[] }[] };
  const podPorts = (podSpec.containers ?? []).flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
  const settings = 'settings' in options ? base : workloadProxySettings(base, options.config);
  const withPorts: ProxySettings = 'settings' in options ? settings : { ...settings, proxy: { ...settings.proxy, podInboundPorts: podPorts.join(',') } };
  const v = (cp?.values ?? concreteValues(withPorts.mesh.namespace)) as unknown as Values;
  const plain = clean(meshedPodParts(v, withPorts));
  const parts = (serializesProps(obj) ? propsShape(plain) : plain) as { initContainers: unknown[]; containers: unknown[]; volumes: unknown[] };
  addItems(obj, [...template, 'spec', 'initContainers'], parts.initContainers);
  addItems(obj, [...template, 'spec', 'containers'], parts.containers, true);
  addItems(obj, [...template, 'spec', 'volumes'], parts.volumes);
  const mesh = withPorts.mesh;
  const name = (json.metadata as { name?: string } | undefined)?.name ?? obj.name;
  const namespace = (json.metadata as { namespace?: string } | undefined)?.namespace ?? 'default';
  addEntries(obj, [...template, 'metadata', 'annotations'], {
    'linkerd.io/created-by': `cdk8s-linkerd/${CHART_VERSION}`,
    'linkerd.io/proxy-version': withPorts.proxy.image.version || mesh.linkerdVersion,
    'linkerd.io/trust-root-sha256': createHash('sha256').update(mesh.identityTrustAnchorsPEM).digest('hex'),
  });
  addEntries(obj, [...template, 'metadata', 'labels'], {
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
