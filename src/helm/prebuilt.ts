/**
 * What every process would compute the same way from the package's own code, computed once when
 * the package is built: `npm run build` runs scripts/prebuild.mjs after tsc, which writes
 * `lib/prebuilt/<name>.json` from the built code (src/prebuild.ts says what), and the built
 * package (lib/ and the command's bundle) reads those files instead of computing them at every
 * start (docs/performance.md). A source checkout run from src/ has no such folder and computes
 * everything, so an edit of the sources never meets data of an older build.
 *
 * The data may hold expressions of the engine (a rule's `failWhen`): they are written with the
 * name of their class and their fields, and read back as instances of the same classes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnotationsAbove } from './annotations';
import * as exprs from './expr';

/** The folder of the prebuilt data: `lib/prebuilt` from lib/helm/ and from the bundles in lib/. */
export const PREBUILT_DIR = join(__dirname, '..', 'prebuilt');

type ExprClass = abstract new (...args: never[]) => exprs.Expr;

/**
 * The expression classes data may hold, by the name they are exported as (a bundler may rename a
 * class itself, never an export).
 */
const EXPR_CLASSES = new Map<string, ExprClass>(
  Object.entries({ ...exprs, AnnotationsAbove }).filter((e): e is [string, ExprClass] => typeof e[1] === 'function' && e[1].prototype instanceof exprs.Expr),
);
const EXPR_NAMES = new Map([...EXPR_CLASSES].map(([name, c]) => [c, name]));

const EXPR = '$expr';
const SET = '$set';

function isPlainObject(x: object): boolean {
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Data (with expressions and sets) as JSON-ready data; throws on anything it could not read back the same. */
export function toPrebuilt(x: unknown, at = '$'): unknown {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') {
    if (!Number.isFinite(x) || Object.is(x, -0)) throw new Error(`${at}: ${x} has no JSON spelling`);
    return x;
  }
  if (Array.isArray(x)) return x.map((item, i) => toPrebuilt(item, `${at}[${i}]`));
  if (x instanceof Set) return { [SET]: [...x].map((item, i) => toPrebuilt(item, `${at}[${i}]`)) };
  if (x instanceof exprs.Expr) {
    const name = EXPR_NAMES.get(x.constructor as ExprClass);
    if (!name) throw new Error(`${at}: expression class ${x.constructor.name} is not one prebuilt data can hold (src/helm/prebuilt.ts)`);
    return { [EXPR]: name, ...fieldsOf(x as unknown as Record<string, unknown>, at) };
  }
  if (typeof x === 'object' && isPlainObject(x)) {
    if (EXPR in x || SET in x) throw new Error(`${at}: a map with the key ${EXPR} or ${SET} cannot be prebuilt`);
    return fieldsOf(x as Record<string, unknown>, at);
  }
  throw new Error(`${at}: ${typeof x === 'object' ? (x.constructor?.name ?? 'object') : typeof x} cannot be prebuilt`);
}

function fieldsOf(x: Record<string, unknown>, at: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = toPrebuilt(v, `${at}.${k}`);
  return out;
}

/** The data `toPrebuilt` made, with its expressions and sets again. */
export function fromPrebuilt(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(fromPrebuilt);
  if (x === null || typeof x !== 'object') return x;
  const { [EXPR]: name, [SET]: items, ...fields } = x as Record<string, unknown>;
  if (items !== undefined) return new Set((items as unknown[]).map(fromPrebuilt));
  const revived = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fromPrebuilt(v)]));
  if (name === undefined) return revived;
  const cls = EXPR_CLASSES.get(name as string);
  if (!cls) throw new Error(`prebuilt data names an unknown expression class ${String(name)}`);
  return Object.assign(Object.create(cls.prototype) as object, revived);
}

const cache = new Map<string, unknown>();

/** The prebuilt data called `name`, or undefined when this build has none (run from src/). */
export function prebuilt<T>(name: string): T | undefined {
  if (!cache.has(name)) {
    const file = join(PREBUILT_DIR, `${name}.json`);
    cache.set(name, existsSync(file) ? fromPrebuilt(JSON.parse(readFileSync(file, 'utf8'))) : undefined);
  }
  return cache.get(name) as T | undefined;
}
