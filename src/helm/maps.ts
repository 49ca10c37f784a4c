/**
 * Objects that combine the chart's own keys with user maps (`v.spreadMap`): one merge, with
 * the object's order as precedence, in both modes.
 *
 * Concrete mode is JavaScript's spread: `{ a: 1, ...user }` — the user's `a` wins;
 * `{ ...user, a: 1 }` — the chart's `a` wins (a later key that is left out, `v.maybe`, removes
 * the user's as well); `{ ...m1, ...m2 }` — m2 wins. Template mode means exactly the same:
 * - a chart key is written only when no entry after it sets the key
 *   (`{{- if not (hasKey USER "a") }}`);
 * - a splice is written without the keys that entries after it set
 *   (`{{- with (omit USER "a") }}`, or a `range` with a per-key guard when a later splice or a
 *   conditional key decides).
 * So Helm's output never carries a key twice in one mapping.
 *
 * Keys that the chart owns (`v.owned({...})`: selector labels, Linkerd's own labels) may not be
 * set by any user map spliced into the same object: each becomes a rule (`<values path>.<key>:
 * set by the chart; cannot be overridden`) that Helm checks in templates/validate-values.yaml
 * and TypeScript checks in `resolveValues`, both from the same expression.
 */
import { Eq, Expr, HasKeyIn, Lit, Logic, Not, Omit, Ref, Var, mapOrEmpty, rooted } from './expr';
import { FIELDS_KEY_PREFIX, Fields, Include, MapSplice, Maybe, Owned, Range, YamlText, isMarker } from './tree';

/** What one entry of an object sets: a key, or the keys of a map value; under a condition (Fields branches). */
export type Setter = { kind: 'key'; key: string; cond: Expr | null } | { kind: 'splice'; map: Expr; cond: Expr | null };

export const OWNED_MESSAGE = 'set by the chart; cannot be overridden';

function and(a: Expr | null, b: Expr): Expr {
  return a ? new Logic('and', [a, b]) : b;
}

/** The setters of one entry `k: v` of an object, in order. */
export function settersOf(k: string, v: unknown, cond: Expr | null): Setter[] {
  if (v === undefined) return [];
  if (!k.startsWith(FIELDS_KEY_PREFIX)) return [{ kind: 'key', key: k, cond }];
  if (v instanceof MapSplice) return [{ kind: 'splice', map: v.map, cond }];
  if (v instanceof Fields) {
    return [...settersOfMap(v.then, and(cond, v.cond)), ...(v.otherwise ? settersOfMap(v.otherwise, and(cond, new Not(v.cond))) : [])];
  }
  return [];
}

/** The setters of an object's entries, in order (Fields branches flattened under their conditions). */
export function settersOfMap(obj: Record<string, unknown>, cond: Expr | null = null): Setter[] {
  return Object.entries(obj).flatMap(([k, v]) => settersOf(k, v, cond));
}

/** The keys that `Owned` markers declare in an object (and in its Fields branches). */
export function ownedKeys(obj: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  const visit = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (!k.startsWith(FIELDS_KEY_PREFIX)) continue;
      if (v instanceof Owned) v.keys.forEach((x) => out.add(x));
      else if (v instanceof Fields) {
        visit(v.then);
        if (v.otherwise) visit(v.otherwise);
      }
    }
  };
  visit(obj);
  return out;
}

/**
 * The conditions under which an entry after a chart key sets the same key (then the chart's
 * is left out); 'always' when a later key always does. A user map cannot set an owned key.
 */
export function overriders(key: string, later: readonly Setter[], owned: ReadonlySet<string>): Expr[] | 'always' {
  const out: Expr[] = [];
  for (const s of later) {
    if (s.kind === 'key') {
      if (s.key !== key) continue;
      if (!s.cond) return 'always';
      out.push(s.cond);
    } else if (!owned.has(key)) {
      out.push(and(s.cond, new HasKeyIn(mapOrEmpty(s.map), new Lit(key))));
    }
  }
  return out;
}

const KEY = new Var('$key', 'string', 'map key');

/** Template lines that write a user map's entries, without those that entries after it set. */
export function spliceLines(map: Expr, later: readonly Setter[], indent: number): string[] {
  const pad = ' '.repeat(indent);
  const always = [...new Set(later.flatMap((s) => (s.kind === 'key' && !s.cond ? [s.key] : [])))];
  const sometimes = later.flatMap((s) =>
    s.kind === 'key' ? (s.cond ? [and(s.cond, new Eq(KEY, new Lit(s.key)))] : []) : [and(s.cond, new HasKeyIn(mapOrEmpty(s.map), KEY))],
  );
  const source = always.length ? new Omit(mapOrEmpty(map), always) : map;
  if (sometimes.length === 0) return [`${pad}{{- with ${source.go()} }}{{ toYaml . | nindent ${indent} }}{{- end }}`];
  return [
    `${pad}{{- range $key, $value := ${source.go()} }}`,
    `${pad}{{- if ${rooted(new Not(new Logic('or', sometimes)).goCond())} }}`,
    `${pad}{{- toYaml (dict $key $value) | nindent ${indent} }}`,
    `${pad}{{- end }}`,
    `${pad}{{- end }}`,
  ];
}

/** How the keys beside one user map are merged with it (for the README and the tests). */
export interface MapMerge {
  /** Keys the chart owns beside this map: refused (values error). */
  refused: Set<string>;
  /** Chart keys written before the map: the user's value wins. */
  userWins: Set<string>;
  /** Chart keys written after the map: the chart's value wins (the user's is dropped). */
  chartWins: Set<string>;
  /** Other user maps in the same objects, before this one (this one wins) or after it (they win). */
  winsOver: Set<string>;
  losesTo: Set<string>;
}

/** A rule Helm and TypeScript both check: values error `key: message` when `failWhen` holds. */
export interface MapRule {
  key: string;
  message: string;
  failWhen: Expr;
}

function pathOf(e: Expr): string {
  return e instanceof Ref ? e.path.join('.') : e.describe();
}

function mergeOf(merges: Map<string, MapMerge>, path: string): MapMerge {
  let m = merges.get(path);
  if (!m) {
    m = { refused: new Set(), userWins: new Set(), chartWins: new Set(), winsOver: new Set(), losesTo: new Set() };
    merges.set(path, m);
  }
  return m;
}

/** Records how the user maps of one object merge with its other entries, and the rules for owned keys. */
export function analyzeObject(obj: Record<string, unknown>, merges: Map<string, MapMerge>, rules: Map<string, MapRule>): void {
  const setters = settersOfMap(obj);
  if (!setters.some((s) => s.kind === 'splice')) return;
  const owned = ownedKeys(obj);
  setters.forEach((s, i) => {
    if (s.kind !== 'splice') return;
    const path = pathOf(s.map);
    const m = mergeOf(merges, path);
    for (const key of owned) {
      if (!(s.map instanceof Ref)) throw new Error(`${s.map.describe()} is spliced beside keys the chart owns; only a values reference can be checked for them`);
      m.refused.add(key);
      const rule = { key: `${path}.${key}`, message: OWNED_MESSAGE, failWhen: new HasKeyIn(mapOrEmpty(s.map), new Lit(key)) };
      rules.set(`${rule.key}: ${rule.message}`, rule);
    }
    setters.forEach((o, j) => {
      if (j === i) return;
      if (o.kind === 'key') {
        if (!owned.has(o.key)) (j < i ? m.userWins : m.chartWins).add(o.key);
      } else (j < i ? m.winsOver : m.losesTo).add(pathOf(o.map));
    });
  });
}

/** Calls `visit` for every object in a tree (not for Fields branches, which belong to their object). */
export function walkObjects(node: unknown, visit: (obj: Record<string, unknown>) => void): void {
  if (node instanceof Maybe) return walkObjects(node.node, visit);
  if (node instanceof Range) return walkObjects(node.item, visit);
  if (node instanceof YamlText) return walkObjects(node.tree, visit);
  if (node instanceof Include) return walkObjects(node.tree, visit);
  if (Array.isArray(node)) return node.forEach((x) => walkObjects(x, visit));
  if (node === null || typeof node !== 'object' || isMarker(node)) return;
  const obj = node as Record<string, unknown>;
  visit(obj);
  const values = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (!k.startsWith(FIELDS_KEY_PREFIX)) walkObjects(v, visit);
      else if (v instanceof Fields) {
        values(v.then);
        if (v.otherwise) values(v.otherwise);
      }
    }
  };
  values(obj);
}

/** A README note on how a map merges with the chart's keys (empty when nothing is beside it). */
export function describeMerge(m: MapMerge): string {
  const list = (s: Set<string>) => [...s].sort().map((k) => `\`${k}\``).join(', ');
  const parts: string[] = [];
  if (m.refused.size) parts.push(`may not set ${list(m.refused)} (set by the chart; a values error)`);
  if (m.userWins.size) parts.push(`wins over the chart's ${list(m.userWins)}`);
  if (m.chartWins.size) parts.push(`loses to the chart's ${list(m.chartWins)}`);
  if (m.winsOver.size) parts.push(`wins over ${list(m.winsOver)}`);
  if (m.losesTo.size) parts.push(`loses to ${list(m.losesTo)}`);
  return parts.length ? `${parts.join('; ')}.` : '';
}
