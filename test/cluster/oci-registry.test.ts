/**
 * Charts published to a real OCI registry (CNCF Distribution built from its Go module, on
 * loopback, scripts/cluster/registry.ts): `npm run release` pushes every chart; releasing the
 * same charts again pushes nothing; releasing other content under a published version is refused
 * and changes nothing; `helm install oci://…/linkerd-control-plane --version X` installs the
 * published charts with Helm 4 and Helm 3.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHARTS } from '../../src/charts';
import { CHART_VERSION, LINKERD_VERSION } from '../../src/version';
import { releaseCharts, ReleaseRefused } from '../../scripts/release';
import { type Registry, startRegistry, stopRegistry } from '../../scripts/cluster/registry';
import type { HelmMajor } from '../support/helm';
import { CHARTS_DIR, IDENTITY_FLAGS, ROOT, deleteNamespace, helm } from './support/cluster';

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

  describe.each([4, 3] as HelmMajor[])('helm install oci://… with Helm %i', (major) => {
    const wait = major === 4 ? ['--server-side=true', '--wait=watcher', '--timeout=5m'] : ['--wait', '--timeout=5m'];
    const releases = [
      { name: 'linkerd-crds', flags: [] as string[] },
      { name: 'linkerd-control-plane', flags: IDENTITY_FLAGS },
    ];

    afterAll(async () => {
      for (const r of [...releases].reverse()) await helm(major, ['uninstall', r.name, '-n', 'linkerd', '--ignore-not-found', '--wait']).catch(() => undefined);
      await deleteNamespace('linkerd');
    });

    it('installs the CRDs and the control plane from the registry, waiting for every object', async () => {
      for (const r of releases) {
        const out = await helm(major, ['install', r.name, oci(r.name), '--version', CHART_VERSION, '--plain-http', '-n', 'linkerd', '--create-namespace', ...r.flags, ...wait]);
        expect(out.stdout).toMatch(/STATUS: deployed/);
        const listed = await helm(major, ['list', '-n', 'linkerd', '--filter', `^${r.name}$`, '-o', 'json']);
        expect(JSON.parse(listed.stdout)).toMatchObject([{ name: r.name, chart: `${r.name}-${CHART_VERSION}`, app_version: LINKERD_VERSION }]);
      }
    });
  });
});
