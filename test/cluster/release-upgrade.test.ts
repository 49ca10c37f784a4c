/**
 * Upgrades across our own releases: the charts of the latest recorded release (releases/<v>/,
 * taken from the commit that recorded it) are installed, then `helm upgrade` moves every
 * release to the charts in charts/: no immutable-field, ownership or field-manager conflict.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelmMajor } from '../support/helm';
import { CHARTS_DIR, IDENTITY_FLAGS, ROOT, deleteNamespace, helm } from './support/cluster';

const RELEASES = [
  { name: 'linkerd-crds', namespace: 'linkerd', flags: [] as string[] },
  { name: 'linkerd-control-plane', namespace: 'linkerd', flags: IDENTITY_FLAGS },
  { name: 'linkerd-viz', namespace: 'linkerd-viz', flags: [] as string[] },
  { name: 'linkerd-jaeger', namespace: 'linkerd-jaeger', flags: [] as string[] },
];

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** The newest recorded release and the commit that recorded it. */
function previousRelease(): { version: string; commit: string } {
  const versions = readdirSync(join(ROOT, 'releases')).sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const version = versions.at(-1)!;
  const commit = git(['log', '--diff-filter=A', '--format=%H', '-1', '--', `releases/${version}`]);
  if (!commit) throw new Error(`no commit adds releases/${version}: is this a shallow clone? (git fetch --unshallow)`);
  return { version, commit };
}

describe.each([4, 3] as HelmMajor[])('Helm %i: upgrade from the previous release', (major) => {
  const previous = previousRelease();
  let oldCharts: string;
  const wait = major === 4 ? ['--server-side=true', '--wait=watcher', '--timeout=4m'] : ['--wait', '--timeout=4m'];

  beforeAll(() => {
    oldCharts = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-release-'));
    // The release's charts exactly as committed (git archive: no checkout, the work tree untouched).
    execFileSync('sh', ['-c', `git archive ${previous.commit} charts | tar -x -C ${oldCharts}`], { cwd: ROOT });
  });

  afterAll(async () => {
    for (const r of [...RELEASES].reverse()) await helm(major, ['uninstall', r.name, '-n', r.namespace, '--ignore-not-found', '--wait']).catch(() => undefined);
    for (const ns of new Set(RELEASES.map((r) => r.namespace))) await deleteNamespace(ns);
    rmSync(oldCharts, { recursive: true, force: true });
  });

  it(`installs ${previous.version}'s charts`, async () => {
    for (const r of RELEASES) await helm(major, ['install', r.name, join(oldCharts, 'charts', r.name), '-n', r.namespace, '--create-namespace', ...r.flags, ...wait]);
    console.log(`installed release ${previous.version} (commit ${previous.commit.slice(0, 12)}) with Helm ${major}`);
  });

  it('upgrades every release to the current charts', async () => {
    for (const r of RELEASES) {
      const out = await helm(major, ['upgrade', r.name, join(CHARTS_DIR, r.name), '-n', r.namespace, ...r.flags, ...wait]);
      expect(out.stdout).toMatch(/STATUS: deployed/);
      expect(out.stdout).toMatch(/REVISION: 2/);
    }
  });
});
