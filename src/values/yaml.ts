/**
 * User YAML (values files, `synth -f` maps) read exactly as Helm reads values.
 *
 * Helm reads a values file with sigs.k8s.io/yaml: go-yaml v2 decodes it (YAML 1.1 typing)
 * and the result goes through JSON. Every rule below was checked against the pinned Helm 3
 * and Helm 4 binaries (test/values-yaml.test.ts and test/fixtures/yaml/ hold the cases):
 *
 * - Plain scalars are typed as YAML 1.1: `true/True/TRUE/yes/Yes/YES/y/Y/on/On/ON` are true,
 *   `false/…/no/n/N/off/…` false, `~`, `null/Null/NULL` and an empty value null.
 *   Integers as Go's ParseInt with base prefix after removing `_`: `010` is 8, `0o17` 15,
 *   `0x1A` 26, `0b101` 5, `1_000` 1000; what is not an integer but looks like a float is one
 *   (`08` is 8, `+.5` 0.5, `1e3` 1000). Integers beyond 64 bits become floats; a float that
 *   overflows (`1e400`) stays a string. Quoted and block scalars are strings.
 *   Timestamps (`2001-12-14`) stay strings, also with `!!timestamp`.
 * - Numbers pass through JSON: every number is a float64 (a JavaScript number), so integers
 *   beyond 2^53 round the same way. `.inf`, `-.inf` and `.nan` as values are errors
 *   ("json: unsupported value").
 * - Tags: `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` convert or fail as go-yaml does
 *   (`!!int abc` is an error, `!!float 1` is 1); `!!binary` is base64-decoded to a string;
 *   any other tag (`!foo 10`) leaves the scalar a string and collections unchanged.
 * - Map keys become strings: `1` "1", `yes` "true", `0x10` "16", a float as Go prints a
 *   float32 (`3.14159265358979` is "3.1415927", `1e3` "1000", `.inf` ".inf"); a null key
 *   or a sequence or map as key is an error. A repeated key keeps its last value.
 * - `<<` (plain, not quoted) merges maps in document order: a merge overrides keys written
 *   before it, keys written after it override the merge; in a list of maps the first wins.
 * - Aliases are limited as go-yaml limits them ("document contains excessive aliasing":
 *   more than 100 alias-decoded nodes, more than 1000 nodes, and a share of alias-decoded
 *   nodes above 99 % falling to 10 % between 400,000 and 4,000,000 nodes); an anchor that
 *   contains itself is an error. Alias bombs are refused without expanding them.
 * - Bytes first, as go-yaml's reader checks them before parsing (decodeValuesBytes): a UTF-8
 *   byte-order mark at the start is skipped, UTF-16 with a byte-order mark is decoded (Helm 4
 *   refuses UTF-16LE: its document splitter cuts the last character), invalid UTF-8 and
 *   characters outside YAML's printable set (C0 and C1 controls but tab, LF, CR and NEL; DEL;
 *   U+FFFE, U+FFFF) are refused with the line. A lone CR, NEL, LS and PS break lines.
 * - Several documents in one file (Helm 4; Helm 3 reads only the first): the file is split
 *   at lines that start with `---` (only a comment may follow on that line), empty documents
 *   are skipped, every other one must be a map, and they are merged in order like several
 *   `-f` files. Anchors do not reach across documents.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node as YamlNode, type Pair, type Scalar } from 'yaml';

/** A values file that Helm would refuse: one line, with the line number where known. */
export class YamlValuesError extends Error {
  /** `notAMap`: valid YAML whose top level is not a map of values. */
  constructor(
    message: string,
    readonly notAMap = false,
  ) {
    super(message);
    this.name = 'YamlValuesError';
  }
}

const STR = 'tag:yaml.org,2002:str';
const BOOL = 'tag:yaml.org,2002:bool';
const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';
const NULL = 'tag:yaml.org,2002:null';
const TIMESTAMP = 'tag:yaml.org,2002:timestamp';
const BINARY = 'tag:yaml.org,2002:binary';
const MERGE = 'tag:yaml.org,2002:merge';
const RESOLVABLE = new Set(['', STR, BOOL, INT, FLOAT, NULL, TIMESTAMP]);

const short = (tag: string) => (tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag);

/** go-yaml v2's table of plain scalars with a fixed meaning. */
const FIXED = new Map<string, [string, unknown]>();
for (const [value, tag, words] of [
  [true, BOOL, 'y Y yes Yes YES true True TRUE on On ON'],
  [false, BOOL, 'n N no No NO false False FALSE off Off OFF'],
  [null, NULL, '~ null Null NULL'],
  [Number.NaN, FLOAT, '.nan .NaN .NAN'],
  [Number.POSITIVE_INFINITY, FLOAT, '.inf .Inf .INF +.inf +.Inf +.INF'],
  [Number.NEGATIVE_INFINITY, FLOAT, '-.inf -.Inf -.INF'],
  ['<<', MERGE, '<<'],
] as [unknown, string, string][]) {
  for (const w of words.split(' ')) FIXED.set(w, [tag, value]);
}
FIXED.set('', [NULL, null]);

/** First characters after which go-yaml tries anything but a string. */
const HINT = (c: string | undefined): string => {
  if (c === undefined) return 'N';
  if (c === '+' || c === '-') return 'S';
  if (c >= '0' && c <= '9') return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  if (c === '<') return 'M';
  return '';
};

/** Go's strconv.ParseInt(s, 0, bits) (or ParseUint): sign, base prefix, no underscores (removed before). */
function parseGoInt(s: string, unsigned: boolean): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const [, sign, body] = m;
  if (unsigned && sign !== '') return undefined;
  let n: bigint;
  if (/^0[oO]/.test(body)) n = BigInt(`0o${body.slice(2)}`);
  else if (/^0[xXbB]/.test(body)) n = BigInt(`0${body[1].toLowerCase()}${body.slice(2)}`);
  else if (body.length > 1 && body[0] === '0') n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  if (sign === '-') n = -n;
  if (unsigned) return n <= 0xffffffffffffffffn ? n : undefined;
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/** Go's strconv.ParseFloat for the text go-yaml hands it; undefined on syntax or range errors. */
function parseGoFloat(s: string): number | undefined {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** go-yaml's timestamp formats (time.Parse of 2006-1-2, with 15:4:5.999999999 and a zone after T). */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})| (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?)?$/.exec(s);
  if (!m) return false;
  const n = m.map((x) => (x === undefined ? 0 : Number(x)));
  const [mo, d] = [n[2], n[3]];
  const [h, mi, se] = m[4] !== undefined ? [n[4], n[5], n[6]] : [n[7], n[8], n[9]];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && se <= 59;
}

type Resolved = { tag: string; value: unknown };

/** go-yaml v2's resolve(): the tag and value of a scalar. */
function resolve(tag: string, text: string): Resolved {
  if (!RESOLVABLE.has(tag)) return { tag, value: text };
  const r = resolveImplicit(tag, text);
  if (tag === '' || tag === r.tag || tag === STR) return r;
  if (tag === FLOAT && r.tag === INT) return { tag: FLOAT, value: Number(r.value as bigint) };
  throw new Error(`cannot decode ${short(r.tag)} \`${text}\` as a ${short(tag)}`);
}

function resolveImplicit(tag: string, text: string): Resolved {
  const hint = HINT(text[0]);
  if (hint === '' || tag === STR) return { tag: STR, value: text };
  const fixed = FIXED.get(text);
  if (fixed) return { tag: fixed[0], value: fixed[1] };
  if (hint === '.') {
    // Go's ParseFloat takes `_` between digits.
    const f = /^\.[0-9](_?[0-9])*([eE][+-]?[0-9](_?[0-9])*)?$/.test(text) ? parseGoFloat(text.replace(/_/g, '')) : undefined;
    if (f !== undefined) return { tag: FLOAT, value: f };
  } else if (hint === 'D' || hint === 'S') {
    if ((tag === '' || tag === TIMESTAMP) && isTimestamp(text)) return { tag: TIMESTAMP, value: text };
    const plain = text.replace(/_/g, '');
    const i = parseGoInt(plain, false) ?? parseGoInt(plain, true);
    if (i !== undefined) return { tag: INT, value: i };
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return { tag: FLOAT, value: f };
    }
    const b = /^(-?)0b([01]+)$/.exec(plain);
    if (b) {
      const n = BigInt(`0b${b[2]}`) * (b[1] ? -1n : 1n);
      if (n >= -(2n ** 63n) && n < 2n ** 64n) return { tag: INT, value: n };
    }
  }
  return { tag: STR, value: text };
}

/** Go's strconv.FormatFloat(f, 'g', -1, 32), as go-yaml spells float map keys. */
function formatFloat32(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Number.POSITIVE_INFINITY) return '.inf';
  if (x === Number.NEGATIVE_INFINITY) return '-.inf';
  const f = Math.fround(x);
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = Math.abs(f).toExponential(p - 1);
    if (Math.fround(Number(s)) === Math.abs(f)) {
      const [mant, e] = s.split('e');
      digits = mant.replace('.', '');
      exp = Number(e);
      break;
    }
  }
  const sign = f < 0 ? '-' : '';
  // Go's %g with the shortest precision: %e when the exponent is below -4 or at least 6.
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// go-yaml v2's alias limits (decode.go, allowedAliasRatio).
const RATIO_LOW = 400_000;
const RATIO_HIGH = 4_000_000;
function allowedAliasRatio(decodes: number): number {
  if (decodes <= RATIO_LOW) return 0.99;
  if (decodes >= RATIO_HIGH) return 0.1;
  return 0.99 - (0.89 * (decodes - RATIO_LOW)) / (RATIO_HIGH - RATIO_LOW);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Where a node starts, as `line N` of the file. */
type Where = (node: YamlNode | Pair | null | undefined) => string;

const BLANK = (c: string | undefined) => c === ' ' || c === '\t';
const BREAK = (c: string | undefined) => c === '\n' || c === '\u2028' || c === '\u2029';

/** go-yaml v2's escapes in double-quoted scalars (YAML 1.1: no `\/`). */
const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', "'": "'", '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_ESCAPES: Record<string, number> = { x: 2, u: 4, U: 8 };

/**
 * A plain or quoted scalar's value from its source (quotes included), as go-yaml's scanner
 * builds it (scan_flow_scalar, scan_plain_scalar): blanks before a line break are dropped, the
 * blanks after it skipped; a first break that is a line feed folds to a space (or gives way to
 * the breaks after it), an LS or PS is kept, with the breaks after it.
 */
function goFlowScalar(raw: string, type: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE'): string {
  const quoted = type !== 'PLAIN';
  const body = quoted ? raw.slice(1, -1) : raw.replace(/[ \t\n\u2028\u2029]+$/, '');
  let s = '';
  let i = 0;
  while (i < body.length) {
    let leadingBlanks = false;
    while (i < body.length && !BLANK(body[i]) && !BREAK(body[i])) {
      const c = body[i];
      if (type === 'QUOTE_SINGLE' && c === "'" && body[i + 1] === "'") {
        s += "'";
        i += 2;
      } else if (type === 'QUOTE_DOUBLE' && c === '\\' && BREAK(body[i + 1])) {
        i += 2;
        leadingBlanks = true;
        break;
      } else if (type === 'QUOTE_DOUBLE' && c === '\\') {
        const e = body[i + 1] ?? '';
        const width = HEX_ESCAPES[e];
        if (width !== undefined) {
          const hex = body.slice(i + 2, i + 2 + width);
          if (!new RegExp(`^[0-9A-Fa-f]{${width}}$`).test(hex)) throw new Error('did not find expected hexdecimal number (while parsing a quoted scalar)');
          const cp = Number.parseInt(hex, 16);
          if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) throw new Error('found invalid Unicode character escape code (while parsing a quoted scalar)');
          s += String.fromCodePoint(cp);
          i += 2 + width;
        } else if (e in ESCAPES) {
          s += ESCAPES[e];
          i += 2;
        } else throw new Error('found unknown escape character (while parsing a quoted scalar)');
      } else {
        s += c;
        i += 1;
      }
    }
    let whitespaces = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (i < body.length && (BLANK(body[i]) || BREAK(body[i]))) {
      if (BLANK(body[i])) {
        if (!leadingBlanks) whitespaces += body[i];
      } else if (!leadingBlanks) {
        whitespaces = '';
        leadingBreak = body[i];
        leadingBlanks = true;
      } else trailingBreaks += body[i];
      i += 1;
    }
    if (leadingBlanks) s += leadingBreak === '\n' ? trailingBreaks || ' ' : leadingBreak + trailingBreaks;
    else s += whitespaces;
  }
  return s;
}

class Decoder {
  private decodes = 1; // the document node
  private aliased = 0;
  private depth = 0;
  private readonly done = new Map<YamlNode, { value: Json; count: number }>();
  private readonly active = new Set<YamlNode>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly where: Where,
    /** The document's text, when it may hold a double-quoted `\/` (YAML 1.2 only). */
    private readonly source?: string,
    /** The document's text with LS and PS kept where `doc` was parsed with line feeds (see readValuesYaml). */
    private readonly orig?: string,
  ) {}

  private fail(node: YamlNode | Pair | null | undefined, why: string): never {
    throw new YamlValuesError(`${this.where(node)}${why}`);
  }

  private count(n: number, node: YamlNode | null | undefined) {
    this.decodes += n;
    if (this.depth > 0) this.aliased += n;
    if (this.aliased > 100 && this.decodes > 1000 && this.aliased / this.decodes > allowedAliasRatio(this.decodes)) {
      this.fail(node, 'document contains excessive aliasing (as Helm refuses it)');
    }
  }

  /** One node as go-yaml decodes it into interface{}, then through JSON. */
  value(node: YamlNode | null | undefined): Json {
    this.count(1, node);
    return this.inner(node);
  }

  private inner(node: YamlNode | null | undefined): Json {
    if (node === null || node === undefined) return null;
    // go-yaml's anchor and alias names are letters, digits, '_' and '-' (the yaml library takes more).
    const name = isAlias(node) ? node.source : node.anchor;
    if (name !== undefined && !/^[0-9A-Za-z_-]+$/.test(name)) this.fail(node, `did not find expected alphabetic or numeric character (while scanning an ${isAlias(node) ? 'alias' : 'anchor'})`);
    if (isAlias(node)) return this.alias(node);
    const memo = this.done.get(node);
    if (memo) {
      // An anchored node decoded before (through an alias): count it as go-yaml would decode it again.
      this.count(memo.count - 1, node);
      return structuredClone(memo.value);
    }
    const start = this.decodes;
    this.active.add(node);
    const value = this.fresh(node);
    this.active.delete(node);
    if (node.anchor && !isScalar(node)) this.done.set(node, { value, count: this.decodes - start + 1 });
    return value;
  }

  private alias(node: YamlNode & { source: string }): Json {
    const target = this.target(node);
    if (!target) this.fail(node, `unknown anchor '${node.source}' referenced`);
    if (this.active.has(target)) this.fail(node, `anchor '${node.source}' value contains itself`);
    this.depth += 1;
    try {
      return this.value(target);
    } finally {
      this.depth -= 1;
    }
  }

  private fresh(node: YamlNode): Json {
    if (isScalar(node)) return this.scalar(node);
    if (isSeq(node)) return node.items.map((item) => this.value(item as YamlNode));
    if (isMap(node)) {
      const out: Record<string, Json> = {};
      this.mapping(node.items as Pair[], out);
      return out;
    }
    return this.fail(node, 'unsupported YAML node');
  }

  private mapping(items: Pair[], out: Record<string, Json>) {
    for (const pair of items) {
      const key = pair.key as YamlNode | null;
      if (isScalar(key) && key.type === 'PLAIN' && key.value === '<<' && !key.tag) {
        this.merge(pair.value as YamlNode | null, out);
        continue;
      }
      const k = this.key(key, pair);
      put(out, k, this.value(pair.value as YamlNode | null));
    }
  }

  private merge(node: YamlNode | null, out: Record<string, Json>) {
    const wantMap = (): never => this.fail(node, 'map merge requires map or sequence of maps as the value');
    const mergeOne = (n: YamlNode) => {
      const value = this.value(n);
      if (!isMapValue(value)) return wantMap();
      for (const [k, v] of Object.entries(value)) put(out, k, v);
    };
    const target = (n: YamlNode | null) => (isAlias(n) ? this.target(n) : n);
    if (isMap(node)) mergeOne(node);
    else if (isAlias(node)) {
      if (!isMap(target(node))) wantMap();
      mergeOne(node);
    } else if (isSeq(node)) {
      const items = node.items as YamlNode[];
      for (let i = items.length - 1; i >= 0; i--) {
        if (!isMap(target(items[i]))) wantMap();
        mergeOne(items[i]);
      }
    } else wantMap();
  }

  /** A map key, as sigs.k8s.io/yaml turns it into a JSON key. */
  private key(node: YamlNode | null, pair: Pair): string {
    this.inKey += 1;
    let k: Json;
    try {
      k = this.value(node);
    } finally {
      this.inKey -= 1;
    }
    if (typeof k === 'string') return k;
    if (typeof k === 'boolean') return String(k);
    if (k === null) return this.fail(pair, 'unsupported map key: null (a key must not be ~, null or empty)');
    if (typeof k === 'object') return this.fail(pair, `invalid map key: ${JSON.stringify(k)} (a key must be a scalar)`);
    // An integer keeps Go's decimal spelling; a float is spelled as Go prints a float32.
    let target: YamlNode | null | undefined = node;
    while (isAlias(target)) target = this.target(target);
    const r = isScalar(target) ? this.resolveScalar(target) : undefined;
    if (typeof r?.value !== 'bigint') return formatFloat32(k);
    if (r.value >= 2n ** 63n) return this.fail(pair, `unsupported map key of type uint64: ${r.value} (a key beyond a 64-bit signed integer)`);
    return r.value.toString();
  }

  private inKey = 0;

  private target(alias: YamlNode): YamlNode | undefined {
    return isAlias(alias) ? alias.resolve(this.doc) : undefined;
  }

  /** The tag and value go-yaml gives a scalar (integers as bigint). */
  private resolveScalar(node: Scalar): Resolved {
    const text = this.separatorText(node) ?? String(node.value ?? '');
    const tag = node.tag ?? '';
    if (tag === '' && node.type !== 'PLAIN' && node.value !== null) return { tag: STR, value: text };
    let r: Resolved;
    try {
      r = resolve(tag, text);
    } catch (e) {
      return this.fail(node, (e as Error).message);
    }
    if (r.tag === BINARY) {
      const b64 = String(r.value).replace(/[\r\n]/g, '');
      if (!BASE64.test(b64)) this.fail(node, '!!binary value contains invalid base64 data');
      return { tag: STR, value: Buffer.from(b64, 'base64').toString('utf8') };
    }
    if (r.tag === TIMESTAMP) return { tag: STR, value: text }; // go-yaml keeps timestamps' text in interface{}
    return r;
  }

  /**
   * A flow scalar's text as go-yaml reads it when an LS or PS breaks one of its lines: such a
   * break is kept as itself where a line feed folds to a space (undefined: no LS or PS in it).
   */
  private separatorText(node: Scalar): string | undefined {
    if (this.orig === undefined || !node.range || !(node.type === 'PLAIN' || node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) return undefined;
    const raw = this.orig.slice(node.range[0], node.range[1]);
    if (!/[\u2028\u2029]/.test(raw)) return undefined;
    try {
      return goFlowScalar(raw, node.type);
    } catch (e) {
      return this.fail(node, (e as Error).message);
    }
  }

  private scalar(node: Scalar): Json {
    if (this.source !== undefined && node.type === 'QUOTE_DOUBLE' && node.range) {
      // go-yaml knows YAML 1.1's escapes only.
      const raw = this.source.slice(node.range[0], node.range[1]);
      if (/(^|[^\\])(\\\\)*\\\//.test(raw)) this.fail(node, 'found unknown escape character (\\/ is YAML 1.2)');
    }
    const { value } = this.resolveScalar(node);
    // JSON turns Go's integers into float64 (rounded as JavaScript rounds them).
    if (typeof value === 'bigint') return Number(value);
    if (typeof value === 'number' && !Number.isFinite(value) && this.inKey === 0) {
      this.fail(node, `unsupported value ${formatFloat32(value)} (JSON has no ${Number.isNaN(value) ? 'NaN' : 'infinity'}; Helm refuses it too)`);
    }
    return value as Json;
  }
}

/** Sets an own property (also `__proto__`). */
function put(o: Record<string, unknown>, k: string, v: unknown) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** The documents of a file, as Helm 4's reader splits it: their text, first line and offset. */
function splitDocuments(text: string): { text: string; line: number; offset: number }[] {
  const lines = text.split('\n');
  const chunks: { text: string; line: number; offset: number }[] = [];
  let buf: string[] = [];
  let start = 1;
  let startOffset = 0;
  let offset = 0;
  lines.forEach((raw, i) => {
    const here = offset;
    offset += raw.length + 1;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      if (rest.length > 0 && rest[0] !== '#') {
        throw new YamlValuesError(`line ${i + 1}: invalid document separator: ${rest.length > 40 ? `${rest.slice(0, 40)}…` : rest} (only a comment may follow --- on its line)`);
      }
      if (buf.length > 0) chunks.push({ text: buf.join('\n'), line: start, offset: startOffset });
      buf = [];
      start = i + 2;
      startOffset = offset;
      return;
    }
    if (buf.length === 0) startOffset = here;
    buf.push(line);
  });
  if (buf.length > 0) chunks.push({ text: buf.join('\n'), line: start, offset: startOffset });
  return chunks;
}

/**
 * go-yaml does not care how far the continuation lines of a quoted scalar are indented (their
 * leading blanks are folded away); the yaml library wants them inside the parent. The text with
 * the continuation lines of the quoted scalar left open on the line of `at` indented past that
 * line (the value is the same), or undefined when it does not close.
 */
function indentQuotedContinuation(text: string, at: number, quote: '"' | "'"): string | undefined {
  const lines = text.split('\n');
  let offset = 0;
  let row = 0;
  while (row < lines.length - 1 && offset + lines[row].length < at) offset += lines[row++].length + 1;
  // The yaml library may point at an empty line inside the scalar: the quote opened above it.
  while (row > 0 && lines[row].trim() === '') row--;
  // The quote left open on that line: scan with the scalar's escapes (\" in double, '' in single quotes).
  const line = lines[row];
  let open = -1;
  for (let i = 0; i < line.length; i++) {
    if (open >= 0 && quote === '"' && line[i] === '\\') i++;
    else if (line[i] === quote) {
      if (open >= 0 && quote === "'" && line[i + 1] === "'") i++;
      else open = open >= 0 ? -1 : i;
    } else if (open < 0 && line[i] === '#' && (i === 0 || /\s/.test(line[i - 1]))) break;
  }
  if (open < 0) return undefined;
  const pad = ' '.repeat(line.length - line.trimStart().length + 1);
  for (let r = row + 1; r < lines.length; r++) {
    const l = lines[r];
    let closed = false;
    for (let i = 0; i < l.length && !closed; i++) {
      if (quote === '"' && l[i] === '\\') i++;
      else if (l[i] === quote) {
        if (quote === "'" && l[i + 1] === "'") i++;
        else closed = true;
      }
    }
    lines[r] = pad + l;
    if (closed) return lines.join('\n');
  }
  return undefined;
}

/**
 * The first line (0-based) whose leading blanks hold a tab outside a scalar that spans lines and
 * outside flow collections: go-yaml does not skip a tab where a block token may start.
 */
const TAB_MESSAGE = 'found a tab character that cannot start any token (go-yaml refuses a tab before the first character of a line outside scalars and flow collections)';

function tabLeadingLine(text: string, doc?: Document): number | undefined {
  if (!/(^|\n) *\t/.test(text)) return undefined;
  const spans: [number, number][] = [];
  if (doc) visit(doc, (_key, node) => {
    const range = (node as { range?: [number, number, number] }).range;
    if (!range) return;
    if ((isMap(node) || isSeq(node)) && node.flow) spans.push([range[0], range[2]]);
    else if (isScalar(node) && text.slice(range[0], range[2]).includes('\n')) spans.push([range[0], range[2]]);
  });
  let offset = 0;
  const lines = text.split('\n');
  for (let row = 0; row < lines.length; row++) {
    const lead = /^ *\t/.exec(lines[row]);
    if (lead && !spans.some(([a, b]) => offset > a && offset < b)) return row;
    offset += lines[row].length + 1;
  }
  return undefined;
}

/** One document's content as Helm decodes it (through JSON). */
/** `orig` (same length as `text`, LS and PS where `text` has LF) changed as `text` was to `changed` by padding lines. */
function padLike(orig: string | undefined, text: string, changed: string): string | undefined {
  if (orig === undefined) return undefined;
  const lines = text.split('\n');
  const out = changed.split('\n');
  let offset = 0;
  return lines
    .map((l, i) => {
      const o = orig.slice(offset, offset + l.length);
      const sep = orig.slice(offset + l.length, offset + l.length + 1);
      offset += l.length + 1;
      return out[i].slice(0, out[i].length - l.length) + o + sep;
    })
    .join('');
}

/**
 * go-yaml does not look at indentation inside a flow collection (`cpu: {` with its `}` at the left
 * margin of the next line is an empty map); the yaml library wants those lines indented past the
 * block the collection stands in. The text with the line holding `at` indented past every line
 * before it (the same value: leading blanks inside a flow collection, and on the continuation
 * lines of its scalars, are not content), or undefined when it already is.
 */
function indentFlowLine(text: string, at: number): string | undefined {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const before = text.slice(0, start).split('\n').filter((l) => l.trim() !== '');
  const needed = Math.max(0, ...before.map((l) => l.length - l.trimStart().length)) + 1;
  const line = text.slice(start);
  const has = line.length - line.replace(/^ */, '').length;
  return has >= needed ? undefined : `${text.slice(0, start)}${' '.repeat(needed - has)}${line}`;
}

/**
 * go-yaml reads `-` before a flow indicator (`{-}`, `[a, -]`) as the plain scalar "-"; the yaml
 * library reads a block sequence there and refuses it. The text with each such `-` quoted (the
 * same value), or undefined when there is none.
 */
function quoteFlowDashes(text: string, doc: Document.Parsed): string | undefined {
  const at = doc.errors.filter((e) => e.code === 'BLOCK_IN_FLOW').map((e) => e.pos[0]).filter((p) => text[p] === '-' && /[,\]}]/.test(text[p + 1] ?? ''));
  if (at.length === 0 || at.length !== doc.errors.filter((e) => e.code === 'BLOCK_IN_FLOW').length) return undefined;
  let out = text;
  for (const p of [...new Set(at)].sort((a, b) => b - a)) out = `${out.slice(0, p)}"-"${out.slice(p + 1)}`;
  return out;
}

/** One document's content as Helm decodes it (through JSON); `orig`: the text with LS and PS kept (see readValuesYaml). */
function decodeDocument(text: string, firstLine: number, orig?: string): Json {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { version: '1.1', schema: 'failsafe', uniqueKeys: false, merge: false, lineCounter, prettyErrors: false });
  const where: Where = (node) => {
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range ?? (node as { key?: { range?: [number] } } | null | undefined)?.key?.range;
    return range ? `line ${lineCounter.linePos(range[0]).line + firstLine - 1}: ` : '';
  };
  const list = Array.isArray(docs) ? docs : [];
  // Directives without a document (go-yaml: "did not find expected <document start>"), as when
  // Helm 4 cuts `%YAML 1.1` from the `---` that follows it.
  if (/^%/m.test(text) && text.split('\n').every((l) => l.trim() === '' || l.startsWith('%') || l.trimStart().startsWith('#'))) {
    const line = text.split('\n').findIndex((l) => l.startsWith('%'));
    throw new YamlValuesError(`line ${line + firstLine}: did not find expected <document start> (a directive must be followed by --- and a document in the same part of the file)`);
  }
  // go-yaml reads one document; what follows an explicit end (`...`) is not read.
  const doc = list[0];
  if (!doc) {
    // Only blanks and comments: go-yaml still refuses a tab where a token may start.
    const tab = tabLeadingLine(text);
    if (tab !== undefined) throw new YamlValuesError(`line ${tab + firstLine}: ${TAB_MESSAGE}`);
    return null;
  }
  const err = doc.errors[0];
  if (err?.code === 'BLOCK_IN_FLOW') {
    const quoted = quoteFlowDashes(text, doc);
    if (quoted !== undefined) return decodeDocument(quoted, firstLine, orig === undefined ? undefined : quoteFlowDashes(orig, doc));
  }
  // go-yaml ends a document whose first node is indented where a line starts further left: what
  // follows is an implicit second document, which Helm (reading one document) never reads.
  if (err?.code === 'UNEXPECTED_TOKEN' && /at node end/.test(err.message)) {
    const lines = text.split('\n');
    const content = (l: string) => l.trim() !== '' && !l.trimStart().startsWith('#');
    const indent = (l: string) => l.length - l.trimStart().length;
    const first = lines.findIndex(content);
    const at = (err.linePos?.[0] ?? lineCounter.linePos(err.pos[0])).line - 1;
    if (first >= 0 && first < at && indent(lines[at]) < indent(lines[first]) && lines.slice(first, at).every((l) => !content(l) || indent(l) >= indent(lines[first]))) {
      const kept = lines.slice(0, at).join('\n');
      return decodeDocument(kept, firstLine, orig?.slice(0, kept.length));
    }
  }
  if (err?.code === 'BAD_INDENT' && /^Flow (map|sequence) in block collection must be sufficiently indented/.test(err.message)) {
    const indented = indentFlowLine(text, err.pos[0]);
    if (indented !== undefined) return decodeDocument(indented, firstLine, padLike(orig, text, indented));
  }
  if (err?.code === 'MISSING_CHAR' && /^Missing closing ["']quote/.test(err.message)) {
    const indented = indentQuotedContinuation(text, err.pos[0], err.message.includes('"quote') ? '"' : "'");
    if (indented !== undefined) return decodeDocument(indented, firstLine, padLike(orig, text, indented));
  }
  if (err) {
    const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
    const msg = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new YamlValuesError(`${pos ? `line ${pos.line + firstLine - 1}: ` : ''}${msg}`);
  }
  const tab = tabLeadingLine(text, doc);
  if (tab !== undefined) throw new YamlValuesError(`line ${tab + firstLine}: ${TAB_MESSAGE}`);
  return new Decoder(doc, where, text.includes('\\/') ? text : undefined, orig).value(doc.contents as YamlNode | null);
}

function isMapValue(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Helm's mergeMaps: maps merge key by key, anything else (lists, null) replaces. */
export function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    put(out, k, isMapValue(v) && isMapValue(cur) ? mergeMaps(cur, v) : v);
  }
  return out;
}

/** The line (1-based) of the character at `index` of `text`. */
function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The characters go-yaml's reader accepts (YAML 1.1's printable set): tab, LF, CR, U+0020 to
 * U+007E, NEL (U+0085), U+00A0 to U+D7FF, U+E000 to U+FFFD and U+10000 up. Everything else
 * (C0 controls, DEL, C1 controls but NEL, U+FFFE, U+FFFF) is "control characters are not allowed".
 */
const NOT_PRINTABLE = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

/**
 * A values file's bytes as text, decoded and checked as go-yaml's reader does before Helm
 * parses anything: a UTF-8 byte-order mark at the start is skipped, UTF-16 with its byte-order
 * mark is decoded, invalid UTF-8 (a bad leading or trailing octet, an overlong or truncated
 * sequence, a surrogate) and characters outside YAML's printable set are refused, naming the line.
 */
export function decodeValuesBytes(bytes: Uint8Array): string {
  let text: string;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    if (bytes.length % 2 !== 0) throw new YamlValuesError('incomplete UTF-16 character (the file starts with a UTF-16 byte-order mark)');
    const le = Uint8Array.from(bytes.subarray(2));
    if (bytes[0] === 0xfe) for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1], le[i]];
    try {
      text = new TextDecoder('utf-16le', { fatal: true }).decode(le);
    } catch {
      throw new YamlValuesError('invalid UTF-16 surrogate pair');
    }
  } else {
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    text = utf8(bytes, start);
  }
  const bad = NOT_PRINTABLE.exec(text);
  if (bad) {
    const cp = bad[0].codePointAt(0) ?? 0;
    throw new YamlValuesError(`line ${lineAt(text, bad.index)}: control characters are not allowed (U+${cp.toString(16).toUpperCase().padStart(4, '0')})`);
  }
  return text;
}

/** UTF-8 from `start`, refused as go-yaml refuses it (its messages, with the line). */
function utf8(bytes: Uint8Array, start: number): string {
  const fail = (at: number, why: string): never => {
    let line = 1;
    for (let i = start; i < at; i++) if (bytes[i] === 10) line++;
    throw new YamlValuesError(`line ${line}: ${why} (not UTF-8 text)`);
  };
  for (let i = start; i < bytes.length; ) {
    const b = bytes[i];
    const width = b < 0x80 ? 1 : (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 0;
    if (width === 0) fail(i, 'invalid leading UTF-8 octet');
    if (i + width > bytes.length) fail(i, 'incomplete UTF-8 octet sequence');
    let cp = width === 1 ? b : width === 2 ? b & 0x1f : width === 3 ? b & 0x0f : b & 0x07;
    for (let k = 1; k < width; k++) {
      if ((bytes[i + k] & 0xc0) !== 0x80) fail(i, 'invalid trailing UTF-8 octet');
      cp = (cp << 6) | (bytes[i + k] & 0x3f);
    }
    if (!(width === 1 || (width === 2 && cp >= 0x80) || (width === 3 && cp >= 0x800) || (width === 4 && cp >= 0x10000))) fail(i, 'invalid length of a UTF-8 sequence');
    if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) fail(i, 'invalid Unicode character');
    i += width;
  }
  return new TextDecoder('utf-8').decode(bytes.subarray(start));
}

/**
 * A values file's content, read as Helm 4 reads it. Returns a map (empty for an empty file).
 * Throws YamlValuesError with a one-line message.
 */
export function readValuesYaml(text: string): Record<string, unknown> {
  let values: Record<string, unknown> = {};
  // go-yaml's line breaks: LF, CRLF, and also a lone CR, NEL, LS and PS. CR, CRLF and NEL read
  // as LF everywhere; LS and PS break lines as well but are kept as themselves where a scalar
  // holds a line break (`original`: the text with only them kept, of the same length).
  const original = text.replace(/\r\n/g, '\n').replace(/[\r\u0085]/g, '\n');
  const normalized = original.replace(/[\u2028\u2029]/g, '\n');
  const withSeparators = normalized !== original;
  for (const chunk of splitDocuments(normalized)) {
    const doc = decodeDocument(chunk.text, chunk.line, withSeparators ? original.slice(chunk.offset, chunk.offset + chunk.text.length) : undefined);
    if (doc === null) continue;
    if (!isMapValue(doc)) {
      throw new YamlValuesError(`${chunk.line > 1 ? `line ${chunk.line}: ` : ''}expected a map of values at the top level, got ${Array.isArray(doc) ? 'a list' : `a ${typeof doc}`}`, true);
    }
    values = mergeMaps(values, doc);
  }
  return values;
}
