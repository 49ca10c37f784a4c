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

/**
 * Applies one `--set`-style expression to `into` (mutated and returned), as Helm does.
 * Throws SetSyntaxError (one line, naming the flag, and the key where there is one).
 */
export function applySet(into: Record<string, unknown>, expr: string, kind: SetKind, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Record<string, unknown> {
  let i = 0;
  const fail = (why: string): never => {
    throw new SetSyntaxError(kind, expr, why);
  };
  const path: string[] = [];
  const keyName = () => path.join('.').replace(/\.\[/g, '[');

  /** Helm's runesUntil: reads up to a stop character (consumed), `\` escapes the next one. */
  const until = (stops: string): { text: string; stop: string | undefined } => {
    let out = '';
    while (i < expr.length) {
      const c = expr[i++];
      if (stops.includes(c)) return { text: out, stop: c };
      if (c === '\\') {
        if (i >= expr.length) return { text: out, stop: undefined };
        out += expr[i++];
        continue;
      }
      out += c;
    }
    return { text: out, stop: undefined };
  };

  const read = (raw: string): unknown => {
    if (kind === 'set-file') {
      try {
        return readFile(raw);
      } catch (e) {
        return fail(`${path.length > 0 ? `key ${keyName()}: ` : ''}cannot read ${raw}: ${describeReadError(e)}`);
      }
    }
    return typed(raw, kind, fail);
  };

  /** `{a,b}` after `=`, or undefined when the value is not a list. At the end of input: `''`. */
  const list = (): unknown[] | '' | undefined => {
    if (i >= expr.length) return '';
    if (expr[i] !== '{') return undefined;
    i += 1;
    const items: unknown[] = [];
    for (;;) {
      const { text, stop } = until(',}');
      if (stop === undefined) return fail(`${keyName()}: list must terminate with '}'`);
      items.push(read(text));
      if (stop === '}') {
        if (expr[i] === ',') i += 1;
        return items;
      }
    }
  };

  /** Helm's emptyVal for --set-json: skips blanks and one comma; true at the end or at a comma. */
  const emptyJson = (): boolean => {
    while (i < expr.length) {
      const c = expr[i];
      if (c === ',') {
        i += 1;
        return true;
      }
      if (!/\s/.test(c)) return false;
      i += 1;
    }
    return true;
  };

  /** One JSON value, as Go's json.Decoder reads the first value of the rest. */
  const json = (): unknown => {
    if (emptyJson()) return null;
    const start = i;
    const c = expr[i];
    let end: number;
    if (c === '{' || c === '[') {
      let depth = 0;
      let j = i;
      for (; j < expr.length; j++) {
        const d = expr[j];
        if (d === '"') {
          for (j += 1; j < expr.length && expr[j] !== '"'; j++) if (expr[j] === '\\') j += 1;
        } else if (d === '{' || d === '[') depth += 1;
        else if (d === '}' || d === ']') {
          depth -= 1;
          if (depth === 0) break;
        }
      }
      end = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < expr.length && expr[j] !== '"'; j++) if (expr[j] === '\\') j += 1;
      end = j + 1;
    } else {
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(expr.slice(i));
      end = i + (m ? m[0].length : 1);
    }
    let value: unknown;
    try {
      value = JSON.parse(expr.slice(start, end));
    } catch (e) {
      return fail(`${keyName()}: not a JSON value: ${(e as Error).message.split('\n')[0]}`);
    }
    i = end;
    emptyJson();
    return value;
  };

  /** The value after `=`. */
  const value = (): unknown => {
    if (kind === 'set-json') return json();
    const l = list();
    if (l !== undefined) return l;
    return read(until(',').text);
  };

  const index = (): number => {
    const { text, stop } = until(']');
    if (stop === undefined || !/^[+-]?[0-9]+$/.test(text)) fail(`${keyName()}: bad list index [${text}`);
    const idx = Number(text);
    if (idx < 0) fail(`${keyName()}: negative ${idx} index not allowed`);
    if (idx > MAX_INDEX) fail(`${keyName()}: index of ${idx} is greater than maximum supported index of ${MAX_INDEX}`);
    return idx;
  };

  const setIndex = (l: unknown[], idx: number, v: unknown): unknown[] => {
    while (l.length <= idx) l.push(null);
    l[idx] = v;
    return l;
  };

  /** Helm's listItem: what follows `name[idx]`. */
  const listItem = (l: unknown[], idx: number, depth: number): unknown[] => {
    path.push(`[${idx}]`);
    const { text, stop } = until('[.=');
    if (text.length > 0) fail(`${keyName()}: unexpected data at end of array index: ${JSON.stringify(text)}`);
    if (stop === undefined) return l;
    if (stop === '=') {
      const v = value();
      path.pop();
      return setIndex(l, idx, v);
    }
    if (stop === '[') {
      const next = index();
      const cur = l.length > idx ? l[idx] : [];
      if (!Array.isArray(cur)) fail(`${keyName()}: is ${kindOf(cur)}, not a list`);
      const inner = listItem(cur as unknown[], next, depth);
      path.pop();
      return setIndex(l, idx, inner);
    }
    // '.'
    let inner = l.length > idx ? l[idx] : {};
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) inner = {};
    setIndex(l, idx, inner);
    key(inner as Record<string, unknown>, depth);
    path.pop();
    return l;
  };

  /** Helm's key: one `name…=value` (or `name.` / `name[`); returns false at the end of input. */
  const key = (data: Record<string, unknown>, depth: number): boolean => {
    const { text: k, stop } = until('=[,.');
    if (stop === undefined) {
      if (k.length === 0) return false;
      return fail(`key ${JSON.stringify(k)} has no value${path.length > 0 ? ` (in ${[...path, k].join('.')})` : ''}`);
    }
    path.push(k);
    const has = Object.prototype.hasOwnProperty.call(data, k);
    if (stop === '[') {
      const cur = has ? data[k] : [];
      if (!Array.isArray(cur)) fail(`${keyName()}: is ${kindOf(cur)} in the values, not a list`);
      const idx = index();
      const l = listItem(cur as unknown[], idx, depth);
      if (k !== '') put(data, k, l);
    } else if (stop === '=') {
      const v = value();
      if (k !== '') put(data, k, v);
    } else if (stop === ',') {
      fail(`key ${JSON.stringify(keyName())} has no value (cannot end with ,)`);
    } else {
      // '.'
      if (depth + 1 > MAX_NESTING) fail(`value name nested level is greater than maximum supported nested level of ${MAX_NESTING}`);
      const cur = has ? data[k] : {};
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) fail(`${keyName()}: is ${kindOf(cur)} in the values, not a map`);
      const inner = cur as Record<string, unknown>;
      const more = key(inner, depth + 1);
      if (Object.keys(inner).length === 0) {
        if (more) fail(`key map ${JSON.stringify(keyName())} has no value`);
      } else if (k !== '') put(data, k, inner);
      path.pop();
      return more;
    }
    path.pop();
    return true;
  };

  while (i < expr.length && key(into, 0));
  return into;
}
