/**
 * What applying a chart's objects would change on a live cluster: each object server-side applied
 * with dryRun=All (the API server merges it with what every other field manager owns, defaults it
 * and runs admission, and stores nothing), compared with the live object, as a unified diff like
 * `kubectl diff --server-side`. Used by `cdk8s-linkerd diff` and `upgrade-plan`.
 */
import { structuredPatch } from 'diff';
import { stringify } from 'yaml';
import { ClusterError, helmRelease, type Kube, type KubeObject } from './kube';

export type Change = 'added' | 'changed' | 'removed' | 'unchanged';

export interface ObjectDiff {
  /** `group.version.Kind.namespace.name`, as kubectl diff names its files. */
  id: string;
  kind: string;
  name: string;
  namespace?: string;
  change: Change;
  /** The unified diff (empty when unchanged). */
  diff: string;
  live?: KubeObject;
  merged?: KubeObject;
  /** Fields generated at render time (each a key path), taken from the live object rather than shown. */
  generated?: string[][];
}

export interface DiffOptions {
  kube: Kube;
  /** The release's namespace (objects without one go there, as Helm puts them). */
  namespace: string;
  /** The Helm release whose objects a values change may remove (its latest deployed manifest). */
  release?: string;
  /** The field manager to apply as; default: the manager that applied the live object, else "cdk8s-linkerd". */
  fieldManager?: string;
  /** Rendered objects' fields that differ between two renders (Helm-generated certificates): taken from the live object. */
  generated?: Set<string>;
}

const DEFAULT_MANAGER = 'cdk8s-linkerd';

/** The id kubectl diff gives an object: group.version.Kind.namespace.name (group empty for core). */
export function objectId(o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  return [group ? `${group}.${version}` : version, o.kind, o.metadata.namespace ?? '', o.metadata.name].filter((p, i) => i !== 2 || p !== '').join('.');
}

/** What the server fills in and every object has: left out of the comparison, as kubectl diff's normalization does. */
function normalize(o: KubeObject | undefined): unknown {
  if (!o) return undefined;
  const { status: _status, ...rest } = o;
  const { managedFields: _m, resourceVersion: _r, uid: _u, creationTimestamp: _c, generation: _g, ...metadata } = o.metadata;
  void [_status, _m, _r, _u, _c, _g];
  return { ...rest, metadata };
}

/** Secret values never printed: `*** (before)` / `*** (after)` where they differ, as kubectl diff shows them. */
function maskSecrets(live: Record<string, unknown> | undefined, merged: Record<string, unknown> | undefined): void {
  if (live?.kind !== 'Secret' && merged?.kind !== 'Secret') return;
  for (const field of ['data', 'stringData']) {
    const a = (live?.[field] ?? {}) as Record<string, string>;
    const b = (merged?.[field] ?? {}) as Record<string, string>;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const same = a[k] === b[k];
      if (k in a) a[k] = same ? '***' : '*** (before)';
      if (k in b) b[k] = same ? '***' : '*** (after)';
    }
  }
}

const toYaml = (o: unknown) => (o === undefined ? '' : stringify(o, { lineWidth: 0, blockQuote: 'literal' }));

/** A unified diff of two texts, with kubectl diff's headers (live/ID, merged/ID); empty when equal. */
export function unifiedDiff(id: string, before: string, after: string): string {
  if (before === after) return '';
  const patch = structuredPatch(`live/${id}`, `merged/${id}`, before, after, '', '', { context: 3 });
  const lines = [`diff -u -N live/${id} merged/${id}`, `--- live/${id}`, `+++ merged/${id}`];
  for (const h of patch.hunks) {
    // An empty side starts at line 0, as diff -u writes it.
    lines.push(`@@ -${h.oldLines === 0 ? 0 : h.oldStart},${h.oldLines} +${h.newLines === 0 ? 0 : h.newStart},${h.newLines} @@`);
    lines.push(...h.lines.filter((l) => !l.startsWith('\\')));
  }
  return `${lines.join('\n')}\n`;
}

/** Leaf paths of a JSON value (each a JSON array of keys: keys may hold dots, as `tls.crt`), with their values. */
function leaves(v: unknown, prefix: string[] = [], out = new Map<string, unknown>()): Map<string, unknown> {
  if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) leaves(x, [...prefix, k], out);
  } else out.set(JSON.stringify(prefix), v);
  return out;
}

/** The fields (as "ID path") that differ between two renders of the same values: what Helm generates at render time. */
export function generatedFields(a: KubeObject[], b: KubeObject[]): Set<string> {
  const out = new Set<string>();
  const byId = new Map(b.map((o) => [objectId(o), o]));
  for (const o of a) {
    const other = byId.get(objectId(o));
    if (!other) continue;
    const la = leaves(o);
    const lb = leaves(other);
    for (const [p, v] of la) if (lb.get(p) !== v) out.add(`${objectId(o)} ${p}`);
  }
  return out;
}

function setPath(o: unknown, path: string[], value: unknown): void {
  let cur = o as Record<string, unknown>;
  for (const k of path.slice(0, -1)) {
    if (cur[k] === null || typeof cur[k] !== 'object') return;
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

function getPath(o: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), o);
}

/** The manager to dry-run apply as: the one that applied the live object (server-side), else ours. */
function managerOf(live: KubeObject | undefined, given: string | undefined): string {
  if (given) return given;
  const appliers = (live?.metadata.managedFields ?? []).filter((m) => m.operation === 'Apply' && m.manager);
  return appliers.length === 1 ? appliers[0].manager! : DEFAULT_MANAGER;
}

/** Helm's ownership metadata, which `helm upgrade` adds to every object of a release (Helm 3 and 4). */
function helmOwned(obj: KubeObject, release: string, namespace: string): void {
  obj.metadata.labels = { ...obj.metadata.labels, 'app.kubernetes.io/managed-by': 'Helm' };
  obj.metadata.annotations = { ...obj.metadata.annotations, 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace };
}

/** `f` over `items`, at most `n` at a time, results in order. */
async function pool<T, R>(items: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/** One rendered object against the cluster. */
async function diffOne(original: KubeObject, opts: DiffOptions): Promise<ObjectDiff> {
  const obj = structuredClone(original);
  if (!obj.metadata.namespace && (await opts.kube.resource(obj.apiVersion, obj.kind))?.namespaced !== false) obj.metadata.namespace = opts.namespace;
  if (opts.release) helmOwned(obj, opts.release, opts.namespace);
  const id = objectId(obj);
  const path = await opts.kube.pathOf(obj, opts.namespace);
  const live = path ? await opts.kube.get<KubeObject>(path) : undefined;
  const generated: string[][] = [];
  if (live && opts.generated) {
    for (const field of opts.generated) {
      const at = field.indexOf(' ');
      if (field.slice(0, at) !== objectId(original)) continue;
      const keys = JSON.parse(field.slice(at + 1)) as string[];
      const value = getPath(live, keys);
      if (value !== undefined) setPath(obj, keys, value);
      generated.push(keys);
    }
  }
  const done = (merged: KubeObject) => ({ ...entry(id, live, merged), ...(generated.length > 0 ? { generated } : {}) });
  if (!path) return done(obj); // a kind the server does not serve yet (its CRD comes with this change)
  try {
    return done(await opts.kube.dryRunApply(path, obj, managerOf(live, opts.fieldManager)));
  } catch (e) {
    // A namespace that does not exist yet: the object is new, as rendered.
    if (!live && e instanceof ClusterError && /namespaces? "[^"]+" not found/.test(e.message)) return done(obj);
    throw e;
  }
}

/** Each rendered object against the cluster, and (with a release) the release's objects that the render no longer has. */
export async function diffObjects(rendered: KubeObject[], opts: DiffOptions): Promise<ObjectDiff[]> {
  const out = await pool(rendered, 8, (o) => diffOne(o, opts));
  const seen = new Set(out.map((d) => d.id));
  if (opts.release) {
    const release = await helmRelease(opts.kube, opts.release, opts.namespace);
    const { parseAllDocuments } = await import('yaml');
    const previous = release ? parseAllDocuments(release.manifest).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => !!o && typeof o === 'object' && 'kind' in o) : [];
    const gone = await pool(previous, 8, async (p) => {
      if (!p.metadata.namespace && (await opts.kube.resource(p.apiVersion, p.kind))?.namespaced !== false) p.metadata.namespace = opts.namespace;
      if (seen.has(objectId(p))) return undefined;
      const path = await opts.kube.pathOf(p, opts.namespace);
      const live = path ? await opts.kube.get<KubeObject>(path) : undefined;
      return live ? entry(objectId(p), live, undefined) : undefined;
    });
    out.push(...gone.filter((d): d is ObjectDiff => d !== undefined));
  }
  return out;
}

function entry(id: string, live: KubeObject | undefined, merged: KubeObject | undefined): ObjectDiff {
  const [a, b] = [normalize(live), normalize(merged)] as (Record<string, unknown> | undefined)[];
  maskSecrets(a, b);
  const diff = unifiedDiff(id, toYaml(a), toYaml(b));
  const o = (merged ?? live)!;
  const change: Change = !live ? 'added' : !merged ? 'removed' : diff ? 'changed' : 'unchanged';
  return { id, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace, change, diff, live, merged };
}
