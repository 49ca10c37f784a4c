/**
 * User maps that set keys the chart sets itself (issue 19) install on a real API server: with
 * `podLabels: { app.kubernetes.io/part-of: platform }` the namespace-metadata Job's pod template
 * carries that key beside the chart's own `app.kubernetes.io/part-of: Linkerd`, and colliding
 * `commonLabels` and `podAnnotations` do the same on the Deployments. Before the engine merged
 * them, Helm wrote such keys twice; Helm 3, Helm 4 and kubectl 1.35 still applied that here (their
 * decoders keep the last key), so the suite also parses what was installed (the hook manifest) and
 * what kubectl applies with duplicate keys forbidden. The charts are written from the code (not
 * charts/), installed with Helm 4 (server-side apply, waiting for the hook Job).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkerdCrdsChart } from '../../src/crds/chart';
import { writeChart } from '../../src/helm/chart';
import { linkerdVizChart } from '../../src/viz/chart';
import { deleteNamespace, getJson, helm, kubectl } from './support/cluster';

const VALUES = {
  podLabels: { 'app.kubernetes.io/part-of': 'platform' },
  commonLabels: { 'app.kubernetes.io/part-of': 'platform' },
  // The user wins over linkerd.io/created-by; linkerd.io/inject is the chart's (viz pods are meshed).
  podAnnotations: { 'linkerd.io/created-by': 'platform-team', 'linkerd.io/inject': 'disabled' },
};
const WAIT = ['--server-side=true', '--wait=watcher', '--timeout=5m'];

type Deployment = {
  metadata: { name: string; labels: Record<string, string> };
  spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> } } };
};

describe('colliding user maps (Helm 4)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-collide-'));
    writeChart(linkerdCrdsChart, dir);
    writeChart(linkerdVizChart, dir);
    writeFileSync(join(dir, 'values.yaml'), JSON.stringify(VALUES));
  });
  afterAll(async () => {
    await helm(4, ['uninstall', 'linkerd-viz', '-n', 'linkerd-viz', '--ignore-not-found', '--wait']).catch(() => undefined);
    await helm(4, ['uninstall', 'linkerd-crds', '-n', 'linkerd', '--ignore-not-found', '--wait']).catch(() => undefined);
    for (const ns of ['linkerd-viz', 'linkerd']) await deleteNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
  });

  it('installs linkerd-crds, then linkerd-viz with a colliding podLabels, commonLabels and podAnnotations', async () => {
    await helm(4, ['install', 'linkerd-crds', join(dir, 'linkerd-crds'), '-n', 'linkerd', '--create-namespace', ...WAIT]);
    const out = await helm(4, ['install', 'linkerd-viz', join(dir, 'linkerd-viz'), '-n', 'linkerd-viz', '--create-namespace', '-f', join(dir, 'values.yaml'), ...WAIT]);
    expect(out.stdout).toMatch(/STATUS: deployed/);
  });

  it('ran the namespace-metadata hook Job, whose pod template has each key once, with the user value', async () => {
    const hooks = (await helm(4, ['get', 'hooks', 'linkerd-viz', '-n', 'linkerd-viz'])).stdout;
    const docs = parseAllDocuments(hooks, { uniqueKeys: true });
    expect(docs.flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
    const job = docs.map((d) => d.toJS() as { kind?: string; spec?: { template: { metadata: { labels: Record<string, string> } } } }).find((d) => d?.kind === 'Job');
    expect(job?.spec?.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'platform', 'linkerd.io/extension': 'viz' });
    // The Job succeeded (Helm waited for it) and was deleted (hook-succeeded).
    expect((await getJson<{ items: unknown[] }>(['get', 'jobs', '-n', 'linkerd-viz'])).items).toEqual([]);
  });

  it('has the user values on the Deployments and their pod templates, and the chart values it keeps', async () => {
    const ds = (await getJson<{ items: Deployment[] }>(['get', 'deployments', '-n', 'linkerd-viz'])).items;
    expect(ds.length).toBeGreaterThan(0);
    for (const d of ds) {
      expect(d.metadata.labels['app.kubernetes.io/part-of'], d.metadata.name).toBe('platform');
      const pod = d.spec.template.metadata;
      expect(pod.labels['app.kubernetes.io/part-of'], d.metadata.name).toBe('platform');
      expect(pod.labels['linkerd.io/extension'], d.metadata.name).toBe('viz');
      expect(pod.annotations['linkerd.io/created-by'], d.metadata.name).toBe('platform-team');
      expect(pod.annotations['linkerd.io/inject'], d.metadata.name).toBe('enabled');
    }
    console.log(`linkerd-viz Deployments with the colliding values: ${ds.map((d) => d.metadata.name).join(', ')}`);
  });

  it('applies the same rendering with kubectl (server-side dry run, strict field validation)', async () => {
    const rendered = (await helm(4, ['template', 'linkerd-viz', join(dir, 'linkerd-viz'), '-n', 'linkerd-viz', '-f', join(dir, 'values.yaml')])).stdout;
    expect(parseAllDocuments(rendered, { uniqueKeys: true }).flatMap((d) => d.errors.map((e) => e.message))).toEqual([]);
    const out = await kubectl(['apply', '--server-side', '--force-conflicts', '--dry-run=server', '--validate=strict', '-f', '-'], rendered);
    expect(out.stdout).toMatch(/serverside-applied \(server dry run\)/);
  });

  it('refuses a label the chart owns before installing anything', async () => {
    const err = await helm(4, ['template', 'linkerd-viz', join(dir, 'linkerd-viz'), '-n', 'linkerd-viz', '--set', 'podLabels.component=mine']).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('podLabels.component: set by the chart; cannot be overridden');
  });
});
