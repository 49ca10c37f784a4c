/**
 * The generated outputs: Helm charts in charts/ and raw YAML in dist/, and how every command
 * writes a folder of files without destroying anything it did not write.
 *
 * Each writing command keeps a record of the files it wrote in `DIR/.cdk8s-linkerd-<command>`.
 * The next run replaces the files it writes, removes the files of that record it no longer
 * writes (stale generated files, e.g. a template that was renamed), and leaves every other
 * file alone (it says which on stderr). Before anything is written, the whole output is
 * checked: a file where a folder is needed, a folder or symbolic link where a file goes, a
 * folder that cannot be created, or a file the command did not write (not in its record, and
 * not already the very bytes it would write) at a path it writes is one clear error and
 * nothing is written; `force` replaces such files (never through a symbolic link).
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync, writeSync, accessSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { dump } from 'js-yaml';
import { CHARTS, DIST_CHARTS } from './charts';
import { NAMESPACE_FILE, chartFiles, mergeUserValues, renderObjects, resolveValues, toManifest, type RenderedObject } from './helm/chart';
import { valuesTypesOf, type ValuesTypesTarget } from './values/types';

export type Progress = (line: string) => void;

/** An output that cannot be written (exit code 1 in the command): one line. */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** The name of a command's record of the files it wrote, in its output folder. */
export const recordName = (command: string) => `.cdk8s-linkerd-${command}`;

const describe = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'EISDIR':
      return 'is a folder';
    case 'EEXIST':
      return 'already exists';
    default:
      return err.code ?? err.message;
  }
};

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new OutputError(`${p}: cannot inspect: ${describe(e)}`);
  }
}

/** Checks that `dir` is, or can become, a writable folder; returns the folders to create (outermost first). Throws OutputError. */
export function prepareFolder(dir: string): string[] {
  const missing: string[] = [];
  let cur = dir;
  for (;;) {
    let st: Stats | undefined;
    try {
      st = statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const parent = dirname(cur);
        if (parent === cur) throw new OutputError(`${dir}: cannot create it: ${cur} does not exist`);
        missing.unshift(cur);
        cur = parent;
        continue;
      }
      if (code === 'ENOTDIR') {
        missing.unshift(cur);
        cur = dirname(cur);
        continue;
      }
      throw new OutputError(`${dir}: cannot use it: ${describe(e)}`);
    }
    if (!st.isDirectory()) throw new OutputError(`${dir}: cannot write there: ${cur} is a file, not a folder`);
    if (missing.length > 0 || cur === dir) {
      try {
        accessSync(cur, constants.W_OK | constants.X_OK);
      } catch {
        throw new OutputError(`${dir}: cannot write there: ${cur} is not writable`);
      }
    }
    return missing;
  }
}

/** Creates the folders `prepareFolder` returned. Throws OutputError. */
export function createFolders(dirs: string[], root: string) {
  for (const d of dirs) {
    try {
      mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && lstatOrUndefined(d)?.isDirectory()) continue;
      // ENOENT although the parent exists: a file system that holds no new folders (/proc, /sys).
      const why = code === 'ENOENT' ? `${dirname(d)} does not take new folders` : describe(e);
      throw new OutputError(`${root}: cannot create the folder ${d}: ${why}`);
    }
  }
}

function writeFileAt(path: string, content: string, root: string) {
  let fd: number | undefined;
  try {
    // O_NOFOLLOW: never write through a symbolic link put where a generated file goes.
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    const buf = Buffer.from(content, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    throw new OutputError(`${root}: cannot write ${path}: ${describe(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A relative path from a record, if it is one that stays inside the output folder. */
function safeRelative(p: string): string | undefined {
  if (p === '' || isAbsolute(p) || p.includes('\0')) return undefined;
  const n = normalize(p);
  if (n === '..' || n.startsWith(`..${sep}`) || n === '.' || n.startsWith(`.${sep}`)) return undefined;
  return n.split(sep).join('/');
}

function readRecord(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new OutputError(`${path}: cannot read the record of generated files: ${describe(e)}`);
  }
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .flatMap((l) => safeRelative(l) ?? []);
}

/** Files under `dir/sub` (relative to `dir`, `/`-separated), not following symbolic links. */
function filesUnder(dir: string, sub: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    const st = lstatOrUndefined(abs);
    if (!st) return;
    if (!st.isDirectory()) {
      out.push(rel.split(sep).join('/'));
      return;
    }
    for (const name of readdirSync(abs).sort()) walk(join(rel, name));
  };
  walk(sub);
  return out;
}

export interface WriteTreeOptions {
  /** The command, for the record's name and its header. */
  command: string;
  progress?: Progress;
  /** Replace files at the paths the command writes even when it did not write them (default: refuse, naming them). */
  force?: boolean;
}

/** Whether the file at `path` holds exactly `content`. */
function holds(path: string, content: string): boolean {
  try {
    return readFileSync(path).equals(Buffer.from(content, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * The folders that `files` need under `dir`, and what stands in their way: a file or link where
 * a folder goes, then (only when the folders are fine) anything but a file where a file goes.
 */
function pathProblems(dir: string, files: Map<string, string>, command: string): { folders: Set<string>; problems: string[] } {
  const folders = new Set<string>();
  const problems: string[] = [];
  for (const rel of files.keys()) {
    const parts = rel.split('/');
    for (let n = 1; n < parts.length; n++) {
      const sub = parts.slice(0, n).join('/');
      if (folders.has(sub)) continue;
      folders.add(sub);
      const st = lstatOrUndefined(join(dir, sub));
      if (st && !st.isDirectory()) problems.push(`${join(dir, sub)} is ${st.isSymbolicLink() ? 'a symbolic link' : 'a file'} where cdk8s-linkerd ${command} writes a folder`);
    }
  }
  if (problems.length === 0) {
    for (const rel of files.keys()) {
      const st = lstatOrUndefined(join(dir, rel));
      if (st && !st.isFile()) problems.push(`${join(dir, rel)} is ${st.isSymbolicLink() ? 'a symbolic link' : st.isDirectory() ? 'a folder' : 'not a regular file'} where cdk8s-linkerd ${command} writes a file`);
    }
  }
  return { folders, problems };
}

/** A user's own file at a path the command writes is never replaced unasked: all of them are named. */
function refuseTheirs(dir: string, files: Map<string, string>, previous: Set<string>, command: string): void {
  const theirs = [...files].filter(([rel, content]) => !previous.has(rel) && lstatOrUndefined(join(dir, rel)) && !holds(join(dir, rel), content)).map(([rel]) => rel).sort();
  if (theirs.length > 0) {
    throw new OutputError(
      `${dir} holds ${theirs.length} file${theirs.length > 1 ? 's' : ''} that cdk8s-linkerd ${command} did not write where it writes: ${theirs.join(', ')}; nothing was written: move ${theirs.length > 1 ? 'them' : 'it'} away, choose another folder, or pass --force to replace ${theirs.length > 1 ? 'them' : 'it'}`,
    );
  }
}

/** The previously written files no longer written: only plain files reached through plain folders. */
function staleFiles(dir: string, files: Map<string, string>, previous: Set<string>): string[] {
  const plainPath = (rel: string) =>
    rel
      .split('/')
      .slice(0, -1)
      .every((_, n, parts) => lstatOrUndefined(join(dir, ...parts.slice(0, n + 1)))?.isDirectory() === true);
  return [...previous].filter((rel) => !files.has(rel) && plainPath(rel) && lstatOrUndefined(join(dir, rel))?.isFile());
}

/** Removes the stale files, and the folders that only held them. */
function removeStale(dir: string, stale: string[]): void {
  for (const rel of stale) {
    try {
      unlinkSync(join(dir, rel));
    } catch (e) {
      throw new OutputError(`${dir}: cannot remove the stale generated file ${rel}: ${describe(e)}`);
    }
    for (let d = dirname(rel); d !== '.' && d !== ''; d = dirname(d)) {
      try {
        if (readdirSync(join(dir, d)).length > 0) break;
        rmdirSync(join(dir, d));
      } catch {
        break;
      }
    }
  }
}

/**
 * Writes `files` (relative `/`-separated path → content) under `dir`, as described at the
 * top of this module. Throws OutputError before writing anything when the output cannot be
 * written.
 */
export function writeTree(dir: string, files: Map<string, string>, { command, progress = () => {}, force = false }: WriteTreeOptions): void {
  const record = recordName(command);
  const toCreate = prepareFolder(dir);
  const previous = new Set(toCreate.length > 0 ? [] : readRecord(join(dir, record)));

  // Everything is checked before anything is written.
  const { folders, problems } = pathProblems(dir, files, command);
  const recordStat = lstatOrUndefined(join(dir, record));
  if (recordStat && !recordStat.isFile()) problems.push(`${join(dir, record)} is not a regular file`);
  if (problems.length > 0) throw new OutputError(`${problems[0]}; nothing was written${problems.length > 1 ? ` (and ${problems.length - 1} more such problems)` : ''}`);
  if (!force) refuseTheirs(dir, files, previous, command);

  const stale = staleFiles(dir, files, previous);
  const tops = new Set([...files.keys()].map((rel) => rel.split('/')[0]).filter((t) => folders.has(t)));
  const foreign = [...tops].flatMap((t) => filesUnder(dir, t)).filter((rel) => !files.has(rel) && !previous.has(rel));

  createFolders(toCreate, dir);
  for (const sub of [...folders].sort()) createFolders(lstatOrUndefined(join(dir, sub)) ? [] : [join(dir, sub)], dir);
  for (const [rel, content] of files) writeFileAt(join(dir, rel), content, dir);
  removeStale(dir, stale);
  const header = `# The files \`cdk8s-linkerd ${command}\` wrote here. Its next run replaces them and removes those it no longer writes; it leaves other files alone.\n`;
  writeFileAt(join(dir, record), `${header}${[...files.keys()].sort().join('\n')}\n`, dir);
  if (stale.length > 0) progress(`removed ${stale.length} stale generated file${stale.length > 1 ? 's' : ''}: ${stale.join(', ')}`);
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(', ');
    progress(`left alone ${foreign.length} file${foreign.length > 1 ? 's' : ''} that cdk8s-linkerd ${command} did not write: ${shown}${foreign.length > 5 ? ', …' : ''}`);
  }
}

/** Every file of every Helm chart (`<chart>/<file>` → content). */
export function chartsTree(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of Object.values(CHARTS)) for (const [file, content] of chartFiles(def)) files.set(`${def.name}/${file}`, content);
  return files;
}

/** Writes every Helm chart into `dir` (one folder per chart); returns the chart folders. */
export function writeCharts(dir: string, progress: Progress = () => {}, force = false): string[] {
  const names = Object.keys(CHARTS);
  writeTree(dir, chartsTree(), { command: 'charts', progress, force });
  return names.map((name, i) => {
    const out = join(dir, name);
    progress(`[${i + 1}/${names.length}] chart ${name} -> ${out}`);
    return out;
  });
}

/** One dist/ folder: its name, namespace and objects. */
export interface DistFolder {
  folder: string;
  chart: string;
  namespace: string;
  objects: RenderedObject[];
}

/** What dist/ holds: one folder per chart, plus the folders charts split off (certificates). */
export function distFolders(valuesByChart: Record<string, Record<string, unknown>> = {}): DistFolder[] {
  for (const name of Object.keys(valuesByChart)) {
    if (!CHARTS[name]) throw new Error(`values given for unknown chart '${name}'`);
  }
  // Validate everything before rendering anything.
  const resolved = Object.entries(DIST_CHARTS).map(([name, dist]) => [name, dist, resolveValues(CHARTS[name], mergeUserValues(dist.values, valuesByChart[name] ?? {}))] as const);
  return resolved.flatMap(([name, dist, values]) => {
    // dist/ is applied as it is (kubectl, Argo CD without CreateNamespace): each namespace is one Namespace object of it.
    const objects = renderObjects(CHARTS[name], values, { name, namespace: dist.namespace }, { namespaceObject: true });
    const split = dist.split;
    if (!split) return [{ folder: name, chart: name, namespace: dist.namespace, objects }];
    const apart = (o: RenderedObject) => split.files.includes(o.file) || (split.namespace === true && o.file === NAMESPACE_FILE);
    return [
      { folder: split.folder, chart: name, namespace: dist.namespace, objects: objects.filter(apart) },
      { folder: name, chart: name, namespace: dist.namespace, objects: objects.filter((o) => !apart(o)) },
    ];
  });
}

/**
 * Writes the raw manifests of every chart into `dir/<folder>/` with a kustomization.
 * `valuesByChart` gives user values per chart name.
 */
export function writeDist(dir: string, valuesByChart: Record<string, Record<string, unknown>> = {}, progress: Progress = () => {}, force = false): string[] {
  const folders = distFolders(valuesByChart);
  const files = new Map<string, string>();
  for (const { folder, chart, objects } of folders) {
    files.set(`${folder}/${chart}.yaml`, toManifest(chart, objects));
    files.set(`${folder}/kustomization.yaml`, dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [`${chart}.yaml`] }));
  }
  writeTree(dir, files, { command: 'synth', progress, force });
  return folders.map(({ folder, objects }, i) => {
    const out = join(dir, folder);
    progress(`[${i + 1}/${folders.length}] dist ${folder}: ${objects.length} objects -> ${out}`);
    return out;
  });
}

/** `path` relative to `from`, `/`-separated, or undefined when it is outside. */
export function inside(from: string, path: string): string | undefined {
  const rel = relative(from, path);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return rel.split(sep).join('/');
}

/**
 * The charts whose values the public API types, with the module `npm run synth` writes their
 * TypeScript declarations into (src/values/types.ts) and the schema each is generated from.
 * gateway-api-crds has no values keys, so no type.
 */
export const VALUES_TYPES: readonly (Omit<ValuesTypesTarget, 'chart'> & { chart: keyof typeof CHARTS & string; file: string })[] = [
  { chart: 'linkerd-crds', file: 'src/crds/values.generated.ts', typeName: 'LinkerdCrdsValues', schemaName: 'crdsValues', schemaModule: './chart' },
  { chart: 'linkerd-control-plane', file: 'src/control-plane/values.generated.ts', typeName: 'ControlPlaneValues', schemaName: 'controlPlaneValues', schemaModule: './values', schemaTyped: ['*.resources.*.limit!', '*.resources.*.request!'] },
  { chart: 'linkerd-viz', file: 'src/viz/values.generated.ts', typeName: 'VizValues', schemaName: 'vizValues', schemaModule: './values', schemaTyped: ['*.resources.*.limit!', '*.resources.*.request!', 'prometheus.ruleConfigMapMounts.[]', 'prometheus.persistence.accessMode'] },
  { chart: 'linkerd-jaeger', file: 'src/jaeger/values.generated.ts', typeName: 'JaegerValues', schemaName: 'jaegerValues', schemaModule: './values', schemaTyped: ['*.resources.*.limit!', '*.resources.*.request!'] },
  { chart: 'linkerd2-cni', file: 'src/cni/values.generated.ts', typeName: 'CniValues', schemaName: 'cniValues', schemaModule: './values', schemaTyped: ['*.resources.*.limit!', '*.resources.*.request!', 'resources.*.limit!', 'resources.*.request!'] },
  { chart: 'linkerd-multicluster', file: 'src/multicluster/values.generated.ts', typeName: 'MulticlusterValues', schemaName: 'multiclusterValues', schemaModule: './values', schemaTyped: ['controllers.[].*'] },
  { chart: 'linkerd-multicluster-link', file: 'src/multicluster/link-values.generated.ts', typeName: 'LinkValues', schemaName: 'linkValues', schemaModule: './link' },
];

/** The generated values declarations: path (relative to the repository) → text. */
export function valuesTypesFiles(): Record<string, string> {
  return Object.fromEntries(VALUES_TYPES.map(({ file, ...target }) => [file, valuesTypesOf(CHARTS[target.chart].values, target)]));
}

/** Writes the generated values declarations under `root` (the repository), each only when its text changed; the paths written. */
export function writeValuesTypes(root: string): string[] {
  const written: string[] = [];
  for (const [file, text] of Object.entries(valuesTypesFiles())) {
    const path = join(root, file);
    let old: string | undefined;
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      old = undefined;
    }
    if (old === text) continue;
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    written.push(file);
  }
  return written;
}
