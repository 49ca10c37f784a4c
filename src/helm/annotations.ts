/**
 * The total size of an object's annotations. The API server refuses an object whose
 * annotations, keys and values together, exceed 256 KiB; one value's size is the schema's
 * (val.annotations), the total is a rule per annotations map of the chart's objects, found in
 * the template-mode objects as the owned keys are (maps.ts): the user maps spliced into it
 * (`podAnnotations`, a component's own, merged ones), the chart's keys, and the chart's values
 * that come from the values (a proxy setting, a checksum), counted as Helm would write them.
 */
import { ANNOTATIONS_MAX_BYTES } from '../values/model';
import { ArgRef, Bound, Expr, GeneratedCertField, Lit, Logic, Ref, Var, mapOrEmpty, type RenderContext } from './expr';
import { settersOfMap, walkObjects } from './maps';
import { FIELDS_KEY_PREFIX, Fields, Maybe } from './tree';
import type { ValuesRule } from './rules';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Whether the annotations of one object add up to more than `ANNOTATIONS_MAX_BYTES`: the
 * chart's literal keys and values (`fixed` bytes), values that are strings (`strings`) and the
 * keys and values of maps (`maps`), in UTF-8 bytes as Go's `len` counts them. A key that both
 * the chart and a map set counts twice (at most a few bytes over).
 */
export class AnnotationsAbove extends Expr {
  constructor(
    readonly fixed: number,
    readonly strings: readonly Expr[],
    readonly maps: readonly Expr[],
  ) {
    super('boolean');
  }
  evaluate(ctx: RenderContext): unknown {
    let n = this.fixed;
    for (const s of this.strings) n += bytes(String(s.evaluate(ctx) ?? ''));
    for (const m of this.maps) for (const [k, v] of Object.entries((m.evaluate(ctx) ?? {}) as Record<string, unknown>)) n += bytes(k) + bytes(String(v));
    return n > ANNOTATIONS_MAX_BYTES;
  }
  override goBoolean(): boolean {
    return true;
  }
  go(): string {
    return this.goCond();
  }
  override goCond(): string {
    const parts = [
      String(this.fixed),
      ...this.strings.map((s) => `(len (toString ${s.go()}))`),
      ...this.maps.flatMap((m) => {
        const map = mapOrEmpty(m).go();
        return [`(len (join "" (keys ${map})))`, `(len (join "" (values ${map})))`];
      }),
    ];
    return `(gt (add ${parts.join(' ')}) ${ANNOTATIONS_MAX_BYTES})`;
  }
  describe(): string {
    return `annotations above ${ANNOTATIONS_MAX_BYTES} bytes`;
  }
}

/**
 * Whether an expression can be evaluated on the values alone: not inside a shared definition or a
 * range, not a certificate Helm generates or a value bound to a template file's variable (those
 * are checksums and names of a few dozen bytes, left out of the count).
 */
function topLevel(e: Expr): boolean {
  const seen = new Set<unknown>();
  const walk = (x: unknown): boolean => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return true;
    seen.add(x);
    if (x instanceof ArgRef || x instanceof Var || x instanceof GeneratedCertField || x instanceof Bound) return false;
    return Object.values(x).every((c) => (Array.isArray(c) ? c.every(walk) : walk(c)));
  };
  return walk(e);
}

/** The annotations maps of an object's entries (also under conditions and in conditional fields). */
function annotationsOf(obj: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const add = (v: unknown) => {
    const node = v instanceof Maybe ? v.node : v;
    if (node !== null && typeof node === 'object' && !Array.isArray(node) && !(node instanceof Expr)) out.push(node as Record<string, unknown>);
  };
  const visit = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (k === 'annotations') add(v);
      else if (k.startsWith(FIELDS_KEY_PREFIX) && v instanceof Fields) {
        visit(v.then);
        if (v.otherwise) visit(v.otherwise);
      }
    }
  };
  visit(obj);
  return out;
}

/** The key a map is read from, for messages. */
const keyOf = (m: Expr) => (m instanceof Ref ? m.path.join('.') : m.describe());

/**
 * Records the size rule of every annotations map in a tree that a user map is spliced into
 * (`rules`, by the values keys of its maps; one condition per distinct object shape).
 */
export function analyzeAnnotations(tree: unknown, rules: Map<string, Expr[]>): void {
  walkObjects(tree, (obj) => {
    for (const annotations of annotationsOf(obj)) {
      let fixed = 0;
      const strings: Expr[] = [];
      const maps: Expr[] = [];
      const entries = (o: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(o)) {
          if (k.startsWith(FIELDS_KEY_PREFIX)) continue;
          const value = v instanceof Maybe ? v.node : v;
          fixed += bytes(k);
          if (typeof value === 'string') fixed += bytes(value);
          else if (value instanceof Lit) fixed += bytes(String(value.value ?? ''));
          else if (value instanceof Expr && value.type === 'string' && topLevel(value)) strings.push(value);
        }
      };
      entries(annotations);
      for (const v of Object.values(annotations)) {
        if (v instanceof Fields) {
          entries(v.then);
          if (v.otherwise) entries(v.otherwise);
        }
      }
      for (const s of settersOfMap(annotations)) if (s.kind === 'splice' && topLevel(s.map)) maps.push(s.map);
      if (maps.length === 0) continue;
      const key = [...new Set(maps.map(keyOf))].join(', ');
      const cond = new AnnotationsAbove(fixed, strings, maps);
      const list = rules.get(key) ?? [];
      if (!list.some((c) => c.goCond() === cond.goCond())) list.push(cond);
      rules.set(key, list);
    }
  });
}

/** The rules `analyzeAnnotations` found: one per set of user maps, naming them. */
export function annotationRules(found: ReadonlyMap<string, readonly Expr[]>): ValuesRule[] {
  return [...found].map(([key, conds]) => ({
    key: key.split(', ')[0],
    message: `${key.includes(', ') ? `with ${key.split(', ').slice(1).join(' and ')}, ` : ''}gives an object more than ${ANNOTATIONS_MAX_BYTES} bytes of annotations (256 KiB of keys and values in UTF-8, with the chart's own), which the API server refuses`,
    failWhen: conds.length === 1 ? conds[0] : new Logic('or', conds),
  }));
}
