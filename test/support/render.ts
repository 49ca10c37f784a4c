/**
 * Rendering both ways, for the equivalence tests:
 * `helm template` on a written chart (Helm 3 and 4) and our own renderer.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TObject } from '@sinclair/typebox';
import { dump, loadAll } from 'js-yaml';
import { DEFAULT_RELEASE, renderObjects, resolveValues, toManifest, writeChart, type ChartDefinition, type Release } from '../../src/helm/chart';
import { helmBinary, type HelmMajor } from './helm';

const execFileAsync = promisify(execFile);

export type K8sDoc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;

let scratchRoot: string | undefined;
/** A temporary folder, under one root per test process that is removed when the process exits. */
export function scratchDir(prefix: string): string {
  if (!scratchRoot) {
    const root = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-test-'));
    process.on('exit', () => rmSync(root, { recursive: true, force: true }));
    scratchRoot = root;
  }
  return mkdtempSync(join(scratchRoot, `${prefix}-`));
}

/** Writes a chart once per process and returns its folder. */
const written = new Map<string, string>();
export function chartDir<S extends TObject>(def: ChartDefinition<S>): string {
  let dir = written.get(def.name);
  if (!dir) {
    dir = writeChart(def, scratchDir('chart'));
    written.set(def.name, dir);
  }
  return dir;
}

export function writeValues(values: unknown): string {
  const dir = scratchDir('values');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'values.yaml');
  // Strings quoted: Helm's YAML reads some unquoted strings (1e3, +1, yes) as other types.
  writeFileSync(file, dump(values, { lineWidth: -1, noRefs: true, forceQuotes: true, quotingType: '"' }));
  return file;
}

export interface HelmResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** `helm template` with the given flags; never throws on a Helm error. */
export async function helmTemplate(major: HelmMajor, dir: string, args: string[] = [], release: Release = DEFAULT_RELEASE): Promise<HelmResult> {
  try {
    const { stdout, stderr } = await execFileAsync(helmBinary(major), ['template', release.name, dir, '-n', release.namespace, ...args], {
      maxBuffer: 1 << 28,
      env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), 'helm-cache'), HELM_CONFIG_HOME: join(tmpdir(), 'helm-config'), HELM_DATA_HOME: join(tmpdir(), 'helm-data') },
    });
    return { ok: true, stdout, stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
}

/** Objects of a multi-document YAML stream, sorted by kind, namespace and name. */
export function normalize(yamlText: string): K8sDoc[] {
  const docs = (loadAll(yamlText) as (K8sDoc | null)[]).filter((d): d is K8sDoc => d !== null && d !== undefined);
  const key = (d: K8sDoc) => `${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name}`;
  return docs.sort((a, b) => key(a).localeCompare(key(b)));
}

/** Our rendering of the same release, through the same YAML text and parser. */
export function ourRender<S extends TObject>(def: ChartDefinition<S>, user: Record<string, unknown>, release: Release = DEFAULT_RELEASE): K8sDoc[] {
  return normalize(toManifest(def.name, renderObjects(def, resolveValues(def, user), release)));
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}
