/**
 * Writes object trees that hold expressions and markers as Helm template text.
 *
 * Plain subtrees are written by js-yaml; at each expression or marker the emitter
 * writes the Go template action that produces the same data:
 * - a scalar value:            `key: {{ EXPR | toJson }}` (JSON is YAML; strings stay strings)
 * - a structured value:        `key:` + `{{- toYaml EXPR | nindent N }}`
 * - an optional field:         `{{- if COND }}` … `{{- end }}`
 * - optional fields (spread):  `{{- if COND }}` … `{{- else }}` … `{{- end }}`
 * - list items from a value:   `{{- range EXPR }}` … `{{- end }}`
 * Objects and lists whose every entry is conditional get an explicit `{}`/`[]`
 * when none is present, so they render as the concrete mode does.
 */
import { Bound, BuiltInRef, Default, Expr, Fmt, GeneratedCertField, Lit, Logic, Not, Omit, Ref, Ternary, Truthy, mapOrEmpty, rooted } from './expr';
import { overriders, ownedKeys, settersOf, spliceLines, type Setter } from './maps';
import { Each, FIELDS_KEY_PREFIX, Fields, Include, Lines, MapSplice, Maybe, Owned, Range, SharedPart, Splice, YamlText, isPlain } from './tree';
import { isEntryList } from './values';
import { wrapWords } from './wrap';
import { alwaysTruthy, mayBeNil, shapeOf, spelling } from './shape';
import { SCALAR_TEMPLATE_NAME, keyText, objectOrder, scalarAction, scalarText, yamlLines } from './yaml';

function pad(n: number): string {
  return ' '.repeat(n);
}

/** A plain value as the engine writes YAML (yaml.ts), at `indent`. */
function plain(value: unknown, indent: number): string[] {
  return yamlLines(value, indent);
}

function isStructured(e: Expr): boolean {
  return e.type === 'object' || e.type === 'array';
}

/**
 * A scalar value filled in by Helm, written as yaml.ts writes it (a literal block's lines at
 * `indent`): plainly or in JSON quotes when its type decides that for every value (shape.ts), else
 * through the quoting helper, once per template file for a value used more than once there.
 */
function valueLine(e: Expr, indent: number): string {
  if (e instanceof Lit && typeof e.value === 'string') return scalarText(e.value, indent).replace(/\{\{/g, '{{ "{{" }}');
  const typed = nonStringLine(e);
  if (typed) return typed;
  const how = e.type !== 'string' || mayBeNil(e) ? null : spelling(shapeOf(e));
  if (how === 'plain') return spliced(e, (t) => t);
  if (how === 'quoted') return `"${spliced(e, (t) => JSON.stringify(t).slice(1, -1))}"`;
  if (bindable(e)) {
    const shape = shapeOf(e);
    const oneLine = shape?.chars != null && !shape.chars.has('\n');
    return `{{ ${new Bound(hintOf(e), new Quoted(e, oneLine ? 0 : indent, inEach), true).go()} }}`;
  }
  return scalarAction(e.go(), indent);
}

/** Whether the document being written is inside `v.each`'s range (where a quoted value's references are spelled from `$`). */
let inEach = false;

/** An operand without its outer parentheses, for a whole action (`{{ int64 .Values.port }}`). */
function bare(go: string): string {
  if (!go.startsWith('(') || !go.endsWith(')')) return go;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < go.length; i++) {
    const c = go[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0 && i < go.length - 1) return go;
  }
  return go.slice(1, -1);
}

/** An integer whose every value prints in digits with `{{ }}` (Helm reads values files' numbers as float64: `1e+06` from a million). */
function smallInteger(e: Expr): boolean {
  const f = e instanceof Ref ? e.facts : undefined;
  return e.type === 'integer' && f?.present === true && f.minimum !== undefined && f.maximum !== undefined && f.minimum > -1e6 && f.maximum < 1e6;
}

/** An integer or boolean by its schema type (never a string): values, literals, and choices between them. */
function typedNonString(e: Expr): boolean {
  if (e instanceof Ref) return e.type === 'integer' || e.type === 'boolean';
  if (e instanceof Lit) return typeof e.value === 'boolean' || (typeof e.value === 'number' && Number.isInteger(e.value));
  if (e instanceof Default) return typedNonString(e.value) && typedNonString(e.fallback);
  if (e instanceof Ternary) return typedNonString(e.whenTrue) && typedNonString(e.whenFalse);
  return e.goBoolean();
}

/** The text of a string expression: a printf's literal parts as text (`escape`d), each operand its own action. */
function spliced(e: Expr, escape: (text: string) => string): string {
  if (!(e instanceof Fmt)) return `{{ ${bare(e.go())} }}`;
  const text = (p: Expr) => (p instanceof Lit && p.value !== null ? escape(String(p.value)) : `{{ ${bare(smallInteger(p) ? p.go() : p.goPrintOperand())} }}`);
  return e.parts.map((p) => (typeof p === 'string' ? escape(p) : text(p))).join('');
}

/** Integers and booleans the schema types: printed as `toJson` writes them (which the quoting helper does for non-strings). */
function nonStringLine(e: Expr): string | null {
  if (e.goBoolean() || smallInteger(e)) return `{{ ${bare(e.go())} }}`;
  if (typedNonString(e)) return `{{ toJson ${e.go()} }}`;
  return null;
}

/** Whether an expression can be evaluated at the top of a template file, outside its guards (every reference there, or nil-safe). */
function bindable(e: Expr): boolean {
  if (e instanceof BuiltInRef || e instanceof Lit) return true;
  if (e instanceof Ref) return e.path.length === 1 || e.facts?.present === true || e.path.slice(0, -1).every((_k, i) => e.mayBeAbsent.has(i));
  if (e instanceof Default) return bindable(e.value) && bindable(e.fallback);
  if (e instanceof Fmt) return e.parts.every((p) => typeof p === 'string' || bindable(p));
  return false;
}

/** A variable name for a value: its key, or the namespace. */
function hintOf(e: Expr): string {
  if (e instanceof BuiltInRef) return e.field === 'Release.Namespace' ? 'namespace' : 'release';
  if (e instanceof Ref) {
    const key = e.path[e.path.length - 1];
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : 'value';
  }
  if (e instanceof Default) return hintOf(e.value);
  const first = e instanceof Fmt ? e.parts.find((p): p is Expr => p instanceof Expr) : undefined;
  return first ? hintOf(first) : 'value';
}

/** The quoting helper's text of a value (a pipeline, for a whole action or a variable's declaration). */
class Quoted extends Expr {
  constructor(
    private readonly inner: Expr,
    private readonly indent: number,
    /** Spelled from `$`, for use inside a range (the same at the top of the file, where `$` is `.`). */
    private readonly fromRoot: boolean,
  ) {
    super('string');
  }
  evaluate(): never {
    throw new Error('template-only');
  }
  go(): string {
    const text = `include ${JSON.stringify(SCALAR_TEMPLATE_NAME)} (list ${this.inner.go()} ${this.indent})`;
    return this.fromRoot ? rooted(text) : text;
  }
  describe(): string {
    return `quoted ${this.inner.describe()}`;
  }
}

/** The condition under which a container entry contributes anything (null: always; 'unknown': a shared definition's items, all conditional). */
function presence(node: unknown): Expr | null | 'unknown' {
  if (node instanceof Include) {
    if (node.partial.kind === 'one') return node.tree instanceof Maybe ? 'unknown' : null;
    return (node.tree as unknown[]).some((x) => x !== undefined && presence(x) === null) ? null : 'unknown';
  }
  if (node instanceof Maybe) return alwaysTruthy(node.cond) ? null : node.cond;
  if (node instanceof Splice) return new Truthy(node.list);
  if (node instanceof Range) return new Truthy(node.map);
  if (node instanceof Fields) return (node.otherwise && Object.keys(node.otherwise).length > 0) || alwaysTruthy(node.cond) ? null : node.cond;
  if (node instanceof MapSplice) return new Truthy(node.map);
  return null;
}

/** `{{- if not (or …) }} {}{{- end }}` after `key:` when every entry is conditional. */
function emptyGuard(entries: unknown[], empty: '{}' | '[]', conds: (Expr | null | 'unknown')[] = entries.map(presence)): string {
  if (entries.length === 0) return ` ${empty}`;
  if (conds.some((c) => c === null)) return '';
  if (conds.includes('unknown')) throw new Error('an object or list whose entries are all conditional cannot hold a shared definition that may be empty');
  return `{{ if ${new Not(new Logic('or', conds as Expr[])).goCond()} }} ${empty}{{ end }}`;
}

/** The guard of an object: a user map contributes only the keys that no later entry sets. */
function mapGuard(obj: Record<string, unknown>): string {
  const entries = mapEntries(obj);
  const conds = entries.map(([, v], i) => {
    if (!(v instanceof MapSplice)) return presence(v);
    const always = entries.slice(i + 1).flatMap(([k, x]) => settersOf(k, x, null).flatMap((s) => (s.kind === 'key' && !s.cond ? [s.key] : [])));
    return new Truthy(always.length ? new Omit(mapOrEmpty(v.map), [...new Set(always)]) : v.map);
  });
  return emptyGuard(entries.map(([, v]) => v), '{}', conds);
}

function mapEntries(obj: Record<string, unknown>): [string, unknown][] {
  return Object.entries(obj).filter(([, v]) => v !== undefined && !(v instanceof Owned));
}

function checkKey(k: string): void {
  if (k.includes('{{')) throw new Error(`object key ${JSON.stringify(k)} contains '{{'`);
}

/**
 * Lines for the entries of an object at `indent`. Where user maps are spliced in, every key is
 * written once, by the last entry that sets it (maps.ts). `outer`: for the branches of a
 * Fields marker, what follows the marker in its object and the keys that object owns.
 */
export function emitMap(obj: Record<string, unknown>, indent: number, outer?: { later: readonly Setter[]; owned: ReadonlySet<string> }): string[] {
  const lines: string[] = [];
  const entries = mapEntries(obj);
  const owned = outer?.owned ?? ownedKeys(obj);
  const laterThan = (i: number): Setter[] => [...entries.slice(i + 1).flatMap(([k, v]) => settersOf(k, v, null)), ...(outer?.later ?? [])];
  entries.forEach(([k, v], i) => {
    if (k.startsWith(FIELDS_KEY_PREFIX) && v instanceof MapSplice) {
      lines.push(...spliceLines(v.map, laterThan(i), indent));
    } else if (k.startsWith(FIELDS_KEY_PREFIX)) {
      const f = v as Fields;
      const inner = { later: laterThan(i), owned };
      if (alwaysTruthy(f.cond)) {
        lines.push(...emitMap(f.then, indent, inner));
        return;
      }
      lines.push(`${pad(indent)}{{- if ${f.cond.goCond()} }}`, ...emitMap(f.then, indent, inner));
      if (f.otherwise && Object.keys(f.otherwise).length > 0) lines.push(`${pad(indent)}{{- else }}`, ...emitMap(f.otherwise, indent, inner));
      lines.push(`${pad(indent)}{{- end }}`);
    } else {
      const over = overriders(k, laterThan(i), owned);
      if (over === 'always') return;
      const conds = [...(v instanceof Maybe && !alwaysTruthy(v.cond) ? [v.cond] : []), ...(over.length ? [new Not(new Logic('or', over))] : [])];
      const node = v instanceof Maybe ? v.node : v;
      if (conds.length === 0) lines.push(...emitEntry(k, node, indent));
      else {
        const cond = conds.length === 1 ? conds[0] : new Logic('and', conds);
        lines.push(`${pad(indent)}{{- if ${cond.goCond()} }}`, ...emitEntry(k, node, indent), `${pad(indent)}{{- end }}`);
      }
    }
  });
  return lines;
}

function emitEntry(k: string, v: unknown, indent: number): string[] {
  checkKey(k);
  if (v === undefined) return [];
  const key = `${keyText(k)}:`;
  if (isPlain(v)) return plain({ [k]: v }, indent);
  if (typeof v === 'string') return [`${pad(indent)}${key} ${valueLine(new Lit(v), indent + 2)}`];
  if (v instanceof Expr) {
    // A list's dashes sit in its key's column, as yaml.ts writes them (an empty list, `[]`, cannot: two further in); a map's keys two further in.
    if (isStructured(v)) {
      const at = v.type === 'array' ? `(ternary ${indent + 2} ${indent} (empty ${v.go()}))` : String(indent + 2);
      return [`${pad(indent)}${key}`, `${pad(indent + 2)}{{- toYaml ${v.go()} | nindent ${at} }}`];
    }
    return [`${pad(indent)}${key} ${valueLine(v, indent + 2)}`];
  }
  if (v instanceof Lines) {
    return [
      `${pad(indent)}${key} |`,
      `${pad(indent + 2)}{{- range ${v.key.go()}, ${v.value.go()} := ${v.map.go()} }}`,
      `${pad(indent + 2)}{{ ${v.line.go()} }}`,
      `${pad(indent + 2)}{{- end }}`,
    ];
  }
  if (v instanceof YamlText) return [`${pad(indent)}${key} |`, ...emitMap(v.tree, indent + 2)];
  if (v instanceof Include && v.partial.kind === 'one') return includeLines(v, indent, `field:${k}`);
  if (v instanceof Maybe || v instanceof Splice || v instanceof Fields || v instanceof Range || v instanceof Include) {
    throw new Error(`marker ${v.constructor.name} cannot stand as the value of '${k}'`);
  }
  if (Array.isArray(v)) return [`${pad(indent)}${key}${emptyGuard(v.filter((x) => x !== undefined), '[]')}`, ...emitList(v, indent)];
  return [`${pad(indent)}${key}${mapGuard(v as Record<string, unknown>)}`, ...emitMap(v as Record<string, unknown>, indent + 2)];
}

/** Lines for the items of a list whose dashes sit at `indent`. */
export function emitList(items: unknown[], indent: number): string[] {
  const lines: string[] = [];
  for (const item of items) {
    if (item === undefined) continue;
    if (item instanceof Include && item.partial.kind === 'items') {
      lines.push(...includeLines(item, indent, 'items'));
    } else if (item instanceof Splice) {
      lines.push(`${pad(indent)}{{- range ${item.list.go()} }}`, `${pad(indent)}- ${scalarAction('.', indent + 2)}`, `${pad(indent)}{{- end }}`);
    } else if (item instanceof Maybe && alwaysTruthy(item.cond)) {
      lines.push(...emitItem(item.node, indent));
    } else if (item instanceof Maybe) {
      lines.push(`${pad(indent)}{{- if ${item.cond.goCond()} }}`, ...emitItem(item.node, indent), `${pad(indent)}{{- end }}`);
    } else if (item instanceof Range) {
      const body = isEntryList(item.item) ? emitList(item.item, indent) : emitItem(item.item, indent);
      lines.push(`${pad(indent)}{{- range ${item.key.go()}, ${item.value.go()} := ${item.map.go()} }}`, ...body, `${pad(indent)}{{- end }}`);
    } else {
      lines.push(...emitItem(item, indent));
    }
  }
  return lines;
}

function emitItem(item: unknown, indent: number): string[] {
  if (item instanceof Include) {
    if (item.partial.kind !== 'one') throw new Error(`shared definition ${item.partial.name} is a list: spread it into a list`);
    return includeLines(item, indent, 'item');
  }
  if (isPlain(item)) return plain([item], indent);
  if (typeof item === 'string') return [`${pad(indent)}- ${valueLine(new Lit(item), indent + 2)}`];
  if (item instanceof Expr) {
    if (isStructured(item)) return [`${pad(indent)}-`, `${pad(indent + 2)}{{- toYaml ${item.go()} | nindent ${indent + 2} }}`];
    return [`${pad(indent)}- ${valueLine(item, indent + 2)}`];
  }
  if (Array.isArray(item)) {
    // A list in a list: written as JSON (valid YAML) to keep the dash layout simple.
    return [`${pad(indent)}- {{ ${new JsonList(item).go()} | toJson }}`];
  }
  if (item !== null && typeof item === 'object') {
    const body = emitMap(item as Record<string, unknown>, indent + 2);
    const guard = mapGuard(item as Record<string, unknown>);
    if (guard) return [`${pad(indent)}-${guard}`, ...body];
    // The first line carries the dash; a control line there trims the space after it, which YAML accepts.
    return [`${pad(indent)}- ${body[0].slice(indent + 2)}`, ...body.slice(1)];
  }
  throw new Error(`cannot emit list item ${String(item)}`);
}

/** A list with expressions inside, spelled with sprig `list`. */
class JsonList extends Expr {
  constructor(private readonly items: unknown[]) {
    super('array');
  }
  evaluate(): never {
    throw new Error('template-only');
  }
  go(): string {
    const ops = this.items.map((i) => (i instanceof Expr ? i.go() : new Lit(i as string).go()));
    return `(list ${ops.join(' ')})`;
  }
  describe(): string {
    return 'list';
  }
}

const bodies = new WeakMap<SharedPart, string[]>();

/** The lines of a shared definition at indent 0 (its variables first); every use must give the same. */
function partialBody(p: SharedPart, position: string): string[] {
  p.position ??= position;
  if (p.position !== position) throw new Error(`shared definition ${p.name} stands as ${p.position} and as ${position}`);
  let body = bodies.get(p);
  if (body) return body;
  const lines = (tree: unknown) =>
    position === 'items' ? emitList(tree as unknown[], 0) : position === 'item' ? emitItem(tree, 0) : emitMap({ [position.slice('field:'.length)]: tree }, 0);
  // Bound values are named per use (the variables are declared at the top of the definition).
  const outer = inEach;
  inEach = false;
  const texts = p.uses.map((tree) => {
    const { declarations, text } = Bound.bindVariables(lines(tree).join('\n'));
    return [...declarations, ...text.split('\n')];
  });
  inEach = outer;
  body = texts[0];
  texts.forEach((t, i) => {
    const at = t.findIndex((line, j) => line !== body![j]);
    if (at >= 0 || t.length !== body!.length) {
      const j = at >= 0 ? at : Math.min(t.length, body!.length);
      throw new Error(`shared definition ${p.name}: use ${i + 1} differs from use 1 beyond its arguments, at line ${j + 1}: ${t[j] ?? '(end)'} / ${body![j] ?? '(end)'}`);
    }
  });
  if (GeneratedCertField.declarations(body.join('\n')).length > 0) throw new Error(`shared definition ${p.name} cannot use a generated certificate`);
  bodies.set(p, body);
  return body;
}

/** The release facts a definition's body reads, passed along with its arguments. */
const BUILT_INS = ['Values', 'Release', 'Chart'] as const;

/** Where the include's text would be longer than this, its arguments go one to a line. */
const INCLUDE_LINE = 160;

/**
 * `{{- include "<name>" (dict …) }}`: the definition's text, every line moved to `indent`. The
 * dict holds the release facts the body reads and the arguments it uses (`$.name`).
 */
function includeLines(inc: Include, indent: number, position: string): string[] {
  const text = partialBody(inc.partial, position).join('\n');
  const facts = BUILT_INS.filter((b) => new RegExp(`\\.${b}\\b`).test(text)).map((b) => `"${b}" .${b}`);
  const args = Object.entries(inc.args)
    .filter(([k]) => new RegExp(`\\$\\.${k}\\b`).test(text))
    .map(([k, e]) => `"${k}" ${e.go()}`);
  const reindent = indent > 0 ? ` | replace "\\n" "\\n${pad(indent)}"` : '';
  const head = `${pad(indent)}{{- include ${JSON.stringify(inc.partial.name)} (dict`;
  const one = `${head} ${[...facts, ...args].join(' ')})${reindent} }}`;
  if (one.length <= INCLUDE_LINE || args.length === 0) return [one];
  // An argument too long for one line goes on as many as it needs (wrap.ts).
  const more = args.flatMap((a) => wrapWords(pad(indent + 4), a, 0, indent + 8));
  more[more.length - 1] += `)${reindent} }}`;
  return [facts.length ? `${head} ${facts.join(' ')}` : head, ...more];
}

/** The text of `templates/<file>` for each file of shared definitions. */
export function emitPartials(partials: readonly SharedPart[]): Map<string, string> {
  const out = new Map<string, string>();
  const files = new Map<string, SharedPart[]>();
  for (const p of partials) files.set(p.file, [...(files.get(p.file) ?? []), p]);
  for (const [file, ps] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const modules = [...new Set(ps.map((p) => p.module).filter((m): m is string => Boolean(m)))];
    const header = `{{- /* Generated by cdk8s-linkerd from ${modules.length ? modules.join(', ') : 'its TypeScript model'}; do not edit. */}}`;
    const defs = ps.map((p) => [`{{- define ${JSON.stringify(p.name)} }}`, ...partialBody(p, p.position ?? (p.kind === 'items' ? 'items' : 'item')), '{{- end }}'].join('\n'));
    out.set(file, `${[header, ...defs].join('\n')}\n`);
  }
  return out;
}

/**
 * A whole document (one Kubernetes object) guarded by `guards`, outermost first: conditions
 * (consecutive ones joined by `and`) and list items (`range`, inside which every reference to
 * the root context is spelled from `$`).
 */
export function emitDocument(obj: Record<string, unknown>, guards: readonly (Expr | Each)[]): string {
  const open: string[] = [];
  let inRange = false;
  // Inside a range only the template actions change; the YAML around them stays as written.
  const text = (line: string) => (inRange ? line.replace(/\{\{.*?\}\}/g, (action) => rooted(action)) : line);
  for (let i = 0; i < guards.length; ) {
    const g = guards[i];
    if (g instanceof Each) {
      open.push(text(`{{- range ${g.item.go()} := ${g.list.go()} }}`));
      inRange = true;
      i += 1;
      continue;
    }
    const conds: Expr[] = [];
    while (i < guards.length && !(guards[i] instanceof Each)) conds.push(guards[i++] as Expr);
    const tested = conds.filter((c) => !alwaysTruthy(c));
    if (tested.length) open.push(text(`{{- if ${new Logic('and', tested).goCond()} }}`));
  }
  inEach = inRange;
  const lines = emitMap(objectOrder(obj), 0);
  inEach = false;
  // Rooting works on whole actions: one broken over lines (a long include) would keep `.Values`.
  if (inRange && lines.some((l) => l.lastIndexOf('{{') > l.lastIndexOf('}}'))) throw new Error('a template action written over several lines cannot stand inside v.each (its references to the root context would not be rooted)');
  const body = lines.map(text);
  return [...open, '---', ...body, ...open.map(() => '{{- end }}')].join('\n');
}

/** A rule Helm checks at render time: `fail` with the message when the condition holds. */
export function emitFailWhen(cond: Expr, message: string): string {
  return `{{- if ${cond.goCond()} }}{{- fail ${JSON.stringify(message)} }}{{- end }}`;
}

/** Plain text (NOTES.txt) with expressions inline. */
export function emitText(parts: readonly (string | Expr)[]): string {
  return parts.map((p) => (p instanceof Expr ? `{{ ${p.go()} }}` : p.replace(/\{\{/g, '{{ "{{" }}'))).join('');
}
