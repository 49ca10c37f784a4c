/**
 * What `cdk8s-linkerd template` does as `helm template` does: the release name's rule,
 * `--kube-version` against the chart's kubeVersion, `--show-only` and `--output-dir`; and what it
 * refuses that Helm renders: a namespace the API server would refuse.
 */
import { closeSync, constants, lstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RenderedObject } from '../helm/chart';
import { KUBE_VERSION_CONSTRAINT } from '../version';
import { outputDirDocument } from './manifest';

/** Helm's rule for release names (`chartutil.ValidateReleaseName`): a DNS subdomain of at most 53 characters. */
export const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a release name Helm accepts, or undefined. */
export function releaseNameProblem(name: string): string | undefined {
  if (RELEASE_NAME.test(name) && name.length <= 53) return undefined;
  return `release name ${JSON.stringify(name)}: not a release name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 53 characters)`;
}

/** A namespace's name as the API server requires it: a DNS-1123 label. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Why `namespace` cannot be a release's namespace, or undefined. Helm renders any text there; the
 * API server refuses a namespace that is not a DNS-1123 label, and the templates print the
 * namespace unquoted inside names (`linkerd-{{ .Release.Namespace }}-destination`), so the
 * command refuses it first (docs/parity.md).
 */
export function namespaceProblem(namespace: string): string | undefined {
  if (NAMESPACE.test(namespace) && namespace.length <= 63) return undefined;
  return `namespace ${JSON.stringify(namespace)}: not a namespace the API server accepts (a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`;
}

/** A Kubernetes version as Helm reads `--kube-version` (semver, `v` and missing minor or patch allowed). */
const KUBE_VERSION = /^v?(0|[1-9][0-9]*)(?:\.(0|[1-9][0-9]*))?(?:\.(0|[1-9][0-9]*))?(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Why the chart cannot be rendered for Kubernetes `version` (not a version, or older than the
 * chart's kubeVersion, KUBE_VERSION_CONSTRAINT), or undefined. No template reads
 * `.Capabilities.KubeVersion`, so this check is all the flag does, as with Helm.
 */
export function kubeVersionProblem(version: string): string | undefined {
  const m = KUBE_VERSION.exec(version);
  if (!m) return `--kube-version ${version}: not a Kubernetes version (e.g. 1.33 or v1.33.2)`;
  const [, major, minor = '0', patch = '0'] = m;
  const min = /^>=(\d+)\.(\d+)\.(\d+)(?:-0)?$/.exec(KUBE_VERSION_CONSTRAINT);
  if (!min) throw new Error(`KUBE_VERSION_CONSTRAINT ${KUBE_VERSION_CONSTRAINT}: not of the form >=X.Y.Z-0`);
  const given = [major, minor, patch].map(Number);
  const least = min.slice(1, 4).map(Number);
  const older = given[0] !== least[0] ? given[0] < least[0] : given[1] !== least[1] ? given[1] < least[1] : given[2] < least[2];
  if (older) return `--kube-version ${version}: the chart requires Kubernetes ${KUBE_VERSION_CONSTRAINT} (its kubeVersion)`;
  return undefined;
}

/** Helm's filepath.Match for `--show-only`: `*` and `?` within one path segment, `[...]` classes. */
function globRegex(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) return /$^/;
      re += `[${glob.slice(i + 1, end).replace(/^\^/, '^').replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < glob.length) re += glob[++i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * The documents `--show-only` selects, as Helm selects them: for each pattern in turn (a path
 * in the chart such as `templates/identity.yaml`, or a glob), every document rendered from a
 * matching template, in rendering order. Throws the pattern that matches nothing.
 */
export function showOnly(objects: RenderedObject[], patterns: string[]): RenderedObject[] {
  const out: RenderedObject[] = [];
  for (const pattern of patterns) {
    const re = globRegex(pattern.replace(/\\/g, '/'));
    const hits = objects.filter((o) => re.test(`templates/${o.file}`));
    if (hits.length === 0) throw new ShowOnlyError(pattern);
    out.push(...hits);
  }
  return out;
}

export class ShowOnlyError extends Error {
  constructor(readonly pattern: string) {
    super(`--show-only ${pattern}: no such template in the chart (templates are named templates/<file>.yaml)`);
    this.name = 'ShowOnlyError';
  }
}

/** Whether the file at `path` starts as a file `template --output-dir` (or Helm) wrote. */
function startsAsOurs(path: string): boolean {
  const want = Buffer.from('---\n# Source: ');
  const buf = Buffer.alloc(want.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    return readSync(fd, buf, 0, buf.length, 0) === buf.length && buf.equals(want);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes each document to `<dir>/[<release>/]<chart>/templates/<file>` as Helm's
 * `--output-dir` does (documents of one template appended in order, a `wrote <path>` line for
 * each). Checked first, nothing written otherwise: a file there that does not start as such a
 * file (`---` and `# Source:`) is not replaced unless `force`, and nothing is written through a
 * symbolic link. Returns the problem, or undefined.
 */
export function writeOutputDir(dir: string, chart: string, objects: RenderedObject[], opts: { release?: string; force: boolean; say: (line: string) => void }): string | undefined {
  const docs = objects.map((o) => {
    const name = `${opts.release === undefined ? '' : `${opts.release}/`}${chart}/templates/${o.file}`;
    return { path: `${dir}/${name}`, text: outputDirDocument(chart, o) };
  });
  const paths = [...new Set(docs.map((d) => d.path))];
  const problems: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isSymbolicLink() || !st.isFile()) problems.push(`${p} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`);
    else if (!opts.force && !startsAsOurs(p)) problems.push(`${p} is not a rendered template (pass --force to replace it)`);
  }
  if (problems.length > 0) return `--output-dir ${dir}: ${problems.join('; ')}; nothing was written`;
  const opened = new Set<string>();
  for (const { path, text } of docs) {
    let fd: number | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      const first = !opened.has(path);
      opened.add(path);
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (first ? constants.O_TRUNC : constants.O_APPEND), 0o644);
      const buf = Buffer.from(text, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      return `--output-dir ${dir}: cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    opts.say(`wrote ${path}\n`);
  }
  opts.say('\n'); // Helm ends its list with an empty line
  return undefined;
}
