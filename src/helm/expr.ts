/**
 * Symbolic expressions: the engine's vocabulary for values that are only known
 * when a chart is rendered. Every expression has both meanings:
 * - `evaluate(ctx)`: its value for concrete values (TypeScript, dist/, our CLI);
 * - `go()`: how Helm spells it (a Go template operand).
 *
 * Expressions masquerade as the plain values they stand for (so component code
 * type-checks against Kubernetes types), and throw as soon as JavaScript tries to
 * coerce one: `${expr}`, `expr + 1`, `expr == 'x'`, JSON.stringify(expr).
 */

import { createHash } from 'node:crypto';
import { load } from 'js-yaml';
import { helmToYaml } from './toyaml';
import { selfSignedCert } from './generated';

/** The JSON type of a value, as far as the engine needs to know it to spell it. */
export type ValueType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'any';

/** What the engine knows while rendering concretely. */
export interface RenderContext {
  values: Record<string, unknown>;
  release: { name: string; namespace: string; service: string };
  chart: { name: string; version: string; appVersion: string };
  /** Template variables bound in concrete mode (a rule's list item: ValuesRule's `each`). */
  vars?: ReadonlyMap<string, unknown>;
}

export class SymbolicValueError extends Error {
  constructor(what: string) {
    super(
      `${what} is symbolic in template mode and cannot be used as a plain JavaScript value; ` +
        'use the engine helpers (v.when, v.fmt, v.ternary, v.optional, ...) instead',
    );
    this.name = 'SymbolicValueError';
  }
}

function goString(s: string): string {
  // JSON string escapes are a subset of Go's interpreted string literal escapes.
  return JSON.stringify(s);
}

/** Go template truthiness (text/template `truth`), which `if`, `with`, `and`, `or` and `not` use. */
export function goTruthy(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

export abstract class Expr {
  constructor(public readonly type: ValueType) {}

  /** The concrete value of this expression. */
  abstract evaluate(ctx: RenderContext): unknown;
  /** A Go template operand (parenthesized when it is a pipeline or call). */
  abstract go(): string;
  /** For error messages. */
  abstract describe(): string;

  /** Whether `go()` always gives a Go bool (so it prints as `true`/`false` and needs no test). */
  goBoolean(): boolean {
    return false;
  }

  /** The operand for an `if` (which tests truthiness itself). */
  goCond(): string {
    return this.go();
  }

  /** As a scalar operand for printf: integers are converted so that Go prints them in full. */
  goPrintOperand(): string {
    if (this.type === 'integer') return `(int64 ${this.go()})`;
    if (this.type === 'string' || this.type === 'boolean' || this.type === 'number') return this.go();
    throw new Error(`${this.describe()} (${this.type}) cannot be embedded in a string: only scalars can`);
  }

  [Symbol.toPrimitive](): never {
    throw new SymbolicValueError(this.describe());
  }
  toString(): never {
    throw new SymbolicValueError(this.describe());
  }
  valueOf(): never {
    throw new SymbolicValueError(this.describe());
  }
  toJSON(): never {
    throw new SymbolicValueError(this.describe());
  }
}

/**
 * How Go's `printf "%v"` prints a float64: strconv's 'g' format with the shortest digits
 * (the same digits as JavaScript), in exponent form (`1e-05`, `1.2345675e+06`) when the
 * decimal exponent is below -4 or at least 6.
 */
export function goFloatString(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, exp] = n.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 6) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(n);
}

/** A value as `printf "%v"` prints it. */
function printed(v: unknown, type: ValueType): string {
  if (typeof v === 'number' && type === 'number') return goFloatString(v);
  return String(v);
}

function lookup(values: Record<string, unknown>, path: readonly string[]): unknown {
  let cur: unknown = values;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What the values schema says about a value, as far as printing it needs (shape.ts). */
export interface ValueFacts {
  enum?: readonly unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  /** The facts of a list's items. */
  items?: ValueFacts;
  /** Always set: every key on its path is required, so Helm's schema check refuses values without it. */
  present: boolean;
}

/**
 * `.Values.a.b`. Below a key that may be absent (`mayBeAbsent` holds its index), the path is
 * spelled `(.Values.a).b`, which Helm reads as nil instead of failing on a missing map.
 */
export class Ref extends Expr {
  constructor(
    public readonly path: readonly string[],
    type: ValueType,
    public readonly mayBeAbsent: ReadonlySet<number> = new Set(),
    /** What the schema says about the value (none: nothing is known). */
    public readonly facts?: ValueFacts,
  ) {
    super(type);
  }
  override goBoolean(): boolean {
    return this.type === 'boolean' && this.facts?.present === true;
  }
  evaluate(ctx: RenderContext): unknown {
    return lookup(ctx.values, this.path);
  }
  go(): string {
    let out = '.Values';
    this.path.forEach((key, i) => {
      const parentMayBeAbsent = i > 0 && this.mayBeAbsent.has(i - 1);
      if (!IDENT.test(key)) out = `(index (default (dict) ${out}) ${goString(key)})`;
      else out = parentMayBeAbsent ? `(${out}).${key}` : `${out}.${key}`;
    });
    return out;
  }
  /** A key inside this (possibly absent) value. */
  child(key: string, type: ValueType): Ref {
    return new Ref([...this.path, key], type, new Set([...this.mayBeAbsent, this.path.length - 1]));
  }
  describe(): string {
    return `value '${this.path.join('.')}'`;
  }
}

/** A literal, for use where an expression is expected. */
export class Lit extends Expr {
  constructor(public readonly value: string | number | boolean | null) {
    super(
      typeof value === 'string'
        ? 'string'
        : typeof value === 'boolean'
          ? 'boolean'
          : typeof value === 'number'
            ? Number.isInteger(value)
              ? 'integer'
              : 'number'
            : 'any',
    );
  }
  override goBoolean(): boolean {
    return typeof this.value === 'boolean';
  }
  evaluate(): unknown {
    return this.value;
  }
  go(): string {
    if (this.value === null) return 'nil';
    if (typeof this.value === 'string') return goString(this.value);
    return String(this.value);
  }
  describe(): string {
    return `literal ${JSON.stringify(this.value)}`;
  }
}

type BuiltIn = 'Release.Name' | 'Release.Namespace' | 'Release.Service' | 'Chart.Name' | 'Chart.Version' | 'Chart.AppVersion';

/** `.Release.Namespace`, `.Chart.Version`, ... */
export class BuiltInRef extends Expr {
  constructor(public readonly field: BuiltIn) {
    super('string');
  }
  evaluate(ctx: RenderContext): unknown {
    switch (this.field) {
      case 'Release.Name':
        return ctx.release.name;
      case 'Release.Namespace':
        return ctx.release.namespace;
      case 'Release.Service':
        return ctx.release.service;
      case 'Chart.Name':
        return ctx.chart.name;
      case 'Chart.Version':
        return ctx.chart.version;
      case 'Chart.AppVersion':
        return ctx.chart.appVersion;
    }
  }
  go(): string {
    return `.${this.field}`;
  }
  describe(): string {
    return `.${this.field}`;
  }
}

/** A string built from literal text and values: `printf "%v:%v" .Values.image.name .Values.image.tag`. */
export class Fmt extends Expr {
  constructor(public readonly parts: readonly (string | Expr)[]) {
    super('string');
  }
  evaluate(ctx: RenderContext): unknown {
    return this.parts.map((p) => (p instanceof Expr ? printed(p.evaluate(ctx), p.type) : p)).join('');
  }
  go(): string {
    const format = this.parts.map((p) => (p instanceof Expr ? '%v' : p.replace(/%/g, '%%'))).join('');
    const args = this.parts.filter((p): p is Expr => p instanceof Expr).map((p) => p.goPrintOperand());
    return `(printf ${goString(format)}${args.map((a) => ` ${a}`).join('')})`;
  }
  describe(): string {
    return `string ${this.parts.map((p) => (p instanceof Expr ? `\${${p.describe()}}` : p)).join('')}`;
  }
}

/** A condition: true when the expression is truthy by Go template rules. */
export class Truthy extends Expr {
  constructor(public readonly inner: Expr) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    return goTruthy(this.inner.evaluate(ctx));
  }
  go(): string {
    // A boolean is printed as it is; another value (or an absent one, nil, which `ternary` refuses) is tested.
    return this.inner.goBoolean() ? this.inner.go() : `(not (empty ${this.inner.go()}))`;
  }
  override goCond(): string {
    return this.inner.goCond();
  }
  describe(): string {
    return this.inner.describe();
  }
}

/** The expression a condition tests (a one-operand `and`/`or` or a truth test is its operand). */
function condition(e: Expr): Expr {
  if (e instanceof Truthy) return condition(e.inner);
  if (e instanceof Logic && e.operands.length === 1) return condition(e.operands[0]);
  return e;
}

export class Not extends Expr {
  constructor(public readonly inner: Expr) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    return !goTruthy(this.inner.evaluate(ctx));
  }
  go(): string {
    const inner = condition(this.inner);
    // Not of not is the truth of the value.
    if (inner instanceof Not) return new Truthy(inner.inner).go();
    return `(not ${inner.goCond()})`;
  }
  override goCond(): string {
    const inner = condition(this.inner);
    return inner instanceof Not ? inner.inner.goCond() : `(not ${inner.goCond()})`;
  }
  describe(): string {
    return `not ${this.inner.describe()}`;
  }
}

/** `and` / `or` over truthiness; the result is a boolean. */
export class Logic extends Expr {
  constructor(
    public readonly op: 'and' | 'or',
    public readonly operands: readonly Expr[],
  ) {
    super('boolean');
    if (operands.length < 1) throw new Error(`${op} needs at least one operand`);
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    const truths = this.operands.map((o) => goTruthy(o.evaluate(ctx)));
    return this.op === 'and' ? truths.every(Boolean) : truths.some(Boolean);
  }
  go(): string {
    if (this.operands.length === 1) return new Truthy(this.operands[0]).go();
    // `and` and `or` give one of their operands: a boolean when every operand is one.
    if (this.operands.every((o) => o.goBoolean())) return `(${this.op} ${this.operands.map((o) => o.go()).join(' ')})`;
    return `(${this.op} ${this.operands.map((o) => new Truthy(o).go()).join(' ')})`;
  }
  override goCond(): string {
    if (this.operands.length === 1) return this.operands[0].goCond();
    return `(${this.op} ${this.operands.map((o) => o.goCond()).join(' ')})`;
  }
  describe(): string {
    return this.operands.map((o) => o.describe()).join(` ${this.op} `);
  }
}

/** Equality of a value with another (typed so that Helm compares like with like). */
export class Eq extends Expr {
  constructor(
    public readonly left: Expr,
    public readonly right: Expr,
  ) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    return this.left.evaluate(ctx) === this.right.evaluate(ctx);
  }
  go(): string {
    const numeric = this.left.type === 'integer' || this.right.type === 'integer';
    const side = (e: Expr) => (numeric ? `(int64 ${e.go()})` : e.go());
    return `(eq ${side(this.left)} ${side(this.right)})`;
  }
  describe(): string {
    return `${this.left.describe()} == ${this.right.describe()}`;
  }
}

/** Ordering of two integers (`lt`, `le`, `gt`, `ge`), compared as int64 by Helm. */
export class Compare extends Expr {
  constructor(
    public readonly op: 'lt' | 'le' | 'gt' | 'ge',
    public readonly left: Expr,
    public readonly right: Expr,
  ) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    const a = Number(this.left.evaluate(ctx));
    const b = Number(this.right.evaluate(ctx));
    return { lt: a < b, le: a <= b, gt: a > b, ge: a >= b }[this.op];
  }
  go(): string {
    return `(${this.op} (int64 ${this.left.go()}) (int64 ${this.right.go()}))`;
  }
  describe(): string {
    return `${this.left.describe()} ${this.op} ${this.right.describe()}`;
  }
}

/** Whether a key is set in a values object (`hasKey`), even to false. */
export class HasKey extends Expr {
  constructor(
    public readonly parent: Expr | null,
    public readonly key: string,
  ) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    const obj = this.parent ? this.parent.evaluate(ctx) : ctx.values;
    return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, this.key);
  }
  go(): string {
    return `(hasKey ${this.parent ? this.parent.go() : '.Values'} ${goString(this.key)})`;
  }
  describe(): string {
    return `has key ${this.key}`;
  }
}

/** `cond ? a : b`. */
export class Ternary extends Expr {
  constructor(
    public readonly cond: Expr,
    public readonly whenTrue: Expr,
    public readonly whenFalse: Expr,
  ) {
    super(whenTrue.type === whenFalse.type ? whenTrue.type : 'any');
  }
  override goBoolean(): boolean {
    return this.whenTrue.goBoolean() && this.whenFalse.goBoolean();
  }
  evaluate(ctx: RenderContext): unknown {
    return goTruthy(this.cond.evaluate(ctx)) ? this.whenTrue.evaluate(ctx) : this.whenFalse.evaluate(ctx);
  }
  go(): string {
    return `(ternary ${this.whenTrue.go()} ${this.whenFalse.go()} ${new Truthy(this.cond).go()})`;
  }
  describe(): string {
    return `${this.cond.describe()} ? ${this.whenTrue.describe()} : ${this.whenFalse.describe()}`;
  }
}

/** The value if it is truthy, else the fallback (sprig `default`). */
export class Default extends Expr {
  constructor(
    public readonly value: Expr,
    public readonly fallback: Expr,
  ) {
    super(value.type === fallback.type ? value.type : 'any');
  }
  evaluate(ctx: RenderContext): unknown {
    const v = this.value.evaluate(ctx);
    return goTruthy(v) ? v : this.fallback.evaluate(ctx);
  }
  go(): string {
    return `(default ${this.fallback.go()} ${this.value.go()})`;
  }
  describe(): string {
    return `${this.value.describe()} or else ${this.fallback.describe()}`;
  }
}

/**
 * A value inside a map by a path of keys, or `fallback` when any key on the way is missing
 * (sprig `dig`): unlike `default`, a value that is set to false, 0 or "" is kept.
 */
export class Dig extends Expr {
  constructor(
    public readonly map: Expr,
    public readonly keys: readonly string[],
    public readonly fallback: Expr,
  ) {
    super(fallback.type);
  }
  evaluate(ctx: RenderContext): unknown {
    let at: unknown = this.map.evaluate(ctx);
    for (const k of this.keys) {
      if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.prototype.hasOwnProperty.call(at, k)) return this.fallback.evaluate(ctx);
      at = (at as Record<string, unknown>)[k];
    }
    return at;
  }
  go(): string {
    return `(dig ${this.keys.map(goString).join(' ')} ${this.fallback.go()} ${this.map.go()})`;
  }
  describe(): string {
    return `${this.map.describe()}.${this.keys.join('.')} or else ${this.fallback.describe()}`;
  }
}

/**
 * An argument of a shared definition (`v.partial`), inside its `define`: `$.name`, where `$` is
 * the dict that the `include` passes. Only template mode has one.
 */
export class ArgRef extends Expr {
  constructor(
    readonly name: string,
    type: ValueType,
  ) {
    super(type);
  }
  evaluate(): never {
    throw new Error(`argument '${this.name}' only exists in a shared template definition`);
  }
  go(): string {
    return `$.${this.name}`;
  }
  describe(): string {
    return `argument '${this.name}'`;
  }
}

const BOUND_MARK = '\u0001';
const BOUND_PATTERN = /\$\u0001(\d+)\u0001/g;

/**
 * A value bound once to a template variable (`{{- $cpuLimit := … }}` at the top of the template
 * file or definition that uses it) and referred to by name. Spelled with a placeholder until
 * `bindVariables` names it, so that two different values never share a name.
 */
export class Bound extends Expr {
  private static readonly all = new Map<number, Bound>();
  private static next = 0;
  readonly id: number;
  constructor(
    readonly hint: string,
    readonly inner: Expr,
    /** Written in place (not bound) when it is the only use of its value in the text. */
    readonly inlineOnce = false,
  ) {
    super(inner.type);
    if (!IDENT.test(hint)) throw new Error(`variable name ${JSON.stringify(hint)} is not an identifier`);
    Bound.next += 1;
    this.id = Bound.next;
    Bound.all.set(this.id, this);
  }
  override goBoolean(): boolean {
    return this.inner.goBoolean();
  }
  evaluate(ctx: RenderContext): unknown {
    return this.inner.evaluate(ctx);
  }
  go(): string {
    return `$${BOUND_MARK}${this.id}${BOUND_MARK}`;
  }
  describe(): string {
    return this.inner.describe();
  }

  /**
   * Names the bound values that `text` uses, in order of first use (the same value under the
   * same hint shares one variable; another value gets `hint2`, `hint3` …), and returns their
   * declarations and the text with the names.
   */
  static bindVariables(text: string): { declarations: string[]; text: string } {
    const names = new Map<number, string>();
    const byValue = new Map<string, string>();
    const taken = new Set<string>();
    const declarations: string[] = [];
    const keyOf = (b: Bound) => `${b.hint}\u0000${b.inner.go()}`;
    const uses = new Map<string, number>();
    for (const m of text.matchAll(BOUND_PATTERN)) {
      const b = Bound.all.get(Number(m[1]));
      if (b) uses.set(keyOf(b), (uses.get(keyOf(b)) ?? 0) + 1);
    }
    for (const m of text.matchAll(BOUND_PATTERN)) {
      const id = Number(m[1]);
      if (names.has(id)) continue;
      const b = Bound.all.get(id);
      if (!b) throw new Error(`unknown bound value #${id}`);
      const value = b.inner.go();
      if (value.includes(BOUND_MARK)) throw new Error(`a bound value cannot hold another (${b.describe()})`);
      const key = `${b.hint}\u0000${value}`;
      if (b.inlineOnce && uses.get(key) === 1) {
        names.set(id, value);
        continue;
      }
      let name = byValue.get(key);
      if (!name) {
        name = b.hint;
        for (let n = 2; taken.has(name); n += 1) name = `${b.hint}${n}`;
        taken.add(name);
        byValue.set(key, name);
        declarations.push(`{{- $${name} := ${value} }}`);
      }
      names.set(id, `$${name}`);
    }
    return { declarations, text: text.replace(BOUND_PATTERN, (_, id: string) => names.get(Number(id))!) };
  }
}

/** A template variable bound by `range` (`$k1`, `$v1`); concrete mode never sees one. */
export class Var extends Expr {
  constructor(
    readonly name: string,
    type: ValueType,
    private readonly what: string,
  ) {
    super(type);
  }
  evaluate(ctx: RenderContext): unknown {
    if (ctx.vars?.has(this.name)) return ctx.vars.get(this.name);
    throw new Error(`${this.what} only exists while a template ranges`);
  }
  go(): string {
    return this.name;
  }
  describe(): string {
    return this.what;
  }
}

/**
 * sprig's `snakecase` for the keys we allow it on: lower-case words, each optionally
 * ending in digits, joined in camelCase (`keepAliveInterval`, `http2Server`).
 * Keys of that shape are enforced by the values schema (SNAKE_SAFE_KEY).
 */
export const SNAKE_SAFE_KEY = '^[a-z]+[0-9]*([A-Z][a-z]+[0-9]*)*$';
function snakecase(s: string): string {
  if (!new RegExp(SNAKE_SAFE_KEY).test(s)) throw new Error(`snakecase: ${JSON.stringify(s)} is not a simple camelCase key`);
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/** zlib's Adler-32 of the UTF-8 bytes, in decimal (sprig `adler32sum`). */
function adler32(s: string): string {
  let a = 1;
  let b = 0;
  for (const byte of Buffer.from(s, 'utf8')) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return String(b * 65536 + a);
}

const STRING_FNS = {
  adler32sum: adler32,
  sha256sum: sha256,
  b64enc: (s: string) => Buffer.from(s, 'utf8').toString('base64'),
  // Go's strings.TrimSpace; PEM and similar text has no characters where it and String.trim differ.
  trim: (s: string) => s.trim(),
  upper: (s: string) => s.toUpperCase(),
  lower: (s: string) => s.toLowerCase(),
  snakecase,
} as const;

/** A string function with both meanings: `upper`, `lower`, `snakecase`. */
export class StrFn extends Expr {
  constructor(
    readonly fn: keyof typeof STRING_FNS,
    readonly arg: Expr,
  ) {
    super('string');
  }
  evaluate(ctx: RenderContext): unknown {
    return STRING_FNS[this.fn](String(this.arg.evaluate(ctx)));
  }
  go(): string {
    return `(${this.fn} ${this.arg.go()})`;
  }
  describe(): string {
    return `${this.fn}(${this.arg.describe()})`;
  }
}

/** Every occurrence of `from` replaced by `to` (sprig `replace`). */
export class Replace extends Expr {
  constructor(
    readonly arg: Expr,
    readonly from: string,
    readonly to: string,
  ) {
    super('string');
  }
  evaluate(ctx: RenderContext): unknown {
    return String(this.arg.evaluate(ctx)).split(this.from).join(this.to);
  }
  go(): string {
    return `(replace ${goString(this.from)} ${goString(this.to)} ${this.arg.go()})`;
  }
  describe(): string {
    return `${this.arg.describe()} with ${JSON.stringify(this.from)} replaced`;
  }
}

/** A key of a map value (`(X).key`, nil when X is). */
export class Field extends Expr {
  constructor(
    public readonly obj: Expr,
    public readonly key: string,
    type: ValueType = 'any',
  ) {
    super(type);
  }
  evaluate(ctx: RenderContext): unknown {
    const o = this.obj.evaluate(ctx);
    return o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[this.key] : undefined;
  }
  go(): string {
    return IDENT.test(this.key) ? `(${this.obj.go()}).${this.key}` : `(index (default (dict) ${this.obj.go()}) ${goString(this.key)})`;
  }
  describe(): string {
    return `${this.obj.describe()}.${this.key}`;
  }
}

/**
 * A field of a certificate Helm generates at render time. Every use in one template file
 * refers to the same certificate through a variable that the file declares first
 * (`declarations()` below); concrete mode generates one (see generated.ts).
 */
export class GeneratedCertField extends Expr {
  static readonly declared = new Map<string, string>();
  readonly variable: string;
  constructor(
    public readonly host: Expr,
    public readonly days: number,
    public readonly field: 'Cert' | 'Key',
    id: string,
  ) {
    super('string');
    this.variable = `$${id.replace(/[^A-Za-z0-9]/g, '_')}`;
    GeneratedCertField.declared.set(this.variable, `{{- ${this.variable} := genSelfSignedCert ${host.go()} (list) (list ${host.go()}) ${days} }}`);
  }
  evaluate(ctx: RenderContext): unknown {
    return selfSignedCert(String(this.host.evaluate(ctx)), this.days)[this.field];
  }
  go(): string {
    return `${this.variable}.${this.field}`;
  }
  describe(): string {
    return `generated certificate ${this.field}`;
  }
  /** The declarations a template file needs for the generated certificates it uses. */
  static declarations(text: string): string[] {
    return [...GeneratedCertField.declared].filter(([name]) => text.includes(`${name}.`)).map(([, decl]) => decl);
  }
}

/** Integer arithmetic: `mod`, `div` (truncating), and `atoi` of a decimal string. */
export class IntOp extends Expr {
  constructor(
    public readonly op: 'mod' | 'div' | 'atoi',
    public readonly args: readonly Expr[],
  ) {
    super('integer');
  }
  evaluate(ctx: RenderContext): unknown {
    const [a, b] = this.args.map((x) => Number(x.evaluate(ctx)));
    if (this.op === 'atoi') return Number.parseInt(String(this.args[0].evaluate(ctx)), 10) || 0;
    return this.op === 'mod' ? a % b : Math.trunc(a / b);
  }
  go(): string {
    if (this.op === 'atoi') return `(atoi ${this.args[0].go()})`;
    return `(${this.op} (int64 ${this.args[0].go()}) (int64 ${this.args[1].go()}))`;
  }
  describe(): string {
    return `${this.op}(${this.args.map((a) => a.describe()).join(', ')})`;
  }
}

/**
 * The whole values with some keys removed and some replaced (linkerd-config's copy of
 * the values): spelled with sprig's omit/dict/mergeOverwrite, one level at a time.
 */
export class ValuesView extends Expr {
  constructor(
    public readonly omit: readonly (readonly string[])[],
    public readonly replace: readonly { path: readonly string[]; value: Expr }[],
  ) {
    super('object');
  }
  evaluate(ctx: RenderContext): unknown {
    const out = structuredClone(ctx.values) as Record<string, unknown>;
    const parentOf = (path: readonly string[]) => {
      let cur: unknown = out;
      for (const k of path.slice(0, -1)) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
      return cur && typeof cur === 'object' ? (cur as Record<string, unknown>) : undefined;
    };
    for (const path of this.omit) delete parentOf(path)?.[path[path.length - 1]];
    for (const { path, value } of this.replace) {
      const parent = parentOf(path);
      if (parent) parent[path[path.length - 1]] = value.evaluate(ctx);
    }
    return out;
  }
  go(): string {
    // Build the map at `at`: omit the keys that are removed or replaced here, recurse into the
    // keys below which something changes, and put the replaced values back.
    const build = (at: readonly string[]): string => {
      const here = (p: readonly string[]) => p.length === at.length + 1 && at.every((k, i) => p[i] === k);
      const below = new Set(
        [...this.omit, ...this.replace.map((r) => r.path)].filter((p) => p.length > at.length + 1 && at.every((k, i) => p[i] === k)).map((p) => p[at.length]),
      );
      const omitted = [...this.omit.filter(here).map((p) => p[at.length]), ...this.replace.filter((r) => here(r.path)).map((r) => r.path[at.length]), ...below];
      const source = new Ref(at, 'object').go();
      const base = omitted.length ? `(omit ${source} ${[...new Set(omitted)].map((k) => JSON.stringify(k)).join(' ')})` : source;
      const additions = [
        ...[...below].map((k) => `${JSON.stringify(k)} ${build([...at, k])}`),
        ...this.replace.filter((r) => here(r.path)).map((r) => `${JSON.stringify(r.path[at.length])} ${r.value.go()}`),
      ];
      return additions.length ? `(mergeOverwrite (deepCopy ${base}) (dict ${additions.join(' ')}))` : base;
    };
    return build([]);
  }
  describe(): string {
    return 'the values';
  }
}

/** A value as YAML text (`toYaml`); concrete mode writes it as Helm does (toyaml.ts). */
export class ToYaml extends Expr {
  constructor(public readonly value: Expr) {
    super('string');
  }
  evaluate(ctx: RenderContext): unknown {
    return helmToYaml(this.value.evaluate(ctx));
  }
  go(): string {
    return `(toYaml ${this.value.go()})`;
  }
  describe(): string {
    return `YAML of ${this.value.describe()}`;
  }
}

/**
 * Template text in a value that the chart renders (`tpl`). Only release facts may be
 * used — `{{ .Release.Namespace }}` and `{{ .Release.Name }}` — so that both renderings
 * agree without a Go template interpreter; `tplProblem` tells what else a text holds.
 */
const TPL_ACTION = /\{\{\s*\.Release\.(Namespace|Name)\s*\}\}/g;

/** Why a value cannot be rendered by `TplYaml` (null when it can). */
export function tplProblem(text: string): string | null {
  const rest = text.replace(TPL_ACTION, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    return 'only {{ .Release.Namespace }} and {{ .Release.Name }} may be used as template text here';
  }
  return null;
}

/** The substituted text of a `tpl` value. */
export function renderTpl(text: string, release: { name: string; namespace: string }): string {
  return text.replace(TPL_ACTION, (_m, field: string) => (field === 'Namespace' ? release.namespace : release.name));
}

/** A YAML mapping written as template text in a value: `fromYaml (tpl X $)`. */
export class TplYaml extends Expr {
  constructor(public readonly text: Expr) {
    super('object');
  }
  evaluate(ctx: RenderContext): unknown {
    const text = String(this.text.evaluate(ctx) ?? '');
    const problem = tplProblem(text);
    if (problem) throw new Error(`${this.text.describe()}: ${problem}`);
    return load(renderTpl(text, ctx.release)) ?? {};
  }
  go(): string {
    return `(fromYaml (tpl ${this.text.go()} $))`;
  }
  describe(): string {
    return `YAML of the template text ${this.text.describe()}`;
  }
}

/** JSON as Go's encoding/json writes it: keys sorted, no spaces, <, > and & escaped. */
export function goJson(v: unknown): string {
  const canon = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(canon)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, canon((x as Record<string, unknown>)[k])]),
          )
        : x;
  return JSON.stringify(canon(v) ?? null)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A value as JSON text (`toJson`). */
export class ToJson extends Expr {
  constructor(public readonly value: Expr) {
    super('string');
  }
  evaluate(ctx: RenderContext): unknown {
    return goJson(this.value.evaluate(ctx));
  }
  go(): string {
    return `(toJson ${this.value.go()})`;
  }
  describe(): string {
    return `JSON of ${this.value.describe()}`;
  }
}

/** The items of a list of strings joined with a separator (`join`). */
export class Join extends Expr {
  constructor(
    public readonly list: Expr,
    public readonly separator: string,
  ) {
    super('string');
  }
  evaluate(ctx: RenderContext): unknown {
    return ((this.list.evaluate(ctx) as unknown[] | null) ?? []).map(String).join(this.separator);
  }
  go(): string {
    return `(join ${goString(this.separator)} ${this.list.go()})`;
  }
  describe(): string {
    return `${this.list.describe()} joined`;
  }
}

/** Two maps merged, the second winning (`mergeOverwrite (deepCopy A) B`, one level deep for our maps of strings). */
export class MergeMaps extends Expr {
  constructor(
    public readonly base: Expr,
    public readonly over: Expr,
  ) {
    super('object');
  }
  evaluate(ctx: RenderContext): unknown {
    return { ...((this.base.evaluate(ctx) as object | null) ?? {}), ...((this.over.evaluate(ctx) as object | null) ?? {}) };
  }
  go(): string {
    return `(mergeOverwrite (deepCopy ${this.base.go()}) ${this.over.go()})`;
  }
  describe(): string {
    return `${this.base.describe()} merged with ${this.over.describe()}`;
  }
}

/** Wraps a literal or passes an expression through. */
export function toExpr(v: Expr | string | number | boolean | null): Expr {
  return v instanceof Expr ? v : new Lit(v);
}

/** Whether a map value has a key (`hasKey`); the key may be a range variable. A nil map has none. */
export class HasKeyIn extends Expr {
  constructor(
    public readonly map: Expr,
    public readonly key: Expr,
  ) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    const obj = this.map.evaluate(ctx);
    return obj !== null && typeof obj === 'object' && Object.prototype.hasOwnProperty.call(obj, String(this.key.evaluate(ctx)));
  }
  go(): string {
    return `(hasKey ${this.map.go()} ${this.key.go()})`;
  }
  describe(): string {
    return `${this.map.describe()} has key ${this.key.describe()}`;
  }
}

/** A map value without some keys (sprig `omit`; a nil map gives an empty one). */
export class Omit extends Expr {
  constructor(
    public readonly map: Expr,
    public readonly keys: readonly string[],
  ) {
    super('object');
  }
  evaluate(ctx: RenderContext): unknown {
    const obj = (this.map.evaluate(ctx) ?? {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(obj).filter(([k]) => !this.keys.includes(k)));
  }
  go(): string {
    return `(omit ${this.map.go()}${this.keys.map((k) => ` ${goString(k)}`).join('')})`;
  }
  describe(): string {
    return `${this.map.describe()} without ${this.keys.join(', ')}`;
  }
}

/** An empty map (`dict`). */
export class EmptyDict extends Expr {
  constructor() {
    super('object');
  }
  evaluate(): unknown {
    return {};
  }
  go(): string {
    return '(dict)';
  }
  describe(): string {
    return 'an empty map';
  }
}

/** A map value, or an empty map when it is absent (so that `hasKey` and `omit` accept it). */
export function mapOrEmpty(e: Expr): Expr {
  return new Default(e, new EmptyDict());
}

/**
 * Template text with every reference to the root context (`.Values`, `.Release`, `.Chart`)
 * spelled from `$`, for use inside `range` or `with`, where `.` is something else.
 */
export function rooted(go: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < go.length; i++) {
    const c = go[i];
    if (inString) {
      out += c;
      if (c === '\\') out += go[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === '.' && /^\.(Values|Release|Chart)\b/.test(go.slice(i)) && (i === 0 || /[\s(]/.test(go[i - 1]))) out += '$';
    out += c;
  }
  return out;
}

/*
 * Facts about the cluster a release is installed into (Helm `lookup`). Without a cluster —
 * `helm template`, `helm install --dry-run`, our CLI, dist/, the constructs — Helm's lookup
 * finds nothing, and so do these in concrete mode: both renderers agree wherever they run.
 */

/** `lookup` of one cluster-scoped object, spelled for Go. */
function goLookup(apiVersion: string, kind: string, name: string): string {
  return `(lookup ${goString(apiVersion)} ${goString(kind)} "" ${goString(name)})`;
}

/** Whether a cluster-scoped object exists in the cluster (false without a cluster). */
export class ClusterHas extends Expr {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
    readonly name: string,
  ) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(): unknown {
    return false;
  }
  go(): string {
    return `(not (empty ${goLookup(this.apiVersion, this.kind, this.name)}))`;
  }
  override goCond(): string {
    // lookup gives an empty map when the object is absent.
    return goLookup(this.apiVersion, this.kind, this.name);
  }
  describe(): string {
    return `the ${this.kind} ${this.name} in the cluster`;
  }
}

/** An annotation of a cluster-scoped object in the cluster: '' when the object or the annotation is absent (always, without a cluster). */
export class ClusterAnnotation extends Expr {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
    readonly name: string,
    readonly annotation: string,
  ) {
    super('string');
  }
  evaluate(): unknown {
    return '';
  }
  go(): string {
    return `(dig "metadata" "annotations" ${goString(this.annotation)} "" ${goLookup(this.apiVersion, this.kind, this.name)})`;
  }
  describe(): string {
    return `the ${this.annotation} annotation of the ${this.kind} ${this.name} in the cluster`;
  }
}

const RELEASE_VERSION = /^v?(\d+)\.(\d+)\.(\d+)$/;

/**
 * Whether a version string (`v1.2.3` or `1.2.3`) is a release below `minimum`; false for
 * anything else (empty, a pre-release, not a version), which Helm's semverCompare would not
 * order the same way or would fail on.
 */
export class VersionBelow extends Expr {
  constructor(
    readonly version: Expr,
    readonly minimum: string,
  ) {
    super('boolean');
    if (!RELEASE_VERSION.test(minimum)) throw new Error(`${minimum}: not a release version (x.y.z)`);
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    const m = RELEASE_VERSION.exec(String(this.version.evaluate(ctx) ?? ''));
    if (!m) return false;
    const [a, b] = [m.slice(1).map(Number), RELEASE_VERSION.exec(this.minimum)!.slice(1).map(Number)];
    for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] < b[i];
    return false;
  }
  go(): string {
    const v = this.version.go();
    // `and` stops at the first false operand, so semverCompare only sees release versions.
    return `(and (regexMatch ${goString(RELEASE_VERSION.source.replace(/\\d/g, '[0-9]'))} ${v}) (semverCompare ${goString(`<${this.minimum.replace(/^v/, '')}`)} ${v}))`;
  }
  describe(): string {
    return `${this.version.describe()} < ${this.minimum}`;
  }
}

/** The named template that reads a Kubernetes quantity as a number (QuantityAbove). */
export const QUANTITY_TEMPLATE = 'cdk8s-linkerd.quantity';

const DECIMAL_EXPONENT: Record<string, string> = { '': 'e0', n: 'e-9', u: 'e-6', m: 'e-3', k: 'e3', M: 'e6', G: 'e9', T: 'e12', P: 'e15', E: 'e18', Ki: 'e0', Mi: 'e0', Gi: 'e0', Ti: 'e0', Pi: 'e0', Ei: 'e0' };
const BINARY_FACTOR: Record<string, string> = { Ki: '1024', Mi: '1048576', Gi: '1073741824', Ti: '1099511627776', Pi: '1125899906842624', Ei: '1152921504606846976' };
const QUANTITY_NUMBER = '^[+]?([0-9]+[.]?[0-9]*|[.][0-9]+)';

/**
 * `QUANTITY_TEMPLATE`'s definition: the number of a quantity (a string or a YAML number, valid
 * for QUANTITY) as a float64: its decimal part with the decimal suffix or exponent as an exponent
 * (`500m` is `500e-3`), parsed by `float64` (Go's ParseFloat), times the binary suffix (`Ki` …),
 * an exact multiplication by a power of two.
 */
export function quantityDefinition(): string {
  const dict = (table: Record<string, string>) => `(dict ${Object.entries(table).map(([k, v]) => `${goString(k)} ${goString(v)}`).join(' ')})`;
  return [
    '{{- /* A Kubernetes quantity (100m, 0.5, 1Gi, 1e3) as a number, to compare a request with its limit. */}}',
    `{{- define ${goString(QUANTITY_TEMPLATE)} -}}`,
    '{{- $s := toString . -}}',
    `{{- $number := regexFind ${goString(QUANTITY_NUMBER)} $s -}}`,
    '{{- $suffix := trimPrefix $number $s -}}',
    `{{- $exponent := get ${dict(DECIMAL_EXPONENT)} $suffix | default $suffix -}}`,
    `{{- $factor := get ${dict(BINARY_FACTOR)} $suffix | default "1" -}}`,
    '{{- mulf (float64 (print $number $exponent)) (float64 $factor) -}}',
    '{{- end }}',
  ].join('\n');
}

/**
 * The number `quantityDefinition` gives Helm, computed the same way: Go's ParseFloat is
 * correctly rounded like JavaScript's Number (a value it cannot hold, `1e400`, is 0: sprig's
 * `float64` gives 0 on an error), and a power of two multiplies exactly in both.
 */
export function quantityNumber(q: unknown): number {
  const s = typeof q === 'number' ? goFloatString(q) : String(q);
  const number = new RegExp(QUANTITY_NUMBER).exec(s)?.[0] ?? '';
  const suffix = s.slice(number.length);
  const exponent = DECIMAL_EXPONENT[suffix] ?? suffix;
  const parsed = /^[+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)$/.test(number + exponent) ? Number(number + exponent) : 0;
  return (Number.isFinite(parsed) ? parsed : 0) * Number(BINARY_FACTOR[suffix] ?? '1');
}

/**
 * Whether a quantity is above another (a request above its limit), both set (truthy): compared
 * as numbers (quantityNumber), in float64 as in Helm. Quantities that differ by less than
 * float64 tells apart (`1` and `1.0000000000000001`) compare equal.
 */
export class QuantityAbove extends Expr {
  constructor(
    readonly quantity: Expr,
    readonly bound: Expr,
  ) {
    super('boolean');
  }
  override goBoolean(): boolean {
    return true;
  }
  evaluate(ctx: RenderContext): unknown {
    const [q, b] = [this.quantity.evaluate(ctx), this.bound.evaluate(ctx)];
    return goTruthy(q) && goTruthy(b) && quantityNumber(q) > quantityNumber(b);
  }
  go(): string {
    const number = (e: Expr) => `(float64 (include ${goString(QUANTITY_TEMPLATE)} ${e.go()}))`;
    return `(and ${new Truthy(this.quantity).go()} ${new Truthy(this.bound).go()} (gt ${number(this.quantity)} ${number(this.bound)}))`;
  }
  override goCond(): string {
    const number = (e: Expr) => `(float64 (include ${goString(QUANTITY_TEMPLATE)} ${e.go()}))`;
    // `and` stops at the first operand that is not set, so the template only reads quantities.
    return `(and ${this.quantity.goCond()} ${this.bound.goCond()} (gt ${number(this.quantity)} ${number(this.bound)}))`;
  }
  describe(): string {
    return `${this.quantity.describe()} > ${this.bound.describe()} (quantities)`;
  }
}
