/**
 * A chart definition, and its two renderings: concrete objects (TypeScript,
 * dist/, the CLI) and a Helm chart directory (templates + values + schema).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Static, TObject } from '@sinclair/typebox';
import { App } from 'cdk8s';
import type { Construct } from 'constructs';
import { dump } from 'js-yaml';
import { CHART_VERSION, KUBE_VERSION_CONSTRAINT, LINKERD_VERSION, OLDEST_HELM, OLDEST_KUBERNETES, PROJECT_URL, UPSTREAM_URL } from '../version';
import {
  coalesce,
  defaultsOf,
  formatProblem,
  jsonSchemaOf,
  requestLimitPairs,
  validateValues,
  valuesTableOf,
  valuesYamlOf,
  type ValuesProblem,
} from '../values/model';
import { validatorFile } from '../values/precompiled';
import { emitDocument, emitPartials, emitText } from './emit';
import { Bound, Expr, GeneratedCertField, type RenderContext } from './expr';
import { describeMerge, type MapMerge, type MapRule } from './maps';
import { Component, K8sObject, ValuesChart } from './object';
import { emitRules, itemRequestRule, refusedBy, requestRule, type ValuesRule } from './rules';
import { sortedKeys } from './toyaml';
import { prebuilt } from './prebuilt';
import { HelmValues } from './values';
import { SCALAR_TEMPLATE, objectOrder, yamlText } from './yaml';
import { wrapLongLines } from './wrap';

export interface ChartDefinition<S extends TObject = TObject> {
  name: string;
  /** One paragraph for Chart.yaml and the README. */
  description: string;
  keywords: string[];
  /** The version of what the chart installs (Chart.yaml `appVersion`). Default: the Linkerd version. */
  appVersion?: string;
  values: S;
  /** Prose at the top of values.yaml. */
  valuesHeader: string;
  /** README sections (markdown) between the description and the values table. */
  readme: string;
  /** NOTES.txt, as text and release facts. */
  notes(v: HelmValues<Static<S>>): (string | unknown)[];
  /** Builds the chart's components. */
  build(chart: ValuesChart<Static<S>>, v: HelmValues<Static<S>>): void;
  /**
   * Cross-field rules that a JSON schema cannot say, each written once (`rule(key, failWhen,
   * message)`, src/helm/rules.ts): built with symbolic values, evaluated by `resolveValues` and
   * written to templates/validate-values.yaml.
   */
  rules?(v: HelmValues<Static<S>>): ValuesRule[];
  /**
   * What only TypeScript can check (parsing certificates, YAML text), once the schema and
   * the rules pass.
   */
  check?(values: Static<S>): ValuesProblem[];
  /** Extra values files shipped with the chart (e.g. `values-ha.yaml`), as data. */
  presets?: Record<string, Record<string, unknown>>;
  /**
   * What the release's namespace needs (labels, annotations) for the chart's pods to be
   * admitted and for Linkerd to read it. Concrete outputs (constructs, dist/) render the
   * `Namespace` object from it when asked (`namespaceObject`); the Helm chart never does: there
   * `helm install --create-namespace` or Argo CD's `CreateNamespace` owns the namespace.
   */
  namespace?(values: Static<S>, release: Release): NamespaceMetadata;
}

/** Labels and annotations of a release's `Namespace` object. */
export interface NamespaceMetadata {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/**
 * The file of a release's `Namespace` object (ConcreteOptions.namespaceObject): not a template of
 * the chart (Helm leaves the namespace to `--create-namespace`), so its document says so instead
 * of naming a template (sourceComment).
 */
export const NAMESPACE_FILE = 'namespace.yaml';

/** The comment above a rendered document: the template it comes from, as Helm writes it. */
export function sourceComment(chartName: string, file: string): string {
  return file === NAMESPACE_FILE ? `# The namespace of ${chartName} (no template of the chart: helm install --create-namespace makes it)` : `# Source: ${chartName}/templates/${file}`;
}

/** How a concrete rendering is done beyond its values. */
export interface ConcreteOptions {
  /**
   * Renders the `Namespace` object of the release (which the Helm chart has no template for:
   * Helm leaves it to `--create-namespace`), for charts that declare what their namespace
   * needs. Default false.
   */
  namespaceObject?: boolean;
}

export interface Release {
  name: string;
  namespace: string;
}

/** What `helm template` uses when no name or namespace is given. */
export const DEFAULT_RELEASE: Release = { name: 'release-name', namespace: 'default' };

export class ValuesError extends Error {
  constructor(
    readonly chart: string,
    readonly problems: ValuesProblem[],
  ) {
    super(`invalid values for chart ${chart}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ValuesError';
  }
}

/** Helm's merge of several user values sources (later wins; maps merge deeply). */
export function mergeUserValues(...sources: Record<string, unknown>[]): Record<string, unknown> {
  const merge = (a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(b)) {
      const cur = a[k];
      if (v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur)) {
        merge(cur as Record<string, unknown>, v as Record<string, unknown>);
      } else {
        a[k] = structuredClone(v);
      }
    }
    return a;
  };
  return sources.reduce((acc, s) => merge(acc, s), {});
}

interface MapAnalysis {
  /** The owned keys' rules (maps.ts). */
  rules: MapRule[];
  /** The rules for the size of the objects' annotations (annotations.ts). */
  sizes: MapRule[];
  merges: ReadonlyMap<string, MapMerge>;
}
const analyses = new WeakMap<object, MapAnalysis>();

/**
 * How a chart's objects merge user maps with its own keys, and the rules for the keys it owns
 * (maps.ts): found once per chart by building it in template mode. A chart that cannot be
 * built in template mode has none here (writing its templates reports why).
 */
export function mapAnalysis<S extends TObject>(def: ChartDefinition<S>): MapAnalysis {
  let a = analyses.get(def);
  if (!a) {
    try {
      const { v } = templateBuild(def);
      a = { rules: v.mapRules, sizes: v.annotationRules, merges: v.mapMerges };
    } catch {
      a = { rules: [], sizes: [], merges: new Map() };
    }
    analyses.set(def, a);
  }
  return a;
}

const declared = new WeakMap<object, ValuesRule[]>();

/**
 * Every cross-field rule of a chart, each once: its declared `rules`, then the owned keys'
 * (maps.ts), the size of annotations (annotations.ts) and requests above their limits. What
 * `resolveValues` evaluates and validate-values.yaml spells. The built package reads them from its
 * prebuilt data (prebuilt.ts), found by the chart's name: a chart definition of one's own must not
 * take the name of one of the package's charts.
 */
export function valuesRules<S extends TObject>(def: ChartDefinition<S>): ValuesRule[] {
  return prebuilt<PrebuiltChart>(def.name)?.rules ?? builtValuesRules(def);
}

/**
 * What the built package holds of a chart (src/helm/prebuilt.ts), under the chart's name: its
 * rules, and the file name of its values schema's precompiled validator (no digest of the
 * schema at run time).
 */
export interface PrebuiltChart {
  rules: ValuesRule[];
  validator: string;
}

/** A chart's prebuilt data, from its code. */
export function prebuiltChart<S extends TObject>(def: ChartDefinition<S>): PrebuiltChart {
  return { rules: builtValuesRules(def), validator: validatorFile(def.values) };
}

/** `valuesRules` found from the chart's code (what the prebuilt data holds): a template-mode build of the chart. */
export function builtValuesRules<S extends TObject>(def: ChartDefinition<S>): ValuesRule[] {
  let rules = declared.get(def);
  if (!rules) {
    rules = def.rules?.(new HelmValues<Static<S>>('template', def.values, SYMBOLIC)) ?? [];
    declared.set(def, rules);
  }
  const maps = mapAnalysis(def);
  return [...rules, ...maps.rules, ...maps.sizes, ...requestRules(def)];
}

const requests = new WeakMap<object, ValuesRule[]>();

/**
 * A request above its limit, for every request and limit of the values (requestLimitPairs):
 * the API server refuses such a container, so the values are refused first.
 */
function requestRules<S extends TObject>(def: ChartDefinition<S>): ValuesRule[] {
  let rules = requests.get(def);
  if (!rules) {
    rules = requestLimitPairs(def.values).map(({ request, limit, list }) => (list ? itemRequestRule(list, request, limit) : requestRule(request, limit)));
    requests.set(def, rules);
  }
  return rules;
}

/** The rules that refuse a release's full values (valid for the schema). */
export function failingRules<S extends TObject>(def: ChartDefinition<S>, values: Record<string, unknown>): ValuesRule[] {
  return refusedBy(valuesRules(def), context(def, values, DEFAULT_RELEASE));
}

/**
 * What is wrong with a release's full values (defaults coalesced with the user's): the schema's
 * problems, else the rules', else the chart's TypeScript `check`'s. Empty when they are valid.
 */
export function valuesProblems<S extends TObject>(def: ChartDefinition<S>, values: Record<string, unknown>): ValuesProblem[] {
  const problems = validateValues(def.values, values, prebuilt<PrebuiltChart>(def.name)?.validator);
  if (problems.length > 0) return problems;
  const refused = failingRules(def, values).map((r) => ({ key: r.key, message: r.message }));
  if (refused.length > 0) return refused;
  return def.check?.(values as Static<S>) ?? [];
}

/** The full values of a release: defaults coalesced with the user's, validated. Throws ValuesError. */
export function resolveValues<S extends TObject>(def: ChartDefinition<S>, user: Record<string, unknown> = {}): Static<S> {
  const values = coalesce(defaultsOf(def.values), user);
  const problems = valuesProblems(def, values);
  if (problems.length > 0) throw new ValuesError(def.name, problems);
  return sortedKeys(values) as Static<S>;
}

function context<S extends TObject>(def: ChartDefinition<S>, values: Record<string, unknown>, release: Release): RenderContext {
  return {
    values,
    release: { ...release, service: 'Helm' },
    chart: { name: def.name, version: CHART_VERSION, appVersion: def.appVersion ?? LINKERD_VERSION },
  };
}

function objectsOf(chart: Construct): K8sObject[] {
  return chart.node.findAll().filter((c): c is K8sObject => c instanceof K8sObject);
}

/** A chart's objects by construct path relative to the chart. */
function byRelativePath(chart: Construct): Map<string, K8sObject> {
  const prefix = chart.node.path.length + (chart.node.path ? 1 : 0);
  return new Map(objectsOf(chart).map((o) => [o.node.path.slice(prefix), o]));
}

export interface RenderedObject {
  /** Template file, relative to `templates/`. */
  file: string;
  object: Record<string, unknown>;
}

/** Values as a user gives them: any subset of the chart's values. */
export type UserValues<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: UserValues<T[K]> | null } : T;

/**
 * A chart rendered with concrete values, as a cdk8s Chart: what the TypeScript API,
 * dist/ and the CLI use. Values are validated first (ValuesError names each bad key).
 */
export class ConcreteChart<S extends TObject> extends ValuesChart<Static<S>> {
  private user: Record<string, unknown>;
  /** The objects the chart's definition built, by path relative to the chart (not those a user added). */
  private readonly own: ReadonlyMap<string, K8sObject>;
  /** What rendered output from these values at synthesis (after which addValues would come too late). */
  private usedBy?: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly def: ChartDefinition<S>,
    user: UserValues<Static<S>> = {} as UserValues<Static<S>>,
    readonly release: Release = DEFAULT_RELEASE,
    private readonly options: ConcreteOptions = {},
  ) {
    const values = resolveValues(def, user as Record<string, unknown>);
    super(scope, id, new HelmValues<Static<S>>('concrete', def.values, context(def, values as Record<string, unknown>, release)));
    this.user = user as Record<string, unknown>;
    buildInto(this, def, values, release, options);
    this.own = byRelativePath(this);
  }

  /**
   * Merges more values over the chart's own (as a later values file would): how one construct
   * configures another (e.g. LinkerdJaeger turns on the control plane's tracing). Validated like
   * the first values. The chart's objects are updated in place, to the fields a chart built
   * with all the values from the start has: the constructs stay, and so does everything added
   * to the chart, whichever was created first. The values may change the objects' fields, not
   * which objects the chart renders (give such values at construction).
   */
  addValues(more: UserValues<Static<S>>): void {
    if (this.usedBy) {
      throw new Error(`${this.node.path}: addValues after ${this.usedBy} used the chart's values at synthesis; create the constructs that add values (e.g. LinkerdJaeger) before synthesizing`);
    }
    const user = coalesce(this.user, more as Record<string, unknown>);
    const values = resolveValues(this.def, user);
    const fresh = buildConcrete(new App(), this.node.id, this.def, values, this.release, this.options);
    const objects = byRelativePath(fresh);
    const gone = [...this.own.keys()].filter((p) => !objects.has(p));
    const added = [...objects.keys()].filter((p) => !this.own.has(p));
    if (gone.length > 0 || added.length > 0) {
      const list = (ps: string[]) => ps.map((p) => objects.get(p) ?? this.own.get(p)).map((o) => `${o!.fields.kind}/${String(o!.fields.metadata.name)}`).join(', ');
      throw new Error(
        `${this.node.path}: addValues would change which objects the chart renders (${[added.length ? `adds ${list(added)}` : '', gone.length ? `removes ${list(gone)}` : ''].filter(Boolean).join('; ')}); give these values when the chart is created`,
      );
    }
    this.user = user;
    for (const [path, o] of this.own) o.fields = objects.get(path)!.fields;
    this.replaceValues(fresh.values);
  }

  /**
   * Records that `by` rendered output from the chart's current values at synthesis (e.g.
   * injectProxy's proxy); addValues after that throws instead of leaving that output stale.
   */
  markValuesUsed(by: string): void {
    this.usedBy ??= by;
  }

  /** The resolved values (defaults, then the given values). */
  get resolvedValues(): Static<S> {
    return this.values.data;
  }
}

/** Builds a chart's components with already resolved values into `scope`. */
export function buildConcrete<S extends TObject>(
  scope: Construct,
  id: string,
  def: ChartDefinition<S>,
  values: Static<S>,
  release: Release,
  options: ConcreteOptions = {},
): ValuesChart<Static<S>> {
  const v = new HelmValues<Static<S>>('concrete', def.values, context(def, values as Record<string, unknown>, release));
  const chart = new ValuesChart(scope, id, v);
  buildInto(chart, def, values, release, options);
  return chart;
}

/** The chart's components, after its `Namespace` object when asked for (so cdk8s writes that first). */
function buildInto<S extends TObject>(chart: ValuesChart<Static<S>>, def: ChartDefinition<S>, values: Static<S>, release: Release, options: ConcreteOptions): void {
  const needs = options.namespaceObject ? def.namespace?.(values, release) : undefined;
  if (needs) {
    const metadata = { name: release.namespace, labels: needs.labels, ...(needs.annotations && Object.keys(needs.annotations).length > 0 ? { annotations: needs.annotations } : {}) };
    new K8sObject(new Component(chart, 'namespace', NAMESPACE_FILE), 'namespace', { apiVersion: 'v1', kind: 'Namespace', metadata });
  }
  def.build(chart, chart.values);
}

/** The objects a release renders, in template-file order (as `helm template` lists them). */
export function renderObjects<S extends TObject>(def: ChartDefinition<S>, values: Static<S>, release: Release = DEFAULT_RELEASE, options: ConcreteOptions = {}): RenderedObject[] {
  const chart = buildConcrete(new App(), def.name, def, values, release, options);
  return objectsOf(chart).map((o) => ({ file: o.file, object: o.toJson() }));
}

/**
 * The order in which Helm installs kinds (and `helm template` prints them): Helm 4's
 * releaseutil.InstallOrder; other kinds follow, by name. (Helm 3's list ends at APIService: it
 * sorts the webhook configurations among the other kinds, by name, so its documents can come in
 * another order; each document's text is the same.)
 */
const INSTALL_ORDER = [
  'PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList',
  'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding',
  'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment',
  'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
];

/** Whether Helm takes the object for a hook (`helm.sh/hook`): printed after the others. */
export function isHook(o: RenderedObject): boolean {
  return Boolean(((o.object.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations ?? {})['helm.sh/hook']);
}

/**
 * Objects in the order `helm template` prints them: hooks last; the others by kind in install
 * order (unknown kinds after, by name), then by template file, then as the file lists them.
 */
export function helmOrder(objects: RenderedObject[]): RenderedObject[] {
  const rank = (kind: string) => {
    const i = INSTALL_ORDER.indexOf(kind);
    return i >= 0 ? i : INSTALL_ORDER.length;
  };
  const byFile = (a: RenderedObject, b: RenderedObject) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);
  const indexed = objects.map((o, i) => ({ o, i }));
  const manifests = indexed
    .filter(({ o }) => !isHook(o))
    .sort((a, b) => {
      const [ka, kb] = [String(a.o.object.kind), String(b.o.object.kind)];
      const d = rank(ka) - rank(kb);
      if (d !== 0) return d;
      if (rank(ka) === INSTALL_ORDER.length && ka !== kb) return ka < kb ? -1 : 1;
      return byFile(a.o, b.o) || a.i - b.i;
    });
  const hooks = indexed.filter(({ o }) => isHook(o)).sort((a, b) => byFile(a.o, b.o) || a.i - b.i);
  return [...manifests, ...hooks].map(({ o }) => o);
}

/**
 * Multi-document YAML as `helm template` frames it without blank lines (Helm 3's framing; dist/
 * and the snapshots): the command prints Helm 4's framing (src/cli/manifest.ts).
 */
export function toManifest(chartName: string, objects: RenderedObject[]): string {
  return objects
    .map(({ file, object }) => `---\n${sourceComment(chartName, file)}\n${yamlText(objectOrder(object))}`)
    .join('');
}

const SYMBOLIC: RenderContext = { values: {}, release: { name: '', namespace: '', service: '' }, chart: { name: '', version: '', appVersion: '' } };

function templateBuild<S extends TObject>(def: ChartDefinition<S>): { v: HelmValues<Static<S>>; chart: ValuesChart<Static<S>> } {
  const v = new HelmValues<Static<S>>('template', def.values, { ...SYMBOLIC, chart: { ...SYMBOLIC.chart, name: def.name } });
  const chart = new ValuesChart(new App(), def.name, v);
  def.build(chart, v);
  return { v, chart };
}

/** The template files of a chart: path under `templates/` → text. */
export function renderTemplates<S extends TObject>(def: ChartDefinition<S>): Map<string, string> {
  const { v, chart } = templateBuild(def);
  const files = new Map<string, string[]>();
  const modules = new Map<string, Set<string>>();
  for (const o of objectsOf(chart)) {
    const docs = files.get(o.file) ?? [];
    docs.push(emitDocument(o.fields as Record<string, unknown>, o.guards));
    files.set(o.file, docs);
    if (o.module) modules.set(o.file, (modules.get(o.file) ?? new Set()).add(o.module));
  }
  const out = new Map<string, string>();
  for (const [file, docs] of files) {
    const { declarations, text: body } = Bound.bindVariables(docs.join('\n'));
    const from = [...(modules.get(file) ?? [])];
    const header = `{{- /* Generated by cdk8s-linkerd from ${from.length ? from.join(', ') : 'its TypeScript model'}; do not edit. */}}`;
    out.set(file, `${[header, ...GeneratedCertField.declarations(body), ...declarations, body].join('\n')}\n`);
  }
  for (const [file, text] of emitPartials(v.partials)) {
    if (out.has(file)) throw new Error(`templates/${file}: a shared definition's file has the name of a template file`);
    out.set(file, text);
  }
  for (const [file, text] of out) out.set(file, wrapLongLines(text));
  out.set('_helpers.tpl', `${SCALAR_TEMPLATE}\n`);
  out.set('NOTES.txt', wrapLongLines(emitText(def.notes(v).map((p) => (p instanceof Expr ? p : String(p))))));
  const rules = emitRules(valuesRules(def));
  if (rules) out.set('validate-values.yaml', wrapLongLines(rules));
  return out;
}

/** Every file of the Helm chart directory: relative path → content. */
export function chartFiles<S extends TObject>(def: ChartDefinition<S>): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'Chart.yaml',
    dump(
      {
        apiVersion: 'v2',
        name: def.name,
        description: def.description,
        type: 'application',
        version: CHART_VERSION,
        appVersion: def.appVersion ?? LINKERD_VERSION,
        kubeVersion: KUBE_VERSION_CONSTRAINT,
        keywords: def.keywords,
        home: 'https://linkerd.io',
        sources: [PROJECT_URL, UPSTREAM_URL],
        maintainers: [{ name: 'cdk8s-linkerd maintainers', url: PROJECT_URL }],
        icon: 'https://linkerd.io/images/logo-only-200h.png',
        annotations: { 'cdk8s-linkerd/generated': 'true' },
      },
      { lineWidth: -1 },
    ),
  );
  files.set('values.yaml', valuesYamlOf(def.values, def.valuesHeader));
  files.set('values.schema.json', `${JSON.stringify(jsonSchemaOf(def.values), null, 2)}\n`);
  files.set('.helmignore', '.DS_Store\n*.tgz\n*.orig\n*~\n');
  for (const [file, text] of renderTemplates(def)) files.set(`templates/${file}`, text);
  for (const [name, values] of Object.entries(def.presets ?? {})) {
    files.set(name, `# ${name}: a preset for ${def.name} (generated; see the chart README).\n${dump(values, { lineWidth: -1, forceQuotes: true, quotingType: '"' })}`);
  }
  files.set(
    'README.md',
    [
      `# ${def.name}`,
      '',
      `![Version: ${CHART_VERSION}](https://img.shields.io/badge/Version-${CHART_VERSION.replace(/-/g, '--')}-informational) ![AppVersion: ${def.appVersion ?? LINKERD_VERSION}](https://img.shields.io/badge/AppVersion-${(def.appVersion ?? LINKERD_VERSION).replace(/-/g, '--')}-informational)`,
      '',
      def.description,
      '',
      `This chart is generated by [cdk8s-linkerd](${PROJECT_URL}) from its TypeScript model, for Linkerd ${LINKERD_VERSION}.`,
      '',
      `Requires Kubernetes ${OLDEST_KUBERNETES} or later (\`kubeVersion: ${KUBE_VERSION_CONSTRAINT}\`) and Helm ${OLDEST_HELM} or later, Helm 4 included.`,
      '',
      def.readme.trim(),
      '',
      '## Values',
      '',
      withMergeNotes(valuesTableOf(def.values), mapAnalysis(def).merges),
      '',
    ].join('\n'),
  );
  return files;
}

/** The values table with, for each user map merged with the chart's keys, how (appended to its description). */
function withMergeNotes(table: string, merges: ReadonlyMap<string, MapMerge>): string {
  const notes: string[] = [];
  const rows = table.split('\n').map((row) => {
    const path = /^\| `([^`]+)` \|/.exec(row)?.[1];
    const m = path === undefined ? undefined : merges.get(path);
    const note = m ? describeMerge(m) : '';
    if (!note) return row;
    notes.push(...wrapProse(`- \`${path}\`: ${note}`, 100, '  '));
    return row.replace(/ \|$/, ` Merged with the chart's keys ([how](#maps-merged-with-the-charts-keys)). |`);
  });
  if (notes.length === 0) return rows.join('\n');
  return [...rows, '', "### Maps merged with the chart's keys", '', ...notes].join('\n');
}

/** Markdown prose broken between words at `width` columns, continuation lines indented. */
function wrapProse(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

/** Writes the chart into `dir/<name>`, replacing what was there. */
export function writeChart<S extends TObject>(def: ChartDefinition<S>, dir: string): string {
  const root = join(dir, def.name);
  rmSync(root, { recursive: true, force: true });
  for (const [file, content] of chartFiles(def)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  }
  return root;
}
