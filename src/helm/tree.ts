/**
 * Structural markers that template mode leaves in an object tree, where a
 * value decides whether a field, a block of fields or list items exist.
 * In concrete mode none of these exist: the helpers return plain data.
 */
import { Expr } from './expr';

/** A field (or list item) that exists only when `cond` is truthy. */
export class Maybe {
  constructor(
    public readonly cond: Expr,
    public readonly node: unknown,
  ) {}
}

/** Fields merged into the enclosing object when `cond` is truthy (else `otherwise`). */
export class Fields {
  constructor(
    public readonly cond: Expr,
    public readonly then: Record<string, unknown>,
    public readonly otherwise?: Record<string, unknown>,
  ) {}
}

/** The items of a list value spliced into the enclosing list. */
export class Splice {
  constructor(public readonly list: Expr) {}
}

/**
 * Objects made once per item of a list value (template mode): their documents are written
 * inside `{{- range $item := list }}`, so that `item` names the item there.
 */
export class Each {
  constructor(
    public readonly list: Expr,
    public readonly item: Expr,
  ) {}
}

/** One list item per entry of a map value, in key order (Helm ranges over sorted keys). */
export class Range {
  constructor(
    public readonly map: Expr,
    public readonly key: Expr,
    public readonly value: Expr,
    public readonly item: unknown,
  ) {}
}

/** A string of one line per map entry (`k=v\n`…), written as a YAML literal block with `range`. */
export class Lines {
  constructor(
    public readonly map: Expr,
    public readonly key: Expr,
    public readonly value: Expr,
    public readonly line: Expr,
  ) {}
}

/**
 * The entries of a map value merged into the enclosing object, with the enclosing object's
 * order as precedence (as JavaScript spreads it): the splice wins over the keys written before
 * it and loses to the keys and splices written after it. See maps.ts.
 */
export class MapSplice {
  constructor(public readonly map: Expr) {}
}

/**
 * Keys of the enclosing object that the chart owns (selector labels, Linkerd's own labels): a
 * user map spliced into the same object may not set them (a values error naming the key, from
 * Helm and from TypeScript). Emits nothing itself.
 */
export class Owned {
  constructor(public readonly keys: readonly string[]) {}
}

/**
 * A string holding a YAML document built from a tree (e.g. a program's configuration file
 * in a ConfigMap): in templates, a literal block whose lines are the tree's own template.
 */
export class YamlText {
  constructor(public readonly tree: Record<string, unknown>) {}
}

/**
 * A sub-tree shared by several objects of a chart (the proxy container, its volumes …): in
 * templates one `define` in `templates/_<file>.tpl`, built from symbolic arguments (`ArgRef`);
 * `uses` holds the tree each use built, which must all be written the same.
 */
export class SharedPart {
  readonly uses: unknown[] = [];
  /** Where the uses stand ('item', 'items' or 'field:<key>'), set when the first is written: all stand alike. */
  position?: string;
  constructor(
    /** The define's name (`<chart>.<name>`). */
    readonly name: string,
    /** The template file, relative to `templates/`. */
    readonly file: string,
    /** List items to splice into a list (volumes), or one node: a list item (a container) or a field's value (resources). */
    readonly kind: 'one' | 'items',
    /** The module that declares it (named at the top of its file). */
    readonly module: string | undefined,
  ) {}
}

/** One use of a SharedPart: `include` with the per-use arguments (expressions of the including template). */
export class Include {
  constructor(
    readonly partial: SharedPart,
    readonly tree: unknown,
    readonly args: Readonly<Record<string, Expr>>,
  ) {}
}

/** Keys under which `Fields` markers travel inside objects (so that `...spread` carries them). */
export const FIELDS_KEY_PREFIX = '\u0000helm-fields:';

let fieldsCounter = 0;
export function fieldsKey(): string {
  fieldsCounter += 1;
  return `${FIELDS_KEY_PREFIX}${fieldsCounter}`;
}

export function isMarker(node: unknown): boolean {
  return node instanceof Expr || node instanceof Maybe || node instanceof Fields || node instanceof Splice || node instanceof Range || node instanceof Lines || node instanceof MapSplice || node instanceof Owned || node instanceof YamlText || node instanceof Include;
}

/** True when a subtree can be written as plain YAML (no markers, nothing Helm would read as template text). */
export function isPlain(node: unknown): boolean {
  if (isMarker(node)) return false;
  if (typeof node === 'string') return !node.includes('{{');
  if (Array.isArray(node)) return node.every(isPlain);
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).every(([k, v]) => !k.startsWith(FIELDS_KEY_PREFIX) && !k.includes('{{') && isPlain(v));
  }
  return true;
}
