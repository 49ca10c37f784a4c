/**
 * What Helm may print for a scalar expression, for every value the schema allows, and so how a
 * template writes it: plainly (`name: linkerd-{{ .Release.Namespace }}-destination`), in JSON
 * quotes whose contents need no escaping (`- "-log-level={{ .Values.controllerLogLevel }}"`), or —
 * when neither holds for every value (free text from users) — through the quoting helper
 * (`scalarAction`, yaml.ts), which decides at render time. Every decision here is the one
 * `scalarText` makes for each value the expression can take; nothing is guessed.
 */
import { Bound, BuiltInRef, Default, Expr, Fmt, Lit, Logic, Ref, Ternary, Truthy, goTruthy, type ValueFacts } from './expr';
import { isLiteralString, isPlainString } from './yaml';

type Chars = ReadonlySet<string>;

function chars(spec: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < spec.length; i++) {
    if (spec[i + 1] === '-' && i + 2 < spec.length) {
      for (let c = spec.charCodeAt(i); c <= spec.charCodeAt(i + 2); c++) out.add(String.fromCharCode(c));
      i += 2;
    } else out.add(spec[i]);
  }
  return out;
}

const LETTERS = chars('A-Za-z');
const DIGITS = chars('0-9');
/** Characters a plain scalar's words hold (yaml.ts WORD, without `:`). */
const WORD = chars('A-Za-z0-9-_./%@+=~()');
/** Characters of a plain scalar that starts with a digit (yaml.ts DIGITS). */
const DIGIT_WORD = chars('A-Za-z0-9-_./%+');
/** yaml.ts NOT_A_NUMBER: a token starting with a digit that holds one is no number or timestamp. */
const NOT_A_NUMBER = chars('g-nqrsuvwyG-NQRSUVWY%/');

/** Whether Go's toJson writes the character as it is inside the quotes (and it is not template syntax). */
function jsonSimple(c: string): boolean {
  return c >= ' ' && c !== '\x7f' && !'"\\<>&{}\u2028\u2029\u0085\ufeff'.includes(c);
}

const subset = (a: Chars | null, b: Chars) => a !== null && [...a].every((c) => b.has(c));
const disjoint = (a: Chars | null, b: Chars) => a !== null && [...a].every((c) => !b.has(c));
const union = (a: Chars | null, b: Chars | null) => (a && b ? new Set([...a, ...b]) : null);

/** Every text an expression may print (an over-approximation, exact where `values` is given). */
export interface Shape {
  /** All texts, when there are few. */
  readonly values?: readonly string[];
  /** The characters the first may be (null: any). */
  readonly first: Chars | null;
  /** The characters any may be (null: any). */
  readonly chars: Chars | null;
  readonly nonEmpty: boolean;
  /** Characters every text holds. */
  readonly has: Chars;
  /** Every `:` and space but a last one is followed by a word character. */
  readonly sepsInside: boolean;
  /** Whether a text may end with `:` or a space. */
  readonly endsSep: boolean;
}

function ofValues(values: readonly string[]): Shape {
  const all = new Set(values.join(''));
  const has = new Set([...all].filter((c) => values.every((v) => v.includes(c))));
  return {
    values,
    first: new Set(values.map((v) => v[0] ?? '')),
    chars: all,
    nonEmpty: values.every((v) => v.length > 0),
    has,
    sepsInside: values.every(sepsInside),
    endsSep: values.some((v) => v.endsWith(':') || v.endsWith(' ')),
  };
}

function sepsInside(s: string): boolean {
  return [...s].every((c, i) => (c !== ':' && c !== ' ') || i === s.length - 1 || WORD.has(s[i + 1]));
}

/** A pattern's texts: the value patterns of our schemas (src/values), each read by hand; test/shape.test.ts checks them on samples. */
export const PATTERNS: Record<string, Omit<Shape, 'values'>> = {
  // A DNS-1123 label and subdomain (names, namespaces, the cluster domain).
  '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$': { first: chars('a-z0-9'), chars: chars('a-z0-9-'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': { first: chars('a-z0-9'), chars: chars('a-z0-9-'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$': { first: chars('a-z0-9'), chars: chars('a-z0-9.-'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$': { first: chars('a-z0-9'), chars: chars('a-z0-9.-'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  // An image tag.
  '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$': { first: chars('A-Za-z0-9_'), chars: chars('A-Za-z0-9_.-'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  // A percentage.
  '^[0-9]+%$': { first: DIGITS, chars: chars('0-9%'), nonEmpty: true, has: new Set('%'), sepsInside: true, endsSep: false },
  // Go durations.
  '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$': { first: chars('-+0-9.'), chars: chars('-+0-9.nsuµμmh'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  '^[+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$': { first: chars('+0-9.'), chars: chars('+0-9.nsuµμmh'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  // Port ranges, ports.
  '^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$': { first: DIGITS, chars: chars('0-9,-'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
  '^[0-9]+(,[0-9]+)*$': { first: DIGITS, chars: chars('0-9,'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false },
};

/** The shape of a pattern's texts (`^$|…` also allows the empty text). */
function patternShape(pattern: string): Shape | null {
  const empty = pattern.startsWith('^$|');
  const known = PATTERNS[empty ? pattern.slice(3) : pattern];
  if (!known) return null;
  return empty ? { ...known, first: union(known.first, new Set([''])), nonEmpty: false, has: new Set(), sepsInside: known.sepsInside } : known;
}

/** What `printf "%v"` prints for a value with these facts (schema types of a values reference). */
function factsShape(type: string, facts: ValueFacts | undefined): Shape | null {
  if (!facts) return null;
  if (facts.enum) return facts.enum.every((x) => ['string', 'number', 'boolean'].includes(typeof x) && (typeof x !== 'number' || Number.isInteger(x))) ? ofValues(facts.enum.map(String)) : null;
  if (type === 'boolean') return ofValues(['true', 'false']);
  if (type === 'integer') {
    const negative = facts.minimum === undefined || facts.minimum < 0;
    return { first: negative ? chars('-0-9') : DIGITS, chars: negative ? chars('-0-9') : DIGITS, nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false };
  }
  if (type === 'string' && facts.pattern) return patternShape(facts.pattern);
  return null;
}

/** Release facts: Helm checks release names; the API server takes no namespace but a DNS-1123 label. */
function builtInShape(e: BuiltInRef): Shape | null {
  if (e.field === 'Release.Namespace') return PATTERNS['^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'];
  if (e.field === 'Release.Name') return PATTERNS['^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$'];
  return null;
}

/** Two texts one after the other. */
function concat(a: Shape, b: Shape): Shape {
  if (a.values?.every((v) => v === '')) return b;
  if (b.values?.every((v) => v === '')) return a;
  if (a.values && b.values && a.values.length * b.values.length <= 64) return ofValues(a.values.flatMap((x) => b.values!.map((y) => x + y)));
  // A `:` or space at the end of `a` is followed by b's first character.
  const joinOk = !a.endsSep || (b.nonEmpty && subset(b.first, WORD));
  return {
    first: a.nonEmpty ? a.first : union(a.first && new Set([...a.first].filter((c) => c !== '')), b.first),
    chars: union(a.chars, b.chars),
    nonEmpty: a.nonEmpty || b.nonEmpty,
    has: new Set([...a.has, ...b.has]),
    sepsInside: a.sepsInside && b.sepsInside && joinOk,
    endsSep: b.endsSep || (!b.nonEmpty && a.endsSep),
  };
}

/** One text or the other. */
function either(a: Shape, b: Shape): Shape {
  if (a.values && b.values) return ofValues([...new Set([...a.values, ...b.values])]);
  return {
    first: union(a.first, b.first),
    chars: union(a.chars, b.chars),
    nonEmpty: a.nonEmpty && b.nonEmpty,
    has: new Set([...a.has].filter((c) => b.has.has(c))),
    sepsInside: a.sepsInside && b.sepsInside,
    endsSep: a.endsSep || b.endsSep,
  };
}

/** Whether Helm may see nil for the expression (printed `<no value>` or empty, not `null`). */
export function mayBeNil(e: Expr): boolean {
  if (e instanceof Ref) return e.facts?.present !== true;
  if (e instanceof Lit) return e.value === null;
  if (e instanceof Default) return mayBeNil(e.fallback);
  if (e instanceof Ternary) return mayBeNil(e.whenTrue) || mayBeNil(e.whenFalse);
  if (e instanceof Bound) return mayBeNil(e.inner);
  return !(e instanceof BuiltInRef || e instanceof Fmt || e.goBoolean());
}

/** The texts an expression prints (as a whole action, or as a `%v` of printf), null when unknown. */
export function shapeOf(e: Expr): Shape | null {
  if (e.goBoolean()) return ofValues(['true', 'false']);
  if (e instanceof Lit) return e.value === null || (typeof e.value === 'number' && !Number.isInteger(e.value)) ? null : ofValues([String(e.value)]);
  if (e instanceof Ref) return factsShape(e.type, e.facts);
  if (e instanceof BuiltInRef) return builtInShape(e);
  if (e instanceof Bound) return shapeOf(e.inner);
  if (e instanceof Ternary) {
    const [a, b] = [shapeOf(e.whenTrue), shapeOf(e.whenFalse)];
    return a && b ? either(a, b) : null;
  }
  if (e instanceof Default) {
    // The value is used only when it is truthy: a text that is not empty, `true`, an integer but 0.
    const falsy = { string: '', boolean: 'false', integer: '0' }[e.value.type as string];
    if (falsy === undefined || (e.value.type !== 'string' && e.fallback.type !== e.value.type)) return null;
    const [a, b] = [shapeOf(e.value), shapeOf(e.fallback)];
    if (!a || !b) return null;
    return either(a.values ? ofValues(a.values.filter((v) => v !== falsy)) : e.value.type === 'string' ? { ...a, nonEmpty: true } : a, b);
  }
  if (e instanceof Fmt) {
    let out: Shape = ofValues(['']);
    for (const p of e.parts) {
      const s = typeof p === 'string' ? ofValues([p]) : printedShape(p);
      if (!s) return null;
      out = concat(out, s);
    }
    return out;
  }
  return null;
}

/** A printf operand's texts: integers print in full (int64), others must be set. */
function printedShape(e: Expr): Shape | null {
  // An integer operand is converted with int64 (also nil, to 0): digits.
  if (e.type === 'integer') return shapeOf(e) ?? { first: chars('-0-9'), chars: chars('-0-9'), nonEmpty: true, has: new Set(), sepsInside: true, endsSep: false };
  if (e.type === 'number' || mayBeNil(e)) return null;
  return shapeOf(e);
}

/** How every text of a shape is written: as it is, in JSON quotes, or unknown (the quoting helper decides). */
export function spelling(s: Shape | null): 'plain' | 'quoted' | null {
  if (!s) return null;
  if (s.values) {
    if (s.values.length > 0 && s.values.every(isPlainString)) return 'plain';
    if (s.values.every((v) => !isPlainString(v) && !isLiteralString(v) && [...v].every(jsonSimple))) return 'quoted';
    return null;
  }
  const startsPlain = s.nonEmpty && subset(s.first, chars('A-Za-z/'));
  // A YAML 1.1 boolean or null word holds letters only.
  const notReserved = [...s.has].some((c) => !LETTERS.has(c));
  if (startsPlain && subset(s.chars, new Set([...WORD, ':', ' '])) && s.sepsInside && !s.endsSep && notReserved) return 'plain';
  const startsDigit = s.nonEmpty && subset(s.first, DIGITS);
  if (startsDigit && subset(s.chars, DIGIT_WORD) && [...s.has].some((c) => NOT_A_NUMBER.has(c))) return 'plain';
  // Never plain: the first character starts no plain scalar, or a character no plain scalar with that start holds is always there.
  const neverPlain =
    (s.nonEmpty && disjoint(s.first, chars('A-Za-z0-9/'))) ||
    // No letter, `/` or `%`: neither a plain word nor a token that no number reads (`8080`, `-1`, `1.5`, `""`).
    disjoint(s.chars, chars('A-Za-z/%')) ||
    (startsDigit && [...s.has].some((c) => !DIGIT_WORD.has(c))) ||
    (startsPlain && [...s.has].some((c) => !WORD.has(c) && c !== ':' && c !== ' '));
  if (neverPlain && s.chars !== null && [...s.chars].every(jsonSimple)) return 'quoted';
  return null;
}

/** Whether a condition holds for every value the schema allows (a guard that cannot be false is left out). */
export function alwaysTruthy(e: Expr): boolean {
  if (e instanceof Truthy) return alwaysTruthy(e.inner);
  if (e instanceof Lit) return goTruthy(e.value);
  if (e instanceof Logic) return e.op === 'and' ? e.operands.every(alwaysTruthy) : e.operands.some(alwaysTruthy);
  if (e instanceof Default) return alwaysTruthy(e.value) || alwaysTruthy(e.fallback);
  if (!(e instanceof Ref) || e.facts?.present !== true) return false;
  const f = e.facts;
  if (f.enum) return f.enum.every(goTruthy);
  if (e.type === 'integer' || e.type === 'number') return (f.minimum !== undefined && f.minimum > 0) || (f.maximum !== undefined && f.maximum < 0);
  if (e.type === 'string' && f.pattern) return patternShape(f.pattern)?.nonEmpty === true;
  return false;
}
