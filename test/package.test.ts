/** npm run package: installable, reproducible chart archives and a Helm repository index, versioned like package.json. */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../scripts/chart-archive';
import { packageCharts } from '../scripts/package';
import { CHARTS } from '../src/charts';
import { LINKERD_VERSION } from '../src/version';
import { helmBinary } from './support/helm';
import { scratchDir, writeValues } from './support/render';
import { REQUIRED_VALUES } from './fixtures/identity';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
const VALUES = REQUIRED_VALUES;
const digest = (file: string) => sha256(readFileSync(file));

describe('npm run package', () => {
  const dir = scratchDir('helm-repo');
  const progress: string[] = [];
  const archives = packageCharts(dir, (l) => progress.push(l));

  it('writes one archive per chart and an index whose versions match package.json', () => {
    expect(archives.map((a) => a.split('/').pop())).toEqual(Object.keys(CHARTS).map((n) => `${n}-${pkg.version}.tgz`));
    for (const a of archives) expect(existsSync(a)).toBe(true);
    const index = load(readFileSync(join(dir, 'index.yaml'), 'utf8')) as { entries: Record<string, { version: string; appVersion: string }[]> };
    expect(Object.keys(index.entries).sort()).toEqual(Object.keys(CHARTS).sort());
    // appVersion is what the chart installs: the Linkerd release, or the Gateway API release for gateway-api-crds.
    for (const [chart, entries] of Object.entries(index.entries)) expect(entries.map((e) => [e.version, e.appVersion])).toEqual([[pkg.version, CHARTS[chart].appVersion ?? LINKERD_VERSION]]);
    expect(progress.at(-1)).toMatch(/indexed/);
  });

  it('gives the same bytes when packaged again from another copy of the charts (files with other modification times)', () => {
    const copy = scratchDir('charts-copy');
    cpSync(join(__dirname, '..', 'charts'), copy, { recursive: true });
    const again = packageCharts(scratchDir('helm-repo-again'), () => {}, { chartsDir: copy });
    expect(again.map(digest)).toEqual(archives.map(digest));
    const index = load(readFileSync(join(dir, 'index.yaml'), 'utf8')) as { entries: Record<string, { digest: string }[]> };
    for (const a of archives) expect(`sha256:${index.entries[a.split('/').pop()!.replace(/-[^-]+\.tgz$/, '')][0].digest}`).toBe(digest(a));
  });

  it('writes no time and no owner into an archive', () => {
    for (const a of archives) {
      const listing = execFileSync('tar', ['-tvzf', a, '--numeric-owner', '--full-time'], { encoding: 'utf8' }).trim().split('\n');
      for (const line of listing) expect(line).toMatch(/^-rw-r--r-- 0\/0 +\d+ 1970-01-01 00:00:00 /);
    }
  });

  it.each(Object.keys(CHARTS))('%s installs from its archive (Helm 4 install --dry-run=client, Helm 3 template)', async (name) => {
    const archive = archives.find((a) => a.includes(`${name}-${pkg.version}`))!;
    const values = ['-f', writeValues(VALUES[name] ?? {})];
    const ns = ['-n', name === 'linkerd-viz' ? 'linkerd-viz' : name === 'linkerd-jaeger' ? 'linkerd-jaeger' : 'linkerd'];
    const helm4 = await run(helmBinary(4), ['install', '--dry-run=client', name, archive, ...ns, ...values], { maxBuffer: 1 << 28 });
    expect(helm4.stdout).toContain('STATUS: pending-install');
    expect(helm4.stdout).toMatch(/kind: /);
    const helm3 = await run(helmBinary(3), ['template', name, archive, ...ns, ...values], { maxBuffer: 1 << 28 });
    expect(helm3.stdout).toMatch(/kind: /);
  });
});
