/**
 * Charts published to a real OCI registry (CNCF Distribution built from its Go module, on
 * loopback, scripts/cluster/registry.ts): `npm run release` pushes every chart; releasing the
 * same charts again pushes nothing; releasing other content under a published version is refused
 * and changes nothing; `helm install oci://…/linkerd-control-plane --version X` pulls and renders
 * the published chart with Helm 4 (`--dry-run=client`) and Helm 3 (`template`).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARTS } from '../../src/charts';
import { CHART_VERSION, LINKERD_VERSION } from '../../src/version';
import { releaseCharts, ReleaseRefused } from '../../scripts/release';
import { type Registry, startRegistry, stopRegistry } from '../../scripts/cluster/registry';
import { CHARTS_DIR, IDENTITY_FLAGS, ROOT, helm } from './support/cluster';

const run = promisify(execFile);
const REPOSITORY = 'linkerd';

describe('charts in an OCI registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-registry-'));
  let registry: Registry;
  const oci = (chart: string) => `oci://${registry.registry}/${REPOSITORY}/${chart}`;

  beforeAll(async () => {
    registry = await startRegistry(join(dir, 'registry'), (l) => console.log(`[registry] ${l}`));
  });

  afterAll(async () => {
    await stopRegistry(join(dir, 'registry'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('npm run release pushes every chart, at the version of package.json, appVersion the Linkerd tag', async () => {
    const out = await run('npx', ['tsx', join(ROOT, 'scripts', 'release.ts'), '--registry', registry.registry, '--repository', REPOSITORY, '--plain-http'], { cwd: ROOT });
    for (const chart of Object.keys(CHARTS)) expect(out.stderr).toContain(`${oci(chart)}:${CHART_VERSION} pushed (sha256:`);
    const shown = await helm(4, ['show', 'chart', oci('linkerd-control-plane'), '--version', CHART_VERSION, '--plain-http']);
    expect(shown.stdout).toMatch(new RegExp(`^version: ${CHART_VERSION.replace(/\./g, '\\.')}$`, 'm'));
    expect(shown.stdout).toMatch(new RegExp(`^appVersion: ${LINKERD_VERSION}$`, 'm'));
  });

  it('releasing the same charts again is a no-op', async () => {
    const results = await releaseCharts({ registry: registry.registry, repository: REPOSITORY, plainHttp: true });
    expect(results.map((r) => r.outcome)).toEqual(Object.keys(CHARTS).map(() => 'unchanged'));
  });

  it('refuses other content under a published version, naming it, and pushes nothing', async () => {
    const charts = join(dir, 'charts');
    cpSync(CHARTS_DIR, charts, { recursive: true });
    const values = join(charts, 'linkerd-crds', 'values.yaml');
    writeFileSync(values, `${readFileSync(values, 'utf8')}# changed after the release\n`);
    for (const d of ['before', 'after']) mkdirSync(join(dir, d));
    const before = await helm(3, ['pull', oci('linkerd-crds'), '--version', CHART_VERSION, '--plain-http', '-d', join(dir, 'before')]);
    expect(before.stderr).not.toMatch(/error/i);
    const attempt = releaseCharts({ registry: registry.registry, repository: REPOSITORY, plainHttp: true, chartsDir: charts });
    await expect(attempt).rejects.toThrow(ReleaseRefused);
    await expect(attempt).rejects.toThrow(`${oci('linkerd-crds')}:${CHART_VERSION} is already published with other content`);
    await expect(attempt).rejects.not.toThrow('linkerd-viz');
    // Still the published archive.
    await helm(3, ['pull', oci('linkerd-crds'), '--version', CHART_VERSION, '--plain-http', '-d', join(dir, 'after')]);
    const file = `linkerd-crds-${CHART_VERSION}.tgz`;
    expect(readFileSync(join(dir, 'after', file)).equals(readFileSync(join(dir, 'before', file)))).toBe(true);
  });

  it('helm install oci://…/linkerd-control-plane --version X pulls and renders the published chart (Helm 4 install --dry-run=client, Helm 3 template)', async () => {
    const ref = [oci('linkerd-control-plane'), '--version', CHART_VERSION, '--plain-http', '-n', 'linkerd', ...IDENTITY_FLAGS];
    const helm4 = await helm(4, ['install', '--dry-run=client', 'linkerd-control-plane', ...ref]);
    expect(helm4.stdout).toMatch(/STATUS: pending-install/);
    expect(helm4.stdout).toMatch(new RegExp(`image: cr\\.l5d\\.io/linkerd/controller:${LINKERD_VERSION}`));
    const helm3 = await helm(3, ['template', 'linkerd-control-plane', ...ref]);
    expect(helm3.stdout).toMatch(/^kind: Deployment$/m);
  });
});
