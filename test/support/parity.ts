/**
 * The parity cases with upstream Linkerd, one entry per case, shared by
 * `npm run parity -- --upstream DIR` (renders upstream with Helm and compares whole objects),
 * `npm run parity -- --record DIR` (writes upstream's facts to test/fixtures/upstream/) and
 * test/parity.test.ts (compares our rendering with the recorded facts, no network, no checkout).
 *
 * Facts are data about upstream's rendering: object identities, containers (images, args, env,
 * ports, probes, security contexts, resources), volumes, RBAC rules, webhook rules, CRD versions
 * and schema shape. No descriptions, no templates, no certificates.
 */
import { linkerd2CniChart } from '../../src/cni/chart';
import { join } from 'node:path';
import { linkerdControlPlaneChart } from '../../src/control-plane/chart';
import { haValues } from '../../src/control-plane/presets';
import { allCrds } from '../../src/crds/index';
import { crdBody } from '../../src/crds/manifest';
import { renderObjects, resolveValues, type ChartDefinition } from '../../src/helm/chart';
import { tracingValues } from '../../src/jaeger/wiring';
import { coalesce } from '../../src/values/model';
import { linkerdMulticlusterChart } from '../../src/multicluster/chart';
import { linkHaValues, linkerdMulticlusterLinkChart } from '../../src/multicluster/link';
import { multiclusterHaValues } from '../../src/multicluster/presets';
import { LINKERD_VERSION } from '../../src/version';
import { linkerdVizChart } from '../../src/viz/chart';
import { vizHaValues } from '../../src/viz/presets';
import { IDENTITY_SET_FILE_FLAGS, IDENTITY_VALUES } from '../fixtures/identity';

type Json = Record<string, unknown>;

/** A difference our rendering is expected to have, and the docs/parity.md row (`{#id}`) that explains it. */
export interface ExpectedDifference {
  /** Matched against each difference line (`<path>: …`). */
  pattern: RegExp;
  /** An id written `{#id}` in a table row of docs/parity.md. */
  explainedBy: string;
}

export interface ParityCase {
  /** Upstream's chart directory, relative to the linkerd2 repository root. */
  upstreamChart: string;
  /** Our chart (its name is the fixture directory). */
  chart: string;
  /** The case name; the fixture file is `<chart>/<id>.json`. */
  id: string;
  /** Extra `helm template` arguments for upstream (`--set k=v`, values files relative to the chart as `-f FILE`). */
  helmArgs: string[];
  /** The same values for ours. */
  ours: Record<string, unknown>;
  namespace: string;
  /** Our objects for these values. */
  render(): Json[];
  expected: ExpectedDifference[];
  /**
   * Recorded upstream facts narrowed before the comparison, for a difference too wide for line
   * patterns (e.g. CRD versions we do not serve); the docs/parity.md row `{#explainedBy}` says why.
   */
  upstreamView?: { narrow(objects: Json[]): Json[]; explainedBy: string };
}


const render = (def: ChartDefinition, user: Record<string, unknown>, name: string, namespace: string) =>
  renderObjects(def, resolveValues(def, user), { name, namespace }).map((o) => JSON.parse(JSON.stringify(o.object)) as Json);

const CONTROL_PLANE_EXPECTED: ExpectedDifference[] = [];

const VIZ_EXPECTED: ExpectedDifference[] = [
  { pattern: /^(Deployment|Service|ServiceAccount|ConfigMap|Server|AuthorizationPolicy|MeshTLSAuthentication)\/linkerd-viz\/(grafana[\w-]*|prometheus-admin-grafana): extra in ours$/, explainedBy: 'viz-grafana' },
  { pattern: /^Deployment\/linkerd-viz\/web\.containers\.web\.args: extra in ours \["-grafana-addr=[^"]+"\]$/, explainedBy: 'viz-grafana' },
  { pattern: /^ConfigMap\/linkerd-viz\/prometheus-rules: extra in ours$/, explainedBy: 'viz-alerts' },
  { pattern: /^Deployment\/linkerd-viz\/prometheus\.(containers\.prometheus\.volumeMounts|volumes)\.3: extra in ours \(\{[^}]*"prometheus-rules"/, explainedBy: 'viz-alerts' },
];

function controlPlane(id: string, helmArgs: string[], ours: Record<string, unknown>): ParityCase {
  return {
    upstreamChart: join('charts', 'linkerd-control-plane'),
    chart: 'linkerd-control-plane',
    id,
    helmArgs: [...IDENTITY_SET_FILE_FLAGS, ...helmArgs], // the identity given to both sides, upstream by --set-file
    ours,
    namespace: 'linkerd',
    render: () => render(linkerdControlPlaneChart as unknown as ChartDefinition, coalesce(IDENTITY_VALUES, ours), 'linkerd-control-plane', 'linkerd'),
    expected: CONTROL_PLANE_EXPECTED,
  };
}

function viz(id: string, helmArgs: string[], ours: Record<string, unknown>): ParityCase {
  return {
    upstreamChart: join('viz', 'charts', 'linkerd-viz'),
    chart: 'linkerd-viz',
    id,
    helmArgs,
    ours,
    namespace: 'linkerd-viz',
    render: () => render(linkerdVizChart as unknown as ChartDefinition, ours, 'linkerd-viz', 'linkerd-viz'),
    expected: VIZ_EXPECTED,
  };
}

const CNI_EXPECTED: ExpectedDifference[] = [
  { pattern: /^DaemonSet\/linkerd-cni\/linkerd-cni\.containers\.(install-cni|repair-controller)\.volumeMounts(\.\d+)?: extra in ours \(\[?\{"mountPath":"\/var\/run\/secrets\/kubernetes\.io\/serviceaccount","name":"kube-api-access","readOnly":true\}\]?\)$/, explainedBy: 'cni-token' },
  { pattern: /^DaemonSet\/linkerd-cni\/linkerd-cni\.volumes\.\d+: extra in ours \(\{"name":"kube-api-access",/, explainedBy: 'cni-token' },
];

function cni(id: string, helmArgs: string[], ours: Record<string, unknown>): ParityCase {
  return {
    upstreamChart: join('charts', 'linkerd2-cni'),
    chart: 'linkerd2-cni',
    id,
    helmArgs,
    ours,
    namespace: 'linkerd-cni',
    render: () => render(linkerd2CniChart as unknown as ChartDefinition, ours, 'linkerd2-cni', 'linkerd-cni'),
    expected: CNI_EXPECTED,
  };
}

const MULTICLUSTER_EXPECTED: ExpectedDifference[] = [];

/** Two service mirror controllers: one on controllerDefaults, one overriding some of them (false and 0 kept). */
const CONTROLLERS = [
  { link: { ref: { name: 'west' } } },
  { link: { ref: { name: 'east' } }, replicas: 2, enablePodAntiAffinity: true, gateway: { enabled: false }, logLevel: 'debug', enablePprof: true, image: { version: 'edge-99' }, UID: 3000, nodeSelector: { pool: 'mesh' } },
];

function multicluster(id: string, helmArgs: string[], ours: Record<string, unknown>): ParityCase {
  // Upstream's placeholder image tags, as its release process sets them.
  const versions = ['localServiceMirror.image.version', 'controllerDefaults.image.version'].flatMap((k) => ['--set', `${k}=${LINKERD_VERSION}`]);
  return {
    upstreamChart: join('multicluster', 'charts', 'linkerd-multicluster'),
    chart: 'linkerd-multicluster',
    id,
    helmArgs: [...versions, ...helmArgs],
    ours,
    namespace: 'linkerd-multicluster',
    render: () => render(linkerdMulticlusterChart as unknown as ChartDefinition, ours, 'linkerd-multicluster', 'linkerd-multicluster'),
    expected: MULTICLUSTER_EXPECTED,
  };
}

function link(id: string, helmArgs: string[], ours: Record<string, unknown>): ParityCase {
  return {
    upstreamChart: join('multicluster', 'charts', 'linkerd-multicluster-link'),
    chart: 'linkerd-multicluster-link',
    id,
    helmArgs: ['--set', 'targetClusterName=west', '--set', `controllerImageVersion=${LINKERD_VERSION}`, ...helmArgs],
    ours: { ...ours, targetClusterName: 'west' },
    namespace: 'linkerd-multicluster',
    render: () => render(linkerdMulticlusterLinkChart as unknown as ChartDefinition, { ...ours, targetClusterName: 'west' }, 'linkerd-multicluster-link', 'linkerd-multicluster'),
    expected: [],
  };
}

const set = (...kv: string[]) => kv.flatMap((x) => ['--set', x]);
const collector = 'collector.linkerd-jaeger.svc.cluster.local:4317';

/** Every case: add one entry here (a chart's own helper above gives its defaults). */
export const PARITY_CASES: ParityCase[] = [
  {
    upstreamChart: join('charts', 'linkerd-crds'),
    chart: 'linkerd-crds',
    id: 'defaults',
    helmArgs: [],
    ours: {},
    namespace: 'linkerd',
    render: () => allCrds.map((def) => JSON.parse(JSON.stringify(crdBody(def))) as Json),
    expected: [],
  },
  controlPlane('defaults', [], {}),
  controlPlane('ha', ['-f', 'values-ha.yaml'], haValues),
  controlPlane('cni', set('cniEnabled=true'), { cniEnabled: true }),
  controlPlane('external-ca', set('identity.externalCA=true', 'identity.issuer.scheme=kubernetes.io/tls'), { identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } } }),
  controlPlane(
    'tracing',
    set(
      'proxy.tracing.enabled=true',
      `proxy.tracing.collector.endpoint=${collector}`,
      'proxy.tracing.collector.meshIdentity.serviceAccountName=collector',
      'proxy.tracing.collector.meshIdentity.namespace=linkerd-jaeger',
      'controller.tracing.enabled=true',
      `controller.tracing.collector.endpoint=${collector}`,
    ),
    tracingValues({ namespace: 'linkerd-jaeger' }),
  ),
  controlPlane('pod-monitors', set('podMonitor.enabled=true'), { podMonitor: { enabled: true } }),
  viz('defaults', [], {}),
  viz('no-grafana', [], { grafana: { enabled: false } }),
  viz('ha', ['-f', 'values-ha.yaml'], coalesce(vizHaValues, { grafana: { enabled: false } })),
  cni('defaults', [], {}),
  cni('repair-controller', set('repairController.enabled=true'), { repairController: { enabled: true } }),
  cni(
    'ports-gid-one-directory',
    set('ignoreInboundPorts=25\\,4000-4100', 'ignoreOutboundPorts=3306', 'portsToRedirect=8080\\,9090', 'proxyGID=2102', 'destCNIBinDir=/cni', 'destCNINetDir=/cni', 'disableIPv6=false'),
    { ignoreInboundPorts: '25,4000-4100', ignoreOutboundPorts: '3306', portsToRedirect: '8080,9090', proxyGID: 2102, destCNIBinDir: '/cni', destCNINetDir: '/cni', disableIPv6: false },
  ),
  multicluster('defaults', [], {}),
  multicluster('ha', ['-f', 'values-ha.yaml'], multiclusterHaValues),
  multicluster('controllers', ['--set-json', `controllers=${JSON.stringify(CONTROLLERS)}`], { controllers: CONTROLLERS }),
  link('defaults', [], {}),
  link('ha', ['-f', 'values-ha.yaml'], linkHaValues),
  viz('external-prometheus', set('prometheus.enabled=false', 'prometheusUrl=http://prom.example:9090'), { prometheus: { enabled: false }, prometheusUrl: 'http://prom.example:9090' }),
];

/** The fixture file of a case, relative to test/fixtures/upstream/. */
export const factsFile = (c: ParityCase) => join(c.chart, `${c.id}.json`);

const CONTAINER_FACTS = ['image', 'args', 'command', 'env', 'ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'securityContext', 'resources', 'volumeMounts'] as const;

/** Removes prose (`description`) and empty values, so that `resources: null` and a left-out key read alike. */
function plain(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(plain);
  if (x === null || typeof x !== 'object') return x;
  const out: Json = {};
  for (const [k, v] of Object.entries(x as Json)) {
    if (k === 'description' || v === null || v === undefined) continue;
    out[k] = plain(v);
  }
  return out;
}

function podSpecOf(d: Json): Json | undefined {
  const spec = d.spec as Json | undefined;
  if (!spec) return undefined;
  if (d.kind === 'CronJob') return ((((spec.jobTemplate as Json)?.spec as Json)?.template as Json)?.spec as Json) ?? undefined;
  return ((spec.template as Json)?.spec as Json) ?? undefined;
}

/** The facts of one rendered object. */
function objectFacts(d: Json): Json {
  const md = (d.metadata ?? {}) as Json;
  const facts: Json = { kind: d.kind, name: md.name, ...(md.namespace ? { namespace: md.namespace } : {}) };
  const pod = podSpecOf(d);
  if (pod) {
    const containers = (list: unknown) =>
      Object.fromEntries(((list ?? []) as Json[]).map((c) => [c.name as string, plain(Object.fromEntries(CONTAINER_FACTS.filter((k) => c[k] !== undefined).map((k) => [k, c[k]])))]));
    facts.initContainers = containers(pod.initContainers);
    facts.containers = containers(pod.containers);
    facts.volumes = plain(pod.volumes ?? []);
    if (pod.securityContext) facts.podSecurityContext = plain(pod.securityContext);
    if (pod.serviceAccountName) facts.serviceAccountName = pod.serviceAccountName;
  }
  if (d.kind === 'Role' || d.kind === 'ClusterRole') facts.rules = plain(d.rules ?? []);
  if (d.kind === 'RoleBinding' || d.kind === 'ClusterRoleBinding') facts.binding = plain({ roleRef: d.roleRef, subjects: d.subjects });
  if (d.kind === 'MutatingWebhookConfiguration' || d.kind === 'ValidatingWebhookConfiguration') {
    facts.webhooks = ((d.webhooks ?? []) as Json[]).map((w) =>
      plain({ name: w.name, rules: w.rules, failurePolicy: w.failurePolicy, sideEffects: w.sideEffects, namespaceSelector: w.namespaceSelector, objectSelector: w.objectSelector, admissionReviewVersions: w.admissionReviewVersions, service: (w.clientConfig as Json | undefined)?.service }),
    );
  }
  if (d.kind === 'CustomResourceDefinition') {
    const spec = d.spec as Json;
    facts.crd = plain({ group: spec.group, scope: spec.scope, names: spec.names, versions: spec.versions });
  }
  return facts;
}

const identity = (f: Json) => `${f.kind}/${f.namespace ?? ''}/${f.name}`;

/** The facts of a rendering: one entry per object, sorted by identity. */
export function factsOf(objects: Json[]): Json[] {
  return objects.map(objectFacts).sort((a, b) => identity(a).localeCompare(identity(b)));
}

/** Line-per-difference comparison of our facts with upstream's (`Kind/ns/name.path: …`). */
export function factDiff(ours: Json[], theirs: Json[]): string[] {
  const out: string[] = [];
  const label = (f: Json) => `${f.kind}/${f.namespace ?? ''}/${f.name}`.replace('//', '/');
  const byId = (fs: Json[]) => new Map(fs.map((f) => [identity(f), f]));
  const o = byId(ours);
  const t = byId(theirs);
  for (const [id, f] of t) if (!o.has(id)) out.push(`${label(f)}: missing in ours`);
  for (const [id, f] of o) {
    const u = t.get(id);
    if (!u) out.push(`${label(f)}: extra in ours`);
    else diff(label(f), f, u, out);
  }
  return out;
}

function diff(path: string, ours: unknown, theirs: unknown, out: string[]): void {
  const isObj = (x: unknown) => x !== null && typeof x === 'object';
  const scalars = (x: unknown): x is unknown[] => Array.isArray(x) && x.every((i) => !isObj(i));
  if (scalars(ours) && scalars(theirs)) {
    // Lists of scalars (args, verbs, required keys): what one side has and the other lacks, then order.
    const key = (i: unknown) => JSON.stringify(i);
    const extra = ours.filter((i) => !theirs.some((j) => key(j) === key(i)));
    const missing = theirs.filter((i) => !ours.some((j) => key(j) === key(i)));
    if (extra.length > 0) out.push(`${path}: extra in ours ${JSON.stringify(extra)}`);
    if (missing.length > 0) out.push(`${path}: missing in ours ${JSON.stringify(missing)}`);
    const common = (a: unknown[], b: unknown[]) => a.filter((i) => b.some((j) => key(j) === key(i))).map(key).join();
    if (extra.length === 0 && missing.length === 0 && ours.length !== theirs.length) out.push(`${path}: ours ${JSON.stringify(ours)} upstream ${JSON.stringify(theirs)}`);
    else if (common(ours, theirs) !== common(theirs, ours) && !/\.(required|enum)$/.test(path)) out.push(`${path}: order differs, ours ${JSON.stringify(ours)} upstream ${JSON.stringify(theirs)}`);
    return;
  }
  if (!isObj(ours) || !isObj(theirs) || Array.isArray(ours) !== Array.isArray(theirs)) {
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) out.push(`${path}: ours ${JSON.stringify(ours)?.slice(0, 200)} upstream ${JSON.stringify(theirs)?.slice(0, 200)}`);
    return;
  }
  const a = ours as Json;
  const b = theirs as Json;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (!(k in a)) out.push(`${path}.${k}: missing in ours (upstream ${JSON.stringify(b[k]).slice(0, 200)})`);
    else if (!(k in b)) out.push(`${path}.${k}: extra in ours (${JSON.stringify(a[k]).slice(0, 200)})`);
    else diff(`${path}.${k}`, a[k], b[k], out);
  }
}
