/**
 * The object components read their configuration through (`v`).
 *
 * The same component code runs in two modes:
 * - concrete: every helper returns plain data computed from the values;
 * - template: helpers return symbolic expressions and markers, which the
 *   emitter turns into Helm template text.
 *
 * Every helper builds its expression once; concrete mode evaluates it on the
 * spot, so both meanings come from the same definition.
 */
import type { TSchema } from '@sinclair/typebox';
import { Construct } from 'constructs';
import { yamlText as writeYaml } from './yaml';
import {
  ArgRef,
  Bound,
  BuiltInRef,
  ClusterAnnotation,
  ClusterHas,
  Compare,
  Default,
  Dig,
  Eq,
  Expr,
  Fmt,
  HasKey,
  Join,
  ToJson,
  GeneratedCertField,
  Field,
  ToYaml,
  TplYaml,
  Replace,
  ValuesView,
  IntOp,
  MergeMaps,
  Lit,
  Logic,
  Not,
  Ref,
  StrFn,
  Ternary,
  Truthy,
  Var,
  VersionBelow,
  goTruthy,
  type RenderContext,
  type ValueFacts,
  type ValueType,
} from './expr';
import { analyzeAnnotations, annotationRules } from './annotations';
import { analyzeObject, walkObjects, type MapMerge, type MapRule } from './maps';
import { callerModule } from './object';
import { Each, Fields, Include, Lines, MapSplice, Maybe, Owned, Range, SharedPart, Splice, YamlText, fieldsKey, isPlain } from './tree';

type Prev = [never, 0, 1, 2, 3, 4, 5, 6, 7, 8];

/** Every dotted path into a values type (objects only; lists and maps are leaves). */
export type ValuePath<T, D extends number = 8> = [D] extends [never]
  ? never
  : T extends readonly unknown[]
    ? never
    : T extends object
      ? {
          [K in keyof T & string]:
            | K
            | (NonNullable<T[K]> extends readonly unknown[]
                ? never
                : NonNullable<T[K]> extends object
                  ? string extends keyof NonNullable<T[K]>
                    ? never
                    : `${K}.${ValuePath<NonNullable<T[K]>, Prev[D]>}`
                  : never);
        }[keyof T & string]
      : never;

/** The type of the value at a dotted path. */
export type ValueAt<T, P extends string> = P extends `${infer K}.${infer R}`
  ? K extends keyof T
    ? ValueAt<NonNullable<T[K]>, R>
    : never
  : P extends keyof T
    ? T[P]
    : never;

/** A condition: a values path (truthy when set and non-empty) or a boolean from the helpers. */
export type Condition<V> = ValuePath<V> | boolean;

export type Mode = 'concrete' | 'template';

/**
 * Folds conditions on constants (settings a component fixes), so templates hold no
 * `{{ if true }}`: a condition whose value is known at build time becomes a literal.
 */
function fold(e: Expr): Expr {
  if (e instanceof Lit) return e;
  if (e instanceof Truthy) {
    const inner = fold(e.inner);
    return inner instanceof Lit ? new Lit(goTruthy(inner.value)) : inner === e.inner ? e : new Truthy(inner);
  }
  if (e instanceof Not) {
    const inner = fold(e.inner);
    return inner instanceof Lit ? new Lit(!goTruthy(inner.value)) : inner === e.inner ? e : new Not(inner);
  }
  if (e instanceof Logic) {
    const absorbing = e.op === 'or';
    const rest: Expr[] = [];
    for (const o of e.operands.map(fold)) {
      if (!(o instanceof Lit)) rest.push(o);
      else if (goTruthy(o.value) === absorbing) return new Lit(absorbing);
    }
    if (rest.length === 0) return new Lit(!absorbing);
    return rest.length === 1 ? new Truthy(rest[0]) : new Logic(e.op, rest);
  }
  return e;
}

const ENTRY_LIST = Symbol('entry-list');
/** Lists made by `entries`: flattened when nested. */
export function isEntryList(x: unknown): x is unknown[] {
  return Array.isArray(x) && (x as unknown as Record<symbol, unknown>)[ENTRY_LIST] === true;
}

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  anyOf?: SchemaNode[];
}

function schemaAt(schema: SchemaNode, path: readonly string[]): SchemaNode | undefined {
  let cur: SchemaNode | undefined = schema;
  for (const key of path) {
    if (!cur) return undefined;
    if (cur.properties && key in cur.properties) cur = cur.properties[key];
    else if (cur.patternProperties) cur = Object.values(cur.patternProperties)[0];
    else if (cur.additionalProperties && typeof cur.additionalProperties === 'object') cur = cur.additionalProperties;
    else return undefined;
  }
  return cur;
}

/** What printing a value needs to know of its schema node; `present` when every key on the path is required and the value cannot be null. */
function nodeFacts(node: SchemaNode, present: boolean): ValueFacts {
  const n = node as SchemaNode & { enum?: unknown[]; pattern?: string; minimum?: number; maximum?: number; items?: SchemaNode };
  const nullable = Array.isArray(n.type) && n.type.includes('null');
  return {
    ...(n.enum ? { enum: n.enum } : {}),
    ...(typeof n.pattern === 'string' ? { pattern: n.pattern } : {}),
    ...(typeof n.minimum === 'number' ? { minimum: n.minimum } : {}),
    ...(typeof n.maximum === 'number' ? { maximum: n.maximum } : {}),
    ...(n.items && typeof n.items === 'object' ? { items: nodeFacts(n.items, true) } : {}),
    present: present && !nullable && !n.anyOf,
  };
}

/** The facts of the value at a path (see nodeFacts). */
function factsAt(schema: SchemaNode, path: readonly string[]): ValueFacts | undefined {
  let cur: SchemaNode | undefined = schema;
  let present = true;
  for (const key of path) {
    if (!cur) return undefined;
    if (cur.properties && key in cur.properties) {
      present &&= (cur.required ?? []).includes(key);
      cur = cur.properties[key];
    } else return undefined;
  }
  return cur ? nodeFacts(cur, present) : undefined;
}

function valueType(node: SchemaNode): ValueType {
  // A nullable value has the type of its non-null form (null only occurs where it is not used).
  const nonNull = Array.isArray(node.type) ? node.type.filter((x) => x !== 'null') : [];
  // A string or a number (a Kubernetes quantity) is printed as Go prints either: strings as they are, numbers as floats.
  if (nonNull.length === 2 && nonNull.includes('string') && nonNull.includes('number')) return 'number';
  const t = Array.isArray(node.type) && nonNull.length === 1 ? nonNull[0] : node.type;
  if (typeof t === 'string' && ['string', 'integer', 'number', 'boolean', 'object', 'array'].includes(t)) return t as ValueType;
  return 'any';
}

export class HelmValues<V> {
  private readonly guardStack: (Expr | Each)[] = [];
  private rangeDepth = 0;
  private readonly merges = new Map<string, MapMerge>();
  private readonly rules = new Map<string, MapRule>();
  private readonly shared = new Map<string, SharedPart>();

  constructor(
    readonly mode: Mode,
    private readonly schema: TSchema,
    private readonly ctx: RenderContext,
  ) {}

  /** Concrete values (concrete mode only). */
  get data(): V {
    if (this.mode !== 'concrete') throw new Error('values are symbolic in template mode');
    return this.ctx.values as V;
  }

  /** The conditions (and list items, `each`) that guard objects created right now, outermost first (template mode). */
  get guards(): readonly (Expr | Each)[] {
    return [...this.guardStack];
  }

  private out<T>(e: Expr): T {
    return (this.mode === 'concrete' ? e.evaluate(this.ctx) : e) as T;
  }

  /** In concrete mode a plain value becomes a literal; in template mode it may already be an expression. */
  private expr(x: unknown): Expr {
    if (x instanceof Expr) return x;
    if (x === undefined) return new Lit(null);
    if (x === null || ['string', 'number', 'boolean'].includes(typeof x)) return new Lit(x as string | number | boolean | null);
    if (this.mode === 'concrete') return new ConcreteData(x);
    if (isPlain(x)) return new DataLit(x);
    throw new Error('a structure holding symbolic values cannot be used in a template-mode expression');
  }

  private refExpr(path: string): Ref {
    const parts = path.split('.');
    const node = schemaAt(this.schema as SchemaNode, parts);
    if (!node) throw new Error(`unknown values key '${path}'`);
    return new Ref(parts, valueType(node), new Set(), factsAt(this.schema as SchemaNode, parts));
  }

  private condExpr(c: Condition<V>): Expr {
    if (typeof c === 'string') return new Truthy(this.refExpr(c));
    if ((c as unknown) instanceof Expr) return fold(c as unknown as Expr);
    return new Lit(c);
  }

  /** The value at a path: plain in concrete mode, `{{ .Values.path }}` in templates. */
  ref<P extends ValuePath<V>>(path: P): ValueAt<V, P> {
    return this.out(this.refExpr(path));
  }

  /**
   * A values section as an object of its values, one per key (recursively for nested
   * sections): plain data in concrete mode, one reference per leaf in templates. Spread it
   * and override keys with constants to derive settings: `{ ...v.section('proxy'), await: false }`.
   */
  section<P extends ValuePath<V>>(path: P): ValueAt<V, P> {
    const parts = (path as string).split('.');
    const node = schemaAt(this.schema as SchemaNode, parts);
    if (!node) throw new Error(`unknown values key '${path}'`);
    if (this.mode === 'concrete') return this.refExpr(path as string).evaluate(this.ctx) as ValueAt<V, P>;
    // Only always-present (required) objects are opened up: a Go template cannot read a
    // field of a missing map, so optional sections stay whole values; so does a value with a
    // default of its own (val.kubernetesResources), passed through as given.
    const build = (n: SchemaNode, at: string[]): unknown => {
      if (n.type === 'object' && n.properties && (n as { default?: unknown }).default === undefined) {
        return Object.fromEntries(
          Object.entries(n.properties).map(([k, child]) => [
            k,
            (n.required ?? []).includes(k) ? build(child, [...at, k]) : new Ref([...at, k], valueType(child), new Set(), factsAt(this.schema as SchemaNode, [...at, k])),
          ]),
        );
      }
      return new Ref(at, valueType(n), new Set(), factsAt(this.schema as SchemaNode, at));
    };
    return build(node, parts) as ValueAt<V, P>;
  }

  /**
   * A key of an object value that may be absent (an optional values section):
   * `undefined` in concrete mode when absent, a nil-safe reference in templates.
   * `type` tells the engine what a field of a range value holds (needed to embed it in strings).
   */
  get<T, K extends keyof NonNullable<T>>(obj: T, key: K, type?: ValueType): NonNullable<T>[K] | undefined {
    // Constants (settings a component fixes) are plain data in both modes.
    if (this.mode === 'concrete' || !((obj as unknown) instanceof Expr)) {
      return (obj as Record<string, unknown> | undefined)?.[key as string] as NonNullable<T>[K] | undefined;
    }
    if (!((obj as unknown) instanceof Ref)) return new Field(obj as unknown as Expr, key as string, type) as never;
    const ref = obj as unknown as Ref;
    const node = schemaAt(this.schema as SchemaNode, [...ref.path, key as string]);
    return ref.child(key as string, node ? valueType(node) : (type ?? 'any')) as never;
  }

  /** Whether a value (`v.ref('a.b')`, a section's or `v.get`'s) is set at all, even to false or empty: Helm's `hasKey`. */
  isSet(x: unknown): boolean {
    if (x instanceof Field) return this.out(new HasKey(x.obj, x.key));
    if (!(x instanceof Ref)) return x !== undefined;
    const parent = x.path.length > 1 ? new Ref(x.path.slice(0, -1), 'object', x.mayBeAbsent) : null;
    return this.out(new HasKey(parent, x.path[x.path.length - 1]));
  }

  /** Truthiness of any value (Go template rules). */
  truthy(x: unknown): boolean {
    return this.out(fold(new Truthy(this.expr(x))));
  }

  /** `value` when it is truthy, else `fallback` (sprig `default`), for values at hand. */
  orElse<T>(value: T, fallback: T): T {
    return this.out(new Default(this.expr(value), this.expr(fallback)));
  }

  /** Release and chart facts (`.Release.Namespace`, ...). */
  get release(): { name: string; namespace: string; service: string } {
    return {
      name: this.out(new BuiltInRef('Release.Name')),
      namespace: this.out(new BuiltInRef('Release.Namespace')),
      service: this.out(new BuiltInRef('Release.Service')),
    };
  }
  get chart(): { name: string; version: string; appVersion: string } {
    return {
      name: this.out(new BuiltInRef('Chart.Name')),
      version: this.out(new BuiltInRef('Chart.Version')),
      appVersion: this.out(new BuiltInRef('Chart.AppVersion')),
    };
  }

  /** A string with values inside: v.fmt`${v.ref('image.name')}:${v.ref('image.version')}`. */
  fmt(strings: TemplateStringsArray, ...args: unknown[]): string {
    const parts: (string | Expr)[] = [];
    strings.forEach((s, i) => {
      if (s) parts.push(s);
      if (i >= args.length) return;
      // Constant text and strings built by fmt join the format itself, so templates spell one printf.
      const arg = args[i];
      if (typeof arg === 'string') parts.push(arg);
      else if (arg instanceof Fmt) parts.push(...arg.parts);
      else parts.push(this.expr(arg));
    });
    return this.out(new Fmt(parts));
  }

  /** Conditions: a values path (its truthiness), a boolean from these helpers, or a constant. */
  not(c: Condition<V>): boolean {
    return this.out(fold(new Not(this.condExpr(c))));
  }
  and(...cs: Condition<V>[]): boolean {
    return this.out(fold(new Logic('and', cs.map((c) => this.condExpr(c)))));
  }
  or(...cs: Condition<V>[]): boolean {
    return this.out(fold(new Logic('or', cs.map((c) => this.condExpr(c)))));
  }
  eq<T extends string | number | boolean>(a: T, b: T): boolean {
    const [x, y] = [this.expr(a), this.expr(b)];
    // Settings a component fixes compare at build time (no `{{ if eq "a" "b" }}` in templates).
    if (x instanceof Lit && y instanceof Lit) return this.out(new Lit(x.value === y.value));
    return this.out(new Eq(x, y));
  }
  /** Integer comparisons (both meanings). */
  lt(a: number, b: number): boolean {
    return this.out(new Compare('lt', this.expr(a), this.expr(b)));
  }
  le(a: number, b: number): boolean {
    return this.out(new Compare('le', this.expr(a), this.expr(b)));
  }
  gt(a: number, b: number): boolean {
    return this.out(new Compare('gt', this.expr(a), this.expr(b)));
  }
  ge(a: number, b: number): boolean {
    return this.out(new Compare('ge', this.expr(a), this.expr(b)));
  }

  /**
   * Whether a cluster-scoped object exists in the cluster the release goes into (Helm
   * `lookup`, for NOTES.txt): false without a cluster, as for `helm template`.
   */
  clusterHas(apiVersion: string, kind: string, name: string): boolean {
    return this.out(new ClusterHas(apiVersion, kind, name));
  }
  /** An annotation of a cluster-scoped object in the cluster (Helm `lookup`): '' when absent, and without a cluster. */
  clusterAnnotation(apiVersion: string, kind: string, name: string, annotation: string): string {
    return this.out(new ClusterAnnotation(apiVersion, kind, name, annotation));
  }
  /** Whether `version` (`v1.2.3`) is a release below `minimum`; false for '' and anything that is not a release version. */
  versionBelow(version: string, minimum: string): boolean {
    return this.out(new VersionBelow(this.expr(version), minimum));
  }

  /** `s` with every `from` replaced by `to`. */
  replace(s: string, from: string, to: string): string {
    return this.out(new Replace(this.expr(s), from, to));
  }

  /** `cond ? a : b` with both meanings. */
  ternary<T>(c: Condition<V>, whenTrue: T, whenFalse: T): T {
    const cond = this.condExpr(c);
    if (this.mode === 'template' && cond instanceof Lit) return goTruthy(cond.value) ? whenTrue : whenFalse;
    return this.out(new Ternary(cond, this.expr(whenTrue), this.expr(whenFalse)));
  }

  /** A field value that is left out (key absent) unless `c` holds. */
  maybe<T>(c: Condition<V>, node: T): T | undefined {
    const cond = this.condExpr(c);
    if (this.mode === 'concrete' || cond instanceof Lit) return goTruthy(cond.evaluate(this.ctx)) ? node : undefined;
    return new Maybe(cond, node) as unknown as T;
  }
  /** The value at `path`, with the key left out when the value is empty. */
  optional<P extends ValuePath<V>>(path: P): ValueAt<V, P> | undefined {
    return this.maybe(path, this.ref(path));
  }

  /** Fields to spread into an object: `{ ...v.fields('x', { a: 1 }) }`. */
  fields<T extends object, E extends object = Record<never, never>>(c: Condition<V>, then: T, otherwise?: E): Partial<T & E> {
    const cond = this.condExpr(c);
    if (this.mode === 'concrete' || cond instanceof Lit) return (goTruthy(cond.evaluate(this.ctx)) ? then : (otherwise ?? {})) as Partial<T & E>;
    return { [fieldsKey()]: new Fields(cond, then as Record<string, unknown>, otherwise as Record<string, unknown> | undefined) } as Partial<T & E>;
  }

  /**
   * The entries of a map value, to spread into an object. The object's order is the
   * precedence, in both modes (JavaScript's spread): `{ a: 'x', ...v.spreadMap(m) }` — m's
   * `a` wins; `{ ...v.spreadMap(m), a: 'x' }` — the chart's `a` wins; of two maps the later
   * wins. Keys the object owns (`v.owned`) may not be in m at all. A merged map
   * (`v.merge(a, b)`) is spliced as its two maps. For maps of scalars (labels, annotations).
   */
  spreadMap<T extends Record<string, unknown>>(map: T | undefined): Partial<T> {
    if (this.mode === 'concrete') return { ...(map ?? {}) } as Partial<T>;
    const parts = (e: Expr): Expr[] => (e instanceof MergeMaps ? [...parts(e.base), ...parts(e.over)] : [e]);
    return Object.fromEntries(parts(this.expr(map)).map((p) => [fieldsKey(), new MapSplice(p)])) as Partial<T>;
  }

  /**
   * Fields that the chart owns — selector labels, the labels Linkerd itself reads: a user map
   * spread into the same object (`v.spreadMap`) may not set them. Setting one is a values error
   * (`podLabels.component: set by the chart; cannot be overridden`), from Helm
   * (validate-values.yaml) and from TypeScript (`resolveValues`) alike.
   */
  owned<T extends Record<string, unknown>>(fields: T): T {
    if (this.mode === 'concrete') return fields;
    const keys = Object.keys(fields).filter((k) => fields[k] !== undefined);
    return { ...fields, [fieldsKey()]: new Owned(keys) } as T;
  }

  /** Records how an object's user maps merge with its keys (template mode; see maps.ts). */
  noteObject(tree: unknown): void {
    if (this.mode !== 'template') return;
    walkObjects(tree, (obj) => analyzeObject(obj, this.merges, this.rules));
    analyzeAnnotations(tree, this.annotationSizes);
  }

  /** The annotations size conditions found so far, by the user maps in them (template mode; see annotations.ts). */
  private readonly annotationSizes = new Map<string, Expr[]>();

  /** The rules for the keys the chart owns, found in the objects built so far (template mode). */
  get mapRules(): MapRule[] {
    return [...this.rules.values()];
  }

  /** The rules for the size of the objects' annotations, found in the objects built so far (template mode). */
  get annotationRules(): MapRule[] {
    return annotationRules(this.annotationSizes);
  }

  /** How each user map (by values path) merges with the chart's keys, for the objects built so far. */
  get mapMerges(): ReadonlyMap<string, MapMerge> {
    return this.merges;
  }

  /**
   * A self-signed certificate that Helm generates at render time for `host` (webhooks):
   * `{ Cert, Key }` PEMs. Use both fields in the same template file (Component).
   */
  selfSignedCert(id: string, host: string, days = 365): { Cert: string; Key: string } {
    const h = this.expr(host);
    return {
      Cert: this.out(new GeneratedCertField(h, days, 'Cert', id)),
      Key: this.out(new GeneratedCertField(h, days, 'Key', id)),
    };
  }

  /** A value as JSON text (keys sorted, as Go writes it). */
  toJson(x: unknown): string {
    return this.out(new ToJson(this.expr(x)));
  }
  /** A list of strings joined. */
  join(list: readonly string[], separator: string): string {
    return this.out(new Join(this.expr(list), separator));
  }

  /** A YAML mapping given as template text in a value (only release facts; see `tplProblem`). */
  tplYaml(text: string): Record<string, unknown> {
    return this.out(new TplYaml(this.expr(text)));
  }

  /**
   * A tree (with values, optional fields, splices… inside) as the text of a YAML document,
   * for configuration files in ConfigMaps. Compare renderings by parsing the text.
   */
  yamlText(tree: Record<string, unknown>): string {
    if (this.mode === 'concrete') return writeYaml(tree);
    return new YamlText(tree) as unknown as string;
  }

  /** A value as YAML text. */
  toYaml(x: unknown): string {
    return this.out(new ToYaml(this.expr(x)));
  }

  /** The whole values with the keys at `omit` removed and those at `replace` set. */
  valuesView(omit: ValuePath<V>[], replace: Partial<Record<ValuePath<V>, unknown>> = {}): V {
    const paths = (ps: string[]) => ps.map((p) => p.split('.'));
    return this.out(
      new ValuesView(
        paths(omit as string[]),
        Object.entries(replace).map(([p, value]) => ({ path: p.split('.'), value: this.expr(value) })),
      ),
    );
  }

  /** Two maps of strings merged, `over` winning. */
  merge<T extends Record<string, string>>(base: T, over: T): T {
    return this.out(new MergeMaps(this.expr(base), this.expr(over)));
  }

  /** What the entries of a map value hold, from the schema when it is a values reference. */
  private entryType(map: unknown): ValueType {
    if (!(map instanceof Ref)) return 'any';
    const node = schemaAt(this.schema as SchemaNode, map.path);
    const valueNode = node?.patternProperties ? Object.values(node.patternProperties)[0] : typeof node?.additionalProperties === 'object' ? node.additionalProperties : undefined;
    return valueNode ? valueType(valueNode) : 'any';
  }

  /**
   * One list item per entry of a map (or list) value, in key order:
   * `[...v.entries(v.ref('proxy.inbound'), (key, value) => ({ name: key, value }))]`. Ranges
   * nest: pass a value from an outer callback; when `fn` returns the result of another
   * `entries`, its items are flattened into this list. The entries' type is the schema's for a
   * values reference, else `valueType`.
   */
  entries<T>(map: T, fn: (key: string, value: NonNullable<T>[keyof NonNullable<T>]) => unknown, valueType: ValueType = this.entryType(map)): never[] {
    let items: unknown[];
    if (this.mode === 'concrete') {
      // Helm ranges over a map in key order, over a list in list order.
      const entries: [string, unknown][] = Array.isArray(map)
        ? map.map((x, i) => [String(i), x])
        : Object.keys((map ?? {}) as object)
            .sort()
            .map((k) => [k, (map as Record<string, unknown>)[k]]);
      items = entries.flatMap(([k, x]) => {
        const item = fn(k, x as NonNullable<T>[keyof NonNullable<T>]);
        return isEntryList(item) ? item : [item];
      });
    } else {
      this.rangeDepth += 1;
      try {
        const n = this.rangeDepth;
        const key = new Var(`$k${n}`, 'string', `range key #${n}`);
        const value = new Var(`$v${n}`, valueType, `range value #${n}`);
        const item = fn(key as unknown as string, value as unknown as NonNullable<T>[keyof NonNullable<T>]);
        items = [new Range(this.expr(map), key, value, item)];
      } finally {
        this.rangeDepth -= 1;
      }
    }
    return Object.defineProperty(items, ENTRY_LIST, { value: true, enumerable: false }) as never[];
  }

  /** The items of a list value, to spread into a list: `[a, ...v.splice(v.ref('extraArgs'))]` (absent or empty: no items). */
  splice<T>(list: readonly T[] | undefined): T[] {
    if (this.mode === 'concrete') return [...(list ?? [])];
    return [new Splice(this.expr(list))] as never;
  }

  /**
   * A string with one line per map entry, in key order, each ending in a newline:
   * `v.lines(labels, (k, val) => v.fmt`${k}=${val}`)`. Lines must not contain newlines.
   */
  lines<T>(map: T, fn: (key: string, value: T[keyof T]) => string): string {
    if (this.mode === 'concrete') {
      const obj = (map ?? {}) as Record<string, unknown>;
      return Object.keys(obj)
        .sort()
        .map((k) => `${fn(k, obj[k] as T[keyof T])}\n`)
        .join('');
    }
    this.rangeDepth += 1;
    try {
      const n = this.rangeDepth;
      const key = new Var(`$k${n}`, 'string', `range key #${n}`);
      const value = new Var(`$v${n}`, 'string', `range value #${n}`);
      const line = fn(key as unknown as string, value as unknown as T[keyof T]) as unknown as Expr;
      return new Lines(this.expr(map), key, value, line) as unknown as string;
    } finally {
      this.rangeDepth -= 1;
    }
  }

  /** String functions with both meanings. */
  adler32sum(s: string): string {
    return this.out(new StrFn('adler32sum', this.expr(s)));
  }
  atoi(s: string): number {
    return this.out(new IntOp('atoi', [this.expr(s)]));
  }
  mod(a: number, b: number): number {
    return this.out(new IntOp('mod', [this.expr(a), this.expr(b)]));
  }
  div(a: number, b: number): number {
    return this.out(new IntOp('div', [this.expr(a), this.expr(b)]));
  }
  sha256sum(s: string): string {
    return this.out(new StrFn('sha256sum', this.expr(s)));
  }
  b64enc(s: string): string {
    return this.out(new StrFn('b64enc', this.expr(s)));
  }
  trim(s: string): string {
    return this.out(new StrFn('trim', this.expr(s)));
  }
  upper(s: string): string {
    return this.out(new StrFn('upper', this.expr(s)));
  }
  lower(s: string): string {
    return this.out(new StrFn('lower', this.expr(s)));
  }
  /** camelCase → snake_case (keys must match SNAKE_SAFE_KEY). */
  snakecase(s: string): string {
    return this.out(new StrFn('snakecase', this.expr(s)));
  }

  /**
   * The value at `keys` inside `map` (a list item, say), or `fallback` when a key on the way
   * is missing; a value set to false, 0 or "" is kept (sprig `dig`): per-item overrides of defaults.
   */
  dig<T>(map: unknown, keys: readonly string[], fallback: T): T {
    return this.out(new Dig(this.expr(map), keys, this.expr(fallback)));
  }

  /**
   * Objects per item of a list value: `fn` builds them in a scope of their own, once per item
   * in concrete mode, once with the item as a template variable in template mode (its objects
   * written inside `{{- range }}`). Read the item's fields with `get` and `dig`.
   */
  each<P extends ValuePath<V>>(path: P, scope: Construct, fn: (scope: Construct, item: NonNullable<ValueAt<V, P>> extends readonly (infer I)[] ? I : never) => void): void {
    const ref = this.refExpr(path as string);
    if (this.mode === 'concrete') {
      ((ref.evaluate(this.ctx) as unknown[] | undefined) ?? []).forEach((item, i) => fn(new Construct(scope, `${path as string}-${i}`), item as never));
      return;
    }
    this.rangeDepth += 1;
    const item = new Var(`$v${this.rangeDepth}`, 'object', `item of ${path as string}`);
    this.guardStack.push(new Each(ref, item));
    try {
      fn(new Construct(scope, `${path as string}-each`), item as never);
    } finally {
      this.guardStack.pop();
      this.rangeDepth -= 1;
    }
  }

  /**
   * A sub-tree that several objects share — a container, or list items to spread into a list —
   * built by `build` from per-use `args` (constants or values). Concrete mode: `build(args)`.
   * Template mode: one `define` in `templates/_<file>.tpl` (`name` is `<file>.<part>`), built
   * from the arguments as symbols, and at each use an `include` that passes the arguments; every
   * use must build the same definition (else writing the chart throws). Place the result whole
   * (as a list item or a field's value, or spread into a list when `build` returns a list), the
   * same way at every use; never inspect it. An argument is a constant, a value, or a values
   * section (`v.section`, passed as the map it reads).
   */
  partial<A extends Record<string, unknown>, T>(name: string, args: A, build: (a: A) => T): T {
    if (this.mode === 'concrete') return build(args);
    if (this.rangeDepth > 0) throw new Error(`partial '${name}' cannot be used inside a range`);
    const [file] = name.split('.');
    if (!/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(name)) throw new Error(`partial name '${name}' is not <file>.<part>`);
    const exprs: Record<string, Expr> = {};
    const symbols: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(args)) {
      if (!/^[a-z][A-Za-z0-9]*$/.test(k)) throw new Error(`partial '${name}': argument name '${k}' must be a lower-case identifier`);
      exprs[k] = sectionRef(x) ?? (isPlain(x) ? this.expr(x) : this.dictOf(x));
      symbols[k] = this.symbolOf(x, new ArgRef(k, exprs[k].type));
    }
    const tree = build(symbols as A);
    const kind = Array.isArray(tree) ? 'items' : 'one';
    let p = this.shared.get(name);
    if (!p) {
      p = new SharedPart(`${this.ctx.chart.name}.${name}`, `_${file}.tpl`, kind, callerModule());
      this.shared.set(name, p);
    }
    if (p.kind !== kind) throw new Error(`partial '${name}': one use builds a list, another a single node`);
    p.uses.push(tree);
    const use = new Include(p, tree, exprs);
    return (kind === 'items' ? [use] : use) as T;
  }

  /** A partial's argument as its build sees it: a map (a section) as a map of its keys, each read from the argument. */
  private symbolOf(x: unknown, e: Expr): unknown {
    if (x === null || typeof x !== 'object' || x instanceof Expr || Array.isArray(x)) return e;
    return Object.fromEntries(Object.entries(x).map(([k, value]) => [k, this.symbolOf(value, new Field(e, k, value !== null && typeof value === 'object' && !(value instanceof Expr) ? 'object' : this.expr(value).type))]));
  }

  /** A map holding values, as a partial's argument: `(dict "k" … )` (template mode). */
  private dictOf(x: unknown): Expr {
    if (x instanceof Expr) return x;
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return this.expr(x);
    const entries = Object.entries(x).filter(([k, value]) => value !== undefined && !k.startsWith('\u0000'));
    if (entries.length !== Object.keys(x).length) throw new Error('a partial argument cannot hold template markers');
    return new DictOf(entries.map(([k, value]) => [k, this.dictOf(value)]));
  }

  /** The shared definitions the chart's objects use (template mode). */
  get partials(): readonly SharedPart[] {
    return [...this.shared.values()];
  }

  /**
   * A value that a template spells often, bound once to a variable (`$hint`, declared at the top
   * of the template file or shared definition that uses it). The value itself in concrete mode.
   * Not inside a range (its variables cannot be read before it).
   */
  bind<T>(hint: string, value: T): T {
    if (this.mode === 'concrete' || !((value as unknown) instanceof Expr) || value instanceof Lit) return value;
    if (this.rangeDepth > 0) throw new Error(`bind('${hint}') cannot be used inside a range`);
    return new Bound(hint, value as unknown as Expr) as unknown as T;
  }

  /**
   * These values seen as `W`: the keys that the charts sharing a builder all have (the
   * extensions' `commonLabels`, `podLabels`, …). Every key read through it is still looked up
   * in this chart's schema, so a key the chart lacks fails when the chart is built.
   */
  sharedAs<W>(): HelmValues<W> {
    return this as unknown as HelmValues<W>;
  }

  /** Objects created in `fn` exist only when `c` holds. */
  when(c: Condition<V>, fn: () => void): void {
    const cond = this.condExpr(c);
    if (this.mode === 'concrete' || cond instanceof Lit) {
      if (goTruthy(cond.evaluate(this.ctx))) fn();
      return;
    }
    this.guardStack.push(cond);
    try {
      fn();
    } finally {
      this.guardStack.pop();
    }
  }
}

/** A values section opened by `section` (an object of references to its keys), as the reference to it. */
function sectionRef(x: unknown): Ref | undefined {
  if (x instanceof Expr || x === null || typeof x !== 'object' || Array.isArray(x)) return undefined;
  let base: readonly string[] | undefined;
  for (const [k, value] of Object.entries(x)) {
    const r = value instanceof Ref ? value : sectionRef(value);
    if (!r || r.path[r.path.length - 1] !== k) return undefined;
    const parent = r.path.slice(0, -1);
    if (base && parent.join('.') !== base.join('.')) return undefined;
    base = parent;
  }
  return base && base.length > 0 ? new Ref(base, 'object') : undefined;
}

/** A map of values built in a template: `(dict "a" .Values.x "b" (dict …))`. */
class DictOf extends Expr {
  constructor(private readonly entries: readonly [string, Expr][]) {
    super('object');
  }
  evaluate(): never {
    throw new Error('template-only');
  }
  go(): string {
    return `(dict${this.entries.map(([k, e]) => ` ${JSON.stringify(k)} ${e.go()}`).join('')})`;
  }
  describe(): string {
    return `map of ${this.entries.map(([k]) => k).join(', ')}`;
  }
}

/** A constant list or map in a template-mode expression: `(fromJson "...")`. */
class DataLit extends Expr {
  constructor(private readonly value: unknown) {
    super(Array.isArray(value) ? 'array' : 'object');
  }
  evaluate(): unknown {
    return this.value;
  }
  go(): string {
    return `(fromJson ${JSON.stringify(JSON.stringify(this.value))})`;
  }
  describe(): string {
    return `constant ${JSON.stringify(this.value)}`;
  }
}

/** Structured data in a concrete-mode expression (never spelled in Go). */
class ConcreteData extends Expr {
  constructor(private readonly value: unknown) {
    super('any');
  }
  evaluate(): unknown {
    return this.value;
  }
  go(): string {
    throw new Error('concrete data has no template spelling');
  }
  describe(): string {
    return 'data';
  }
}
