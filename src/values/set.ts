/**
 * Helm's `--set`, `--set-string`, `--set-file` and `--set-json` syntax, parsed as Helm's
 * strvals parser parses it, into the values the values files gave (so `--set list[1]=x`
 * changes the second item of a list from a values file, as with Helm):
 *   a.b=c,d[0]=e,list={x,y},escaped\.key=v\,w
 * With --set, `true`/`false`/`null` (any case) and base-10 integers that do not start with
 * `0` (`-01` is -1, `007` a string) are typed; everything else, and all of --set-string, is a
 * string. `{x,y}` is a list with every kind (`{}` is a list of one empty string, as in Helm).
 * --set-file reads the file (`{a,b}` reads two). --set-json takes a JSON value after `=`
 * (`k=` is null), several separated by commas: `a={"x":1},b=[1,2]`.
 */
import { readFileSync } from 'node:fs';

export type SetKind = 'set' | 'set-string' | 'set-file' | 'set-json';

/** An expression that may carry key material: a PEM value's key, a PEM private key, or a long base64 run. */
const SECRETISH = /(PEM|caBundle)(\[[0-9]*\])?=|PRIVATE KEY|[A-Za-z0-9+/]{24,}/;

export class SetSyntaxError extends Error {
  constructor(kind: SetKind, expr: string, why: string) {
    // Never the bytes of a key (docs/security.md): such an expression is shown up to its first
    // `=`, and quoted excerpts of it in the reason are left out.
    const secret = kind !== 'set-file' && SECRETISH.test(expr);
    const eq = expr.indexOf('=');
    const shown = secret ? `${eq < 0 ? '' : expr.slice(0, eq + 1)}(value not shown: ${expr.length - eq - 1} characters)` : expr;
    super(`--${kind} ${shown}: ${secret ? why.replace(/"[^"]*"|'[^']*'/g, '"…"').replace(/[A-Za-z0-9+/]{12,}/g, '…') : why}`);
    this.name = 'SetSyntaxError';
  }
}

/** Helm's strvals limits. */
const MAX_INDEX = 65536;
const MAX_NESTING = 30;

/** Sets an own property (also `__proto__`). */
function put(o: Record<string, unknown>, k: string, v: unknown) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `a ${typeof v}`);

/** Helm's typedVal for --set. */
function typed(raw: string, kind: SetKind, fail: (why: string) => never): unknown {
  if (kind !== 'set') return raw;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (raw === '0') return 0;
  if (raw.length > 0 && raw[0] !== '0' && /^[+-]?[0-9]+$/.test(raw)) {
    const n = BigInt(raw);
    if (n >= -(2n ** 63n) && n < 2n ** 63n) {
      if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
        fail(`${raw} is an integer beyond 2^53, which cannot be kept exactly; use --set-string for a string`);
      }
      return Number(n);
    }
  }
  return raw;
}

const describeReadError = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    default:
      return err.message;
  }
};

/* Tokenizing: the expression's characters, read as Helm's strvals reads them. */

/** A position in an expression and the reads Helm's parser makes from it. */
class Cursor {
  i = 0;
  constructor(readonly expr: string) {}

  get done(): boolean {
    return this.i >= this.expr.length;
  }

  /** Helm's runesUntil: reads up to a stop character (consumed), `\` escapes the next one. */
  until(stops: string): { text: string; stop: string | undefined } {
    const expr = this.expr;
    let out = '';
    while (this.i < expr.length) {
      const c = expr[this.i++];
      if (stops.includes(c)) return { text: out, stop: c };
      if (c === '\\') {
        if (this.i >= expr.length) return { text: out, stop: undefined };
        out += expr[this.i++];
        continue;
      }
      out += c;
    }
    return { text: out, stop: undefined };
  }

  /** Helm's emptyVal for --set-json: skips blanks and one comma; true at the end or at a comma. */
  emptyJson(): boolean {
    while (this.i < this.expr.length) {
      const c = this.expr[this.i];
      if (c === ',') {
        this.i += 1;
        return true;
      }
      if (!/\s/.test(c)) return false;
      this.i += 1;
    }
    return true;
  }

  /** Where the JSON value that starts here ends, as Go's json.Decoder reads the first value of the rest. */
  jsonEnd(): number {
    const { expr, i } = this;
    const c = expr[i];
    if (c === '{' || c === '[') return closingBracket(expr, i) + 1;
    if (c === '"') return closingQuote(expr, i) + 1;
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(expr.slice(i));
    return i + (m ? m[0].length : 1);
  }
}

/** The index of the `"` that closes the string opening at `start` (skipping `\` escapes), or the end. */
function closingQuote(expr: string, start: number): number {
  let j = start + 1;
  for (; j < expr.length && expr[j] !== '"'; j++) if (expr[j] === '\\') j += 1;
  return j;
}

/** The index of the bracket that closes the one at `start` (strings skipped), or the end. */
function closingBracket(expr: string, start: number): number {
  let depth = 0;
  let j = start;
  for (; j < expr.length; j++) {
    const d = expr[j];
    if (d === '"') j = closingQuote(expr, j);
    else if (d === '{' || d === '[') depth += 1;
    else if (d === '}' || d === ']') {
      depth -= 1;
      if (depth === 0) break;
    }
  }
  return j;
}

/**
 * One `--set`-style expression being applied: value typing (`value`, `list`, `json`, `read`)
 * and path walking (`key`, `listItem`, `index`), over a Cursor.
 */
class SetParser {
  private readonly at: Cursor;
  /** The keys and indexes walked so far, for messages. */
  private readonly path: string[] = [];

  constructor(
    private readonly expr: string,
    private readonly kind: SetKind,
    private readonly readFile: (p: string) => string,
  ) {
    this.at = new Cursor(expr);
  }

  /** Applies every `key=value` of the expression to `into`. */
  apply(into: Record<string, unknown>): void {
    while (!this.at.done && this.key(into, 0));
  }

  private fail(why: string): never {
    throw new SetSyntaxError(this.kind, this.expr, why);
  }

  private keyName(): string {
    return this.path.join('.').replace(/\.\[/g, '[');
  }

  /* Value typing. */

  /** The value after `=`. */
  private value(): unknown {
    if (this.kind === 'set-json') return this.json();
    const l = this.list();
    if (l !== undefined) return l;
    return this.read(this.at.until(',').text);
  }

  /** One scalar: typed for --set, a file's text for --set-file, else the string. */
  private read(raw: string): unknown {
    if (this.kind !== 'set-file') return typed(raw, this.kind, (why) => this.fail(why));
    try {
      return this.readFile(raw);
    } catch (e) {
      return this.fail(`${this.path.length > 0 ? `key ${this.keyName()}: ` : ''}cannot read ${raw}: ${describeReadError(e)}`);
    }
  }

  /** `{a,b}` after `=`, or undefined when the value is not a list. At the end of input: `''`. */
  private list(): unknown[] | '' | undefined {
    const at = this.at;
    if (at.done) return '';
    if (at.expr[at.i] !== '{') return undefined;
    at.i += 1;
    const items: unknown[] = [];
    for (;;) {
      const { text, stop } = at.until(',}');
      if (stop === undefined) return this.fail(`${this.keyName()}: list must terminate with '}'`);
      items.push(this.read(text));
      if (stop === '}') {
        if (at.expr[at.i] === ',') at.i += 1;
        return items;
      }
    }
  }

  /** One JSON value, as Go's json.Decoder reads the first value of the rest. */
  private json(): unknown {
    const at = this.at;
    if (at.emptyJson()) return null;
    const end = at.jsonEnd();
    let value: unknown;
    try {
      value = JSON.parse(at.expr.slice(at.i, end));
    } catch (e) {
      return this.fail(`${this.keyName()}: not a JSON value: ${(e as Error).message.split('\n')[0]}`);
    }
    at.i = end;
    at.emptyJson();
    return value;
  }

  /* Path walking. */

  /** A list index after `[` (the `]` consumed), within Helm's limits. */
  private index(): number {
    const { text, stop } = this.at.until(']');
    if (stop === undefined || !/^[+-]?[0-9]+$/.test(text)) this.fail(`${this.keyName()}: bad list index [${text}`);
    const idx = Number(text);
    if (idx < 0) this.fail(`${this.keyName()}: negative ${idx} index not allowed`);
    if (idx > MAX_INDEX) this.fail(`${this.keyName()}: index of ${idx} is greater than maximum supported index of ${MAX_INDEX}`);
    return idx;
  }

  /** Helm's listItem: what follows `name[idx]`. */
  private listItem(l: unknown[], idx: number, depth: number): unknown[] {
    this.path.push(`[${idx}]`);
    const { text, stop } = this.at.until('[.=');
    if (text.length > 0) this.fail(`${this.keyName()}: unexpected data at end of array index: ${JSON.stringify(text)}`);
    if (stop === undefined) return l;
    if (stop === '=') {
      const v = this.value();
      this.path.pop();
      return setIndex(l, idx, v);
    }
    if (stop === '[') {
      const next = this.index();
      const cur = l.length > idx ? l[idx] : [];
      if (!Array.isArray(cur)) this.fail(`${this.keyName()}: is ${kindOf(cur)}, not a list`);
      const inner = this.listItem(cur as unknown[], next, depth);
      this.path.pop();
      return setIndex(l, idx, inner);
    }
    // '.'
    let inner = l.length > idx ? l[idx] : {};
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) inner = {};
    setIndex(l, idx, inner);
    this.key(inner as Record<string, unknown>, depth);
    this.path.pop();
    return l;
  }

  /** Helm's key: one `name…=value` (or `name.` / `name[`); returns false at the end of input. */
  private key(data: Record<string, unknown>, depth: number): boolean {
    const { text: k, stop } = this.at.until('=[,.');
    if (stop === undefined) {
      if (k.length === 0) return false;
      return this.fail(`key ${JSON.stringify(k)} has no value${this.path.length > 0 ? ` (in ${[...this.path, k].join('.')})` : ''}`);
    }
    this.path.push(k);
    const has = Object.prototype.hasOwnProperty.call(data, k);
    if (stop === '.') return this.mapKey(data, k, has ? data[k] : {}, depth);
    if (stop === '[') {
      const cur = has ? data[k] : [];
      if (!Array.isArray(cur)) this.fail(`${this.keyName()}: is ${kindOf(cur)} in the values, not a list`);
      const l = this.listItem(cur as unknown[], this.index(), depth);
      if (k !== '') put(data, k, l);
    } else if (stop === '=') {
      const v = this.value();
      if (k !== '') put(data, k, v);
    } else {
      // ','
      this.fail(`key ${JSON.stringify(this.keyName())} has no value (cannot end with ,)`);
    }
    this.path.pop();
    return true;
  }

  /** `name.` : the keys below the map `cur` (the value of `k` in `data`, or a new map). */
  private mapKey(data: Record<string, unknown>, k: string, cur: unknown, depth: number): boolean {
    if (depth + 1 > MAX_NESTING) this.fail(`value name nested level is greater than maximum supported nested level of ${MAX_NESTING}`);
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) this.fail(`${this.keyName()}: is ${kindOf(cur)} in the values, not a map`);
    const inner = cur as Record<string, unknown>;
    const more = this.key(inner, depth + 1);
    if (Object.keys(inner).length === 0) {
      if (more) this.fail(`key map ${JSON.stringify(this.keyName())} has no value`);
    } else if (k !== '') put(data, k, inner);
    this.path.pop();
    return more;
  }
}

/** Sets `l[idx]`, growing the list with nulls. */
function setIndex(l: unknown[], idx: number, v: unknown): unknown[] {
  while (l.length <= idx) l.push(null);
  l[idx] = v;
  return l;
}

/**
 * Applies one `--set`-style expression to `into` (mutated and returned), as Helm does.
 * Throws SetSyntaxError (one line, naming the flag, and the key where there is one).
 */
export function applySet(into: Record<string, unknown>, expr: string, kind: SetKind, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Record<string, unknown> {
  new SetParser(expr, kind, readFile).apply(into);
  return into;
}
