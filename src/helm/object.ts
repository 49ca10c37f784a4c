/**
 * Kubernetes objects whose fields may hold symbolic values, and the components
 * that group them into template files.
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct, type IConstruct } from 'constructs';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { Expr } from './expr';
import { Each, Fields, FIELDS_KEY_PREFIX, Include, Lines, Maybe, Range, Splice } from './tree';
import type { HelmValues } from './values';

/** A chart whose components read values through `values`. */
export class ValuesChart<V = unknown> extends Chart {
  constructor(
    scope: Construct,
    id: string,
    private currentValues: HelmValues<V>,
  ) {
    super(scope, id, { disableResourceNameHashes: true });
  }

  /** The values the chart's components are built from. */
  get values(): HelmValues<V> {
    return this.currentValues;
  }

  /** Gives the chart other values; the caller updates its objects' fields (ConcreteChart.addValues). */
  protected replaceValues(values: HelmValues<V>): void {
    this.currentValues = values;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static find(c: IConstruct): ValuesChart<any> {
    const chart = Chart.of(c);
    if (!(chart instanceof ValuesChart)) throw new Error(`${c.node.path} is not inside a ValuesChart`);
    return chart as ValuesChart<unknown>;
  }
}

/**
 * The TypeScript module that called into the engine (the first stack frame outside src/helm/),
 * as `src/<dir>/<module>.ts` whether the sources or the compiled lib/ run.
 */
export function callerModule(): string | undefined {
  for (const line of (new Error().stack ?? '').split('\n').slice(1)) {
    const m = /[/\\](src|lib)[/\\](.+?)\.(ts|js)(?::\d+)+\)?$/.exec(line);
    if (!m) continue;
    const mod = m[2].replace(/\\/g, '/');
    if (mod.startsWith('helm/')) continue;
    return `src/${mod}.ts`;
  }
  return undefined;
}

/** A part of a chart; its objects are written to one template file (`templates/<file>`). */
export class Component extends Construct {
  /** The module that defines this component (named at the top of its template file). */
  readonly module: string | undefined;
  constructor(
    scope: Construct,
    id: string,
    readonly file: string,
  ) {
    super(scope, id);
    this.module = callerModule();
  }
}

/**
 * Any Kubernetes object: `apiVersion`, `kind`, `metadata` (Kubernetes' `ObjectMeta`, with a
 * name) and the rest of its fields. Add a kind's own type from kubernetes-types to have its
 * fields checked too: `new K8sObject<ObjectProps & Deployment>(…)`.
 */
export interface ObjectProps {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** Removes undefined fields and list items, keeping key order (so output reads apiVersion, kind, metadata, spec). Concrete data only. */
export function clean(node: unknown): unknown {
  if (node instanceof Maybe || node instanceof Fields || node instanceof Splice || node instanceof Range || node instanceof Lines || node instanceof Include) {
    throw new Error('a template-mode marker reached concrete output');
  }
  if (Array.isArray(node)) return node.filter((x) => x !== undefined).map(clean);
  if (node !== null && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith(FIELDS_KEY_PREFIX)) throw new Error('a template-mode marker reached concrete output');
      if (v !== undefined) out[k] = clean(v);
    }
    return out;
  }
  return node;
}

export class K8sObject<P extends ObjectProps = ObjectProps> extends ApiObject {
  /** The conditions (and list items) under which this object exists (template mode). */
  readonly guards: readonly (Expr | Each)[];
  /** The template file this object is written to, relative to `templates/`. */
  readonly file: string;
  /** The module of its component. */
  readonly module: string | undefined;

  constructor(
    scope: Construct,
    id: string,
    /** The object's fields; a ConcreteChart given more values replaces them in place (the construct stays). */
    public fields: P,
  ) {
    // cdk8s only needs a name for its own bookkeeping; ours may be symbolic.
    super(scope, id, { apiVersion: 'v1', kind: fields.kind, metadata: { name: id.toLowerCase() } });
    const chart = ValuesChart.find(this);
    this.guards = chart.values.guards;
    chart.values.noteObject(fields);
    let c: IConstruct | undefined = this.node.scope;
    while (c && !(c instanceof Component)) c = c.node.scope;
    if (!c) throw new Error(`${this.node.path}: every object must belong to a Component (its template file)`);
    this.file = (c as Component).file;
    this.module = (c as Component).module;
  }

  override toJson(): Record<string, unknown> {
    return clean(this.fields) as Record<string, unknown>;
  }
}
