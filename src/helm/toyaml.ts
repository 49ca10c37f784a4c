/**
 * Helm's `toYaml`, in TypeScript: what concrete mode writes where a template writes
 * `toYaml X` into a string (linkerd-config's copy of the values), so that `helm template` and
 * `cdk8s-linkerd template` print the same bytes.
 *
 * Helm 3 and 4 (v3.21.4 and v4.3.2 tested) marshal with sigs.k8s.io/yaml over go-yaml: the
 * value goes through JSON, map keys are sorted with go-yaml's "natural" order (digit runs
 * compared as numbers, other characters before letters), a list's dashes sit in its key's
 * column, and each string takes the first style go-yaml's emitter allows: plain,
 * single-quoted, literal block (`|`, `|-`, `|+`, `|2-`), or double-quoted (strings that would
 * read as another type: `"true"`, `"8080"`, `""`). Plain and single-quoted strings are folded
 * at spaces past column 80. The facts come from go-yaml's emitter (libyaml's scalar analysis)
 * and were checked against the Helm binaries (test/toyaml.test.ts).
 */
import { goFloatString } from './expr';

const BEST_WIDTH = 80;

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => /\p{Nd}/u.test(c);

/** go-yaml's sorter.go keyList.Less for two strings. */
export function goKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]);
    const bl = isLetter(br[i]);
    if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10n + BigInt(Number(ar[ai]));
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10n + BigInt(Number(br[bi]));
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
  }
  return ar.length < br.length;
}

export const goKeyCompare = (a: string, b: string) => (goKeyLess(a, b) ? -1 : goKeyLess(b, a) ? 1 : 0);

/** Whether go-yaml reads the string, written plain, as something else than a string (then it double-quotes it). */
function resolvesToOther(s: string): boolean {
  if (s === '') return true;
  const words = ['~', 'null', 'Null', 'NULL', 'y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE', 'n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE'];
  if (words.includes(s)) return true;
  if (/^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(s)) return true;
  if (!/^[-+.0-9]/.test(s)) return false;
  // A leading '.' is tried as a Go float as it is (strconv.ParseFloat: underscores only between digits).
  if (s.startsWith('.')) return /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/.test(s);
  const plain = s.replace(/_/g, '');
  // strconv.ParseInt / ParseUint with base 0
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.test(plain)) return true;
  // go-yaml's float pattern
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return true;
  // base 60 floats
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true;
  // timestamps
  if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$/.test(s)) return true;
  return false;
}

const isBreak = (c: string) => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
function isPrintable(c: string): boolean {
  const cp = c.codePointAt(0)!;
  return cp === 0x0a || (cp >= 0x20 && cp <= 0x7e) || cp === 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff) || (cp >= 0x10000 && cp <= 0x10ffff);
}
const isBlankZ = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || isBreak(c) || c === '\0';

interface Analysis {
  blockPlain: boolean;
  single: boolean;
  block: boolean;
  multiline: boolean;
}

/** libyaml's yaml_emitter_analyze_scalar, for block context. */
function analyze(s: string): Analysis {
  const cs = [...s];
  let blockIndicators = s.startsWith('---') || s.startsWith('...');
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  cs.forEach((c, i) => {
    const followedByWhitespace = isBlankZ(cs[i + 1]);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true;
      if ((c === '?' || c === ':') && followedByWhitespace) blockIndicators = true;
      if (c === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (c === ':' && followedByWhitespace) blockIndicators = true;
      if (c === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(c) || c === '\ufeff') special = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === cs.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === cs.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankZ(c);
  });
  let blockPlain = true;
  let single = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) blockPlain = single = false;
  if (spaceBreak || special) blockPlain = single = block = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlain, single, block, multiline: lineBreaks };
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '\0': '\\0', '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\x0b': '\\v', '\f': '\\f', '\r': '\\r', '\x1b': '\\e', '"': '\\"', '\\': '\\\\',
  '\u0085': '\\N', '\u00a0': '\\_', '\u2028': '\\L', '\u2029': '\\P',
};

function doubleQuoted(s: string): string {
  let out = '"';
  for (const c of s) {
    if (!isPrintable(c) || c === '\ufeff' || isBreak(c) || c === '"' || c === '\\') {
      const e = DOUBLE_ESCAPES[c];
      if (e) out += e;
      else {
        const cp = c.codePointAt(0)!;
        const h = cp.toString(16).toUpperCase();
        out += cp <= 0xff ? `\\x${h.padStart(2, '0')}` : cp <= 0xffff ? `\\u${h.padStart(4, '0')}` : `\\U${h.padStart(8, '0')}`;
      }
    } else out += c;
  }
  return `${out}"`;
}

/** Plain or single-quoted text starting at `column`, folded at spaces past column 80 onto lines at `indent`. */
function folded(s: string, column: number, indent: number, quote: boolean, allowBreaks: boolean): string {
  const cs = [...s];
  let out = quote ? "'" : '';
  let col = column + (quote ? 1 : 0);
  let spaces = false;
  cs.forEach((c, i) => {
    if (c === ' ') {
      const foldHere = allowBreaks && !spaces && col > BEST_WIDTH && cs[i + 1] !== ' ' && (!quote || (i > 0 && i < cs.length - 1));
      if (foldHere) {
        out += `\n${' '.repeat(indent)}`;
        col = indent;
      } else {
        out += c;
        col += 1;
      }
      spaces = true;
    } else {
      if (quote && c === "'") {
        out += "'";
        col += 1;
      }
      out += c;
      col += 1;
      spaces = false;
    }
  });
  return quote ? `${out}'` : out;
}

/** A literal block: header and lines at `indent`. */
function literal(s: string, indent: number): string {
  const cs = [...s];
  const indicator = cs[0] === ' ' || isBreak(cs[0]) ? '2' : '';
  const last = cs[cs.length - 1];
  const chomp = !isBreak(last) ? '-' : cs.length === 1 || isBreak(cs[cs.length - 2]) ? '+' : '';
  const pad = ' '.repeat(indent);
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  return `|${indicator}${chomp}${`\n${body}`.replace(/\n([^\n])/g, `\n${pad}$1`)}`;
}

/**
 * A string as go-yaml writes it at `column` (where the scalar starts) in a block whose content
 * sits at `indent`; `key`: as a mapping key (no folding, no blocks).
 */
function goString(s: string, column: number, indent: number, key = false): string {
  if (s.includes('\n') && !key) {
    const a = analyze(s);
    return a.block ? literal(s, indent) : doubleQuoted(s);
  }
  if (resolvesToOther(s)) return doubleQuoted(s);
  const a = analyze(s);
  if (a.blockPlain && !(key && s.length === 0)) return folded(s, column, indent, false, !key);
  if (a.single) return folded(s, column, indent, true, !key);
  return doubleQuoted(s);
}

function goNumber(n: number): string {
  if (Number.isInteger(n) && n >= -9223372036854775808 && n <= 18446744073709551615 && Math.abs(n) < 1e21) return BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? '.inf' : n < 0 ? '-.inf' : '.nan';
  return goFloatString(n);
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * The values with every map's keys in go-yaml's order. Helm's values are Go maps, which have no
 * order: what Helm writes from a map (`toYaml`, `range`) comes in this order, so concrete mode
 * reads the values in it too.
 */
export function sortedKeys<T>(v: T): T {
  if (Array.isArray(v)) return v.map(sortedKeys) as T;
  if (!isMap(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort(goKeyCompare)
      .map((k) => [k, sortedKeys(v[k])]),
  ) as T;
}

/** After JSON: what sigs.k8s.io/yaml sees (undefined entries gone). */
function jsonish(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v) ?? 'null');
}

function scalar(v: unknown, column: number, indent: number): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return goNumber(v);
  return goString(String(v), column, indent);
}

function lines(v: unknown, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}[]`];
    return v.flatMap((item) => {
      if ((isMap(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
        const inner = lines(item, indent + 2);
        return [`${pad}- ${inner[0].slice(indent + 2)}`, ...inner.slice(1)];
      }
      return [`${pad}- ${inline(item, indent + 2, indent + 2)}`];
    });
  }
  if (isMap(v)) {
    const keys = Object.keys(v).sort(goKeyCompare);
    if (keys.length === 0) return [`${pad}{}`];
    return keys.flatMap((k) => {
      const key = `${pad}${goString(k, indent, indent, true)}:`;
      const x = v[k];
      if (isMap(x) && Object.keys(x).length > 0) return [key, ...lines(x, indent + 2)];
      if (Array.isArray(x) && x.length > 0) return [key, ...lines(x, indent)];
      return [`${key} ${inline(x, key.length + 1, indent + 2)}`];
    });
  }
  return [`${pad}${scalar(v, indent, indent)}`];
}

function inline(v: unknown, column: number, indent: number): string {
  if (isMap(v)) return '{}';
  if (Array.isArray(v)) return '[]';
  return scalar(v, column, indent);
}

/** `toYaml v` as Helm prints it (no final newline). */
export function helmToYaml(v: unknown): string {
  return lines(jsonish(v), 0).join('\n');
}
