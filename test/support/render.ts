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
import { JSON_SCHEMA, load, loadAll } from 'js-yaml';
import { expect } from 'vitest';
import { LINKERD_CONFIG_VALUES } from '../../src/control-plane/config';
import { DEFAULT_RELEASE, renderObjects, resolveValues, toManifest, writeChart, type ChartDefinition, type Release } from '../../src/helm/chart';
import { HELM_MAJORS, helmBinary, type HelmMajor } from './helm';

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
  // As JSON (which is YAML): every string and key quoted, so Helm's YAML 1.1 reading cannot
  // turn `yes`, `1e3` or a key like `4_` into another type.
  writeFileSync(file, `${JSON.stringify(values, null, 1)}\n`);
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

/**
 * Fields that hold YAML text (linkerd-config's copy of the values, configuration files in
 * ConfigMaps such as prometheus.yml): Go's toYaml, our templates and js-yaml write the same
 * data with different spacing and quoting, so they are compared as parsed structure.
 */
function isEmbeddedYaml(d: K8sDoc, key: string): boolean {
  if (d.kind !== 'ConfigMap') return false;
  return (d.metadata?.name === LINKERD_CONFIG_VALUES.name && key === LINKERD_CONFIG_VALUES.key) || /\.ya?ml$/.test(key);
}

function decodeEmbedded(d: K8sDoc): K8sDoc {
  const data = d.data as Record<string, unknown> | undefined;
  if (!data) return d;
  const decoded = Object.fromEntries(
    Object.entries(data).map(([k, text]) =>
      // JSON typing of scalars: YAML 1.1 readers take `4_` for the number 4, which neither
      // side means; numbers, booleans and null keep their types.
      [k, typeof text === 'string' && isEmbeddedYaml(d, k) ? load(text, { schema: JSON_SCHEMA }) : text],
    ),
  );
  return { ...d, data: decoded };
}

/** Objects of a multi-document YAML stream, sorted by kind, namespace and name. */
export function normalize(yamlText: string): K8sDoc[] {
  const docs = (loadAll(yamlText) as (K8sDoc | null)[]).filter((d): d is K8sDoc => d !== null && d !== undefined).map(decodeEmbedded);
  const key = (d: K8sDoc) => `${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name}`;
  return docs.sort((a, b) => key(a).localeCompare(key(b)));
}

/**
 * Masks material Helm generates at render time (webhook certificates, and the checksum
 * over them), which differs between any two renders: the one allowed difference.
 */
export function maskGenerated(docs: K8sDoc[]): K8sDoc[] {
  const MASK = '<generated at render time>';
  return docs.map((d) => {
    const c = structuredClone(d) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (c.kind === 'Secret' && c.type === 'kubernetes.io/tls' && String(c.metadata.name).endsWith('-k8s-tls')) {
      for (const k of Object.keys(c.data ?? {})) c.data[k] = MASK;
    }
    if (c.kind === 'MutatingWebhookConfiguration' || c.kind === 'ValidatingWebhookConfiguration') {
      for (const w of c.webhooks ?? []) if (w.clientConfig?.caBundle) w.clientConfig.caBundle = MASK;
    }
    if (c.kind === 'APIService' && c.spec?.caBundle) c.spec.caBundle = MASK;
    const podAnnotations = c.spec?.template?.metadata?.annotations;
    if (podAnnotations?.['checksum/config']) podAnnotations['checksum/config'] = MASK;
    return c as K8sDoc;
  });
}

/** Our objects as they are (no decoding), for schema checks. */
export function ourObjects<S extends TObject>(def: ChartDefinition<S>, user: Record<string, unknown>, release: Release = DEFAULT_RELEASE): K8sDoc[] {
  return renderObjects(def, resolveValues(def, user), release).map((o) => o.object as K8sDoc);
}

/** Our rendering of the same release, through the same YAML text and parser. */
export function ourRender<S extends TObject>(def: ChartDefinition<S>, user: Record<string, unknown>, release: Release = DEFAULT_RELEASE): K8sDoc[] {
  return normalize(toManifest(def.name, renderObjects(def, resolveValues(def, user), release)));
}

export interface EquivalenceOptions {
  release?: Release;
  /** Mask what Helm generates at render time (webhook certificates): the one allowed difference. */
  mask?: boolean;
  /** Helm must not warn either (the engine's own charts; a chart's random values may make Helm warn about coalescing). */
  quiet?: boolean;
}

/**
 * The equivalence every chart keeps: Helm 3 and Helm 4 render `user` without error and to the
 * same objects as our renderer (parsed by js-yaml, which also refuses a mapping key written
 * twice). Returns our objects.
 */
export async function expectHelmEquivalent<S extends TObject>(def: ChartDefinition<S>, user: Record<string, unknown>, opts: EquivalenceOptions = {}): Promise<K8sDoc[]> {
  const release = opts.release ?? DEFAULT_RELEASE;
  const norm = (docs: K8sDoc[]) => (opts.mask ? maskGenerated(docs) : docs);
  const shown = JSON.stringify(user).slice(0, 300);
  const ours = norm(ourRender(def, user, release));
  const file = writeValues(user);
  for (const major of HELM_MAJORS) {
    const helm = await helmTemplate(major, chartDir(def), ['-f', file], release);
    expect(helm.ok, `helm ${major} failed for ${shown}: ${helm.stderr}`).toBe(true);
    if (opts.quiet) expect(helm.stderr, `helm ${major} warned for ${shown}`).toBe('');
    expect(norm(normalize(helm.stdout)), `helm ${major} vs ours for ${shown}`).toEqual(ours);
  }
  return ours;
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
