/**
 * `cdk8s-linkerd diff` and `upgrade-plan` against a real API server. diff: the values a release
 * was installed with show no change (exit 0, also for the webhook certificates Helm generates);
 * a values change is a unified diff of exactly what it changes (exit 1), objects it removes are
 * shown as removed, and the diff is what `helm upgrade` then does. upgrade-plan: from our previous
 * recorded release, CRDs first, then the control plane, with the workloads that restart and why;
 * a downgrade is refused with its reason (exit 5).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { releaseCharts } from '../../scripts/release';
import { startRegistry, stopRegistry } from '../../scripts/cluster/registry';
import { CHART_VERSION, LINKERD_VERSION } from '../../src/version';
import { helmBinary } from '../support/helm';
import { cli } from './support/cli';
import { CHARTS_DIR, IDENTITY_FLAGS, KUBECONFIG, ROOT, deleteNamespace, helm, kubectl } from './support/cluster';

const wait = ['--server-side=true', '--wait=watcher', '--timeout=4m'];
const diff = (args: string[]) => cli(['diff', 'linkerd-control-plane', '-n', 'linkerd', '--kubeconfig', KUBECONFIG, ...IDENTITY_FLAGS, ...args]);
const plan = (args: string[] = []) => cli(['upgrade-plan', '--kubeconfig', KUBECONFIG, ...args]);

async function uninstallAll() {
  for (const r of ['linkerd-control-plane', 'linkerd-crds']) await helm(4, ['uninstall', r, '-n', 'linkerd', '--ignore-not-found', '--wait']).catch(() => undefined);
  await deleteNamespace('linkerd');
}

describe('diff', () => {
  beforeAll(async () => {
    await helm(4, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd', '--create-namespace', ...wait]);
    await helm(4, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, '--set', 'enablePodDisruptionBudget=true', ...wait]);
  });
  afterAll(uninstallAll);

  it('shows no change for the values the release was installed with (Helm-generated webhook certificates included): exit 0', async () => {
    const r = await diff(['--set', 'enablePodDisruptionBudget=true']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/linkerd-control-plane \(release linkerd-control-plane in linkerd, context .*\): 0 added, 0 changed, 0 removed, \d+ unchanged\n$/);
    expect(r.code).toBe(0);
  });

  it('prints a values change as a unified diff of what it changes, and what it removes: exit 1', async () => {
    const r = await diff(['--set', 'proxy.logLevel=debug']);
    expect(r.code).toBe(1);
    const files = [...r.stdout.matchAll(/^diff -u -N live\/(\S+) merged\/\S+$/gm)].map((m) => m[1]).sort();
    expect(files).toEqual(
      [
        'apps.v1.Deployment.linkerd.linkerd-destination',
        'apps.v1.Deployment.linkerd.linkerd-identity',
        'apps.v1.Deployment.linkerd.linkerd-proxy-injector',
        'policy.v1.PodDisruptionBudget.linkerd.linkerd-dst',
        'policy.v1.PodDisruptionBudget.linkerd.linkerd-identity',
        'policy.v1.PodDisruptionBudget.linkerd.linkerd-proxy-injector',
        'v1.ConfigMap.linkerd.linkerd-config',
      ].sort(),
    );
    expect(r.stdout).toContain('-              value: warn,linkerd=info,hickory=error,[{headers}]=off,[{request}]=off\n+              value: debug,[{headers}]=off,[{request}]=off\n');
    // A removed object: every line of it, and nothing after.
    expect(r.stdout).toMatch(/--- live\/policy\.v1\.PodDisruptionBudget\.linkerd\.linkerd-dst\n\+\+\+ merged\/policy\.v1\.PodDisruptionBudget\.linkerd\.linkerd-dst\n@@ -1,\d+ \+0,0 @@\n(-.*\n)+/);
    expect(r.stderr).toMatch(/: 0 added, 4 changed, 3 removed, \d+ unchanged\n$/);
    // No Secret value is ever printed.
    expect(r.stdout).not.toMatch(/LS0tLS1CRUdJTi/);
  });

  it('what it shows is what helm upgrade does: after the upgrade, the same diff is empty', async () => {
    await helm(4, ['upgrade', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, '--set', 'proxy.logLevel=debug', ...wait]);
    const r = await diff(['--set', 'proxy.logLevel=debug']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('bad values name the key, and nothing is asked of the cluster (exit 4)', async () => {
    const r = await cli(['diff', 'linkerd-control-plane', '--kubeconfig', join(ROOT, 'no-such-kubeconfig'), ...IDENTITY_FLAGS, '--set', 'proxy.logLevel=7']);
    expect(r.stderr).toMatch(/^error: linkerd-control-plane: proxy\.logLevel: /);
    expect(r.code).toBe(4);
  });
});

describe('upgrade-plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-plan-'));
  afterEach(uninstallAll);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('from the previous recorded release: CRDs first, then the control plane, with the workloads that restart and why (exit 1)', async () => {
    const versions = readdirSync(join(ROOT, 'releases')).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    const commit = execFileSync('git', ['log', '--diff-filter=A', '--format=%H', '-1', '--', `releases/${versions.at(-1)}`], { cwd: ROOT, encoding: 'utf8' }).trim();
    execFileSync('sh', ['-c', `git archive ${commit} charts | tar -x -C ${dir}`], { cwd: ROOT });
    await helm(4, ['install', 'linkerd-crds', join(dir, 'charts', 'linkerd-crds'), '-n', 'linkerd', '--create-namespace', ...wait]);
    await helm(4, ['install', 'linkerd-control-plane', join(dir, 'charts', 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, ...wait]);
    const r = await plan();
    console.log(r.stdout);
    expect(r.stderr).toBe('');
    const heads = r.stdout.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(heads).toEqual([expect.stringMatching(/^1\. linkerd\/linkerd-crds \(linkerd-crds\): chart /), expect.stringMatching(/^2\. linkerd\/linkerd-control-plane \(linkerd-control-plane\): chart /)]);
    expect(r.code).toBe(r.stdout.includes('no change\n') && !/^ {3}(added|changed|removed) /m.test(r.stdout) ? 0 : 1);
    const json = JSON.parse((await plan(['-o', 'json'])).stdout) as { releases: { chart: string; restarts: { workload: string; reason: string }[] }[] };
    expect(json.releases.map((x) => x.chart)).toEqual(['linkerd-crds', 'linkerd-control-plane']);
    for (const s of json.releases.flatMap((x) => x.restarts)) expect(s.reason).toMatch(/^(checksum |pod template: |metadata\.annotations\.checksum\/)/);
  });

  it('shows nothing to do once the releases run this tree\'s charts (exit 0)', async () => {
    await helm(4, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd', '--create-namespace', ...wait]);
    await helm(4, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, ...wait]);
    const r = await plan();
    expect(r.stdout.split('\n').filter((l) => /^\d\./.test(l))).toEqual([
      expect.stringMatching(/^1\. linkerd\/linkerd-crds \(linkerd-crds\): chart .*: no change$/),
      expect.stringMatching(/^2\. linkerd\/linkerd-control-plane \(linkerd-control-plane\): chart .*: no change$/),
    ]);
    // Helm makes new webhook certificates at every upgrade: the Deployments whose checksum covers them roll anyway.
    expect(r.stdout).toContain('   restarts Deployment linkerd/linkerd-destination: metadata.annotations.checksum/config covers webhook certificates Helm generates at render time (every helm upgrade makes new ones)\n');
    expect(r.stdout).toContain('   restarts Deployment linkerd/linkerd-proxy-injector: metadata.annotations.checksum/config covers webhook certificates');
    expect(r.stdout).not.toMatch(/restarts Deployment linkerd\/linkerd-identity/);
    expect(r.code).toBe(0);
    // A pod template that drifted from the chart (an image): the upgrade rolls it back, and says why.
    await kubectl(['set', 'image', '-n', 'linkerd', 'deployment/linkerd-identity', 'identity=cr.l5d.io/linkerd/controller:edge-26.1.1']);
    const drifted = await plan();
    expect(drifted.stdout).toContain('   changed (1): Deployment linkerd/linkerd-identity\n');
    expect(drifted.stdout).toMatch(/ {3}restarts Deployment linkerd\/linkerd-identity: pod template: spec\.containers\.\d\.image\n/);
    expect(drifted.code).toBe(1);
  });

  it('plans against a published version in an OCI registry as against the same charts in this tree', async () => {
    const registryDir = join(dir, 'registry');
    const registry = await startRegistry(registryDir, (l) => console.log(`[registry] ${l}`));
    try {
      await releaseCharts({ registry: registry.registry, repository: 'linkerd', plainHttp: true });
      await helm(4, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd', '--create-namespace', ...wait]);
      await helm(4, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, ...wait]);
      const published = await plan(['--to', CHART_VERSION, '--registry', `oci://${registry.registry}/linkerd`, '--plain-http', '--helm', helmBinary(4)]);
      console.log(published.stdout, published.stderr);
      const local = await plan();
      const steps = (out: string) => out.split('\n').filter((l) => /^\d+\. /.test(l));
      expect(steps(published.stdout)).toEqual([
        expect.stringMatching(/^1\. linkerd\/linkerd-crds \(linkerd-crds\): chart .*: no change$/),
        expect.stringMatching(/^2\. linkerd\/linkerd-control-plane \(linkerd-control-plane\): chart .*: no change$/),
      ]);
      expect(steps(published.stdout)).toEqual(steps(local.stdout));
      expect(published.code).toBe(0);
      // A version the registry does not have: one error line naming it, nothing planned.
      const missing = await plan(['--to', '99.0.0', '--registry', `oci://${registry.registry}/linkerd`, '--plain-http', '--helm', helmBinary(4)]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(/99\.0\.0/);
      expect(steps(missing.stdout)).toEqual([]);
    } finally {
      await stopRegistry(registryDir);
    }
  });

  it('refuses a downgrade, with the reason (exit 5)', async () => {
    const newer = join(dir, 'newer');
    cpSync(join(CHARTS_DIR, 'linkerd-crds'), newer, { recursive: true });
    const chartYaml = join(newer, 'Chart.yaml');
    writeFileSync(chartYaml, readFileSync(chartYaml, 'utf8').replace(/^appVersion: .*$/m, 'appVersion: edge-99.1.1'));
    await helm(4, ['install', 'linkerd-crds', newer, '-n', 'linkerd', '--create-namespace', ...wait]);
    const r = await plan();
    expect(r.stdout).toContain(`refused linkerd/linkerd-crds: a downgrade from edge-99.1.1 to ${LINKERD_VERSION}: Linkerd supports upgrades only`);
    expect(r.code).toBe(5);
  });
});
