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
import { Expr, Lit, Logic, Not, Omit, Truthy, mapOrEmpty, rooted } from './expr';
import { overriders, ownedKeys, settersOf, spliceLines, type Setter } from './maps';
import { Each, FIELDS_KEY_PREFIX, Fields, Lines, MapSplice, Maybe, Owned, Range, Splice, YamlText, isPlain } from './tree';
import { isEntryList } from './values';
import { keyText, objectOrder, scalarAction, yamlLines } from './yaml';

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

/** A scalar value filled in by Helm, written as yaml.ts writes it (a literal block's lines at `indent`). */
function valueLine(e: Expr, indent: number): string {
  return scalarAction(e.go(), indent);
}

/** The condition under which a container entry contributes anything (null: always). */
function presence(node: unknown): Expr | null {
  if (node instanceof Maybe) return node.cond;
  if (node instanceof Splice) return new Truthy(node.list);
  if (node instanceof Range) return new Truthy(node.map);
  if (node instanceof Fields) return node.otherwise && Object.keys(node.otherwise).length > 0 ? null : node.cond;
  if (node instanceof MapSplice) return new Truthy(node.map);
  return null;
}

/** `{{- if not (or …) }} {}{{- end }}` after `key:` when every entry is conditional. */
function emptyGuard(entries: unknown[], empty: '{}' | '[]', conds: (Expr | null)[] = entries.map(presence)): string {
  if (entries.length === 0) return ` ${empty}`;
  if (conds.some((c) => c === null)) return '';
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
      lines.push(`${pad(indent)}{{- if ${f.cond.goCond()} }}`, ...emitMap(f.then, indent, inner));
      if (f.otherwise && Object.keys(f.otherwise).length > 0) lines.push(`${pad(indent)}{{- else }}`, ...emitMap(f.otherwise, indent, inner));
      lines.push(`${pad(indent)}{{- end }}`);
    } else {
      const over = overriders(k, laterThan(i), owned);
      if (over === 'always') return;
      const conds = [...(v instanceof Maybe ? [v.cond] : []), ...(over.length ? [new Not(new Logic('or', over))] : [])];
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
  if (v instanceof Maybe || v instanceof Splice || v instanceof Fields || v instanceof Range) {
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
    if (item instanceof Splice) {
      lines.push(`${pad(indent)}{{- range ${item.list.go()} }}`, `${pad(indent)}- ${scalarAction('.', indent + 2)}`, `${pad(indent)}{{- end }}`);
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
    open.push(text(`{{- if ${new Logic('and', conds).goCond()} }}`));
  }
  const body = emitMap(objectOrder(obj), 0).map(text);
  return [...open, '---', ...body, ...open.map(() => '{{- end }}')].join('\n');
}

/** A rule Helm checks at render time: `fail` with the message when the condition holds. */
export function emitFailWhen(cond: Expr, message: string): string {
  return `{{- if ${cond.goCond()} }}\n{{- fail ${JSON.stringify(message)} }}\n{{- end }}`;
}

/** Plain text (NOTES.txt) with expressions inline. */
export function emitText(parts: readonly (string | Expr)[]): string {
  return parts.map((p) => (p instanceof Expr ? `{{ ${p.go()} }}` : p.replace(/\{\{/g, '{{ "{{" }}'))).join('');
}
