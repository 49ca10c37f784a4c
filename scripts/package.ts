/**
 * npm run package [-- -o DIR]
 *
 * Packages every chart in charts/ with the pinned Helm into a Helm repository folder
 * (default helm-repo/): one `<chart>-<version>.tgz` per chart and an `index.yaml`. The archives
 * are reproducible (scripts/chart-archive.ts): packaging the same charts again gives the same
 * bytes. Chart versions follow package.json; appVersion is the Linkerd version (docs/releases.md).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHARTS } from '../src/charts';
import { CHART_VERSION } from '../src/version';
import { helmBinary } from '../test/support/helm';
import { reproducible } from './chart-archive';

const root = join(__dirname, '..');

export interface PackageOptions {
  /** Where the charts are (default: charts/). */
  chartsDir?: string;
}

/** Packages the charts into `dir` and indexes it; returns the archives' paths. */
export function packageCharts(dir: string, progress: (line: string) => void = () => {}, options: PackageOptions = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const helm = helmBinary(3);
  const names = Object.keys(CHARTS);
  const work = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-package-'));
  try {
    const archives = names.map((name, i) => {
      execFileSync(helm, ['package', join(options.chartsDir ?? join(root, 'charts'), name), '--destination', work], { stdio: 'pipe' });
      const file = `${name}-${CHART_VERSION}.tgz`;
      const archive = join(dir, file);
      writeFileSync(archive, reproducible(readFileSync(join(work, file))));
      progress(`[${i + 1}/${names.length + 1}] packaged ${archive}`);
      return archive;
    });
    execFileSync(helm, ['repo', 'index', dir], { stdio: 'pipe' });
    progress(`[${names.length + 1}/${names.length + 1}] indexed ${join(dir, 'index.yaml')}`);
    return archives;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const i = process.argv.findIndex((a) => a === '-o' || a === '--output-dir');
  const dir = resolve(i >= 0 ? process.argv[i + 1] : join(root, 'helm-repo'));
  packageCharts(dir, (l) => process.stderr.write(`${l}\n`));
}
