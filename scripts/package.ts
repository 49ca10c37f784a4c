/**
 * npm run package [-- -o DIR]
 *
 * Packages every chart in charts/ with the pinned Helm into a Helm repository folder
 * (default helm-repo/): one `<chart>-<version>.tgz` per chart and an `index.yaml`. Chart
 * versions follow package.json; appVersion is the Linkerd version.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHARTS } from '../src/charts';
import { CHART_VERSION } from '../src/version';
import { helmBinary } from '../test/support/helm';

const root = join(__dirname, '..');

/** Packages the charts into `dir` and indexes it; returns the archives' paths. */
export function packageCharts(dir: string, progress: (line: string) => void = () => {}): string[] {
  mkdirSync(dir, { recursive: true });
  const helm = helmBinary(3);
  const names = Object.keys(CHARTS);
  const archives = names.map((name, i) => {
    execFileSync(helm, ['package', join(root, 'charts', name), '--destination', dir], { stdio: 'pipe' });
    const archive = join(dir, `${name}-${CHART_VERSION}.tgz`);
    progress(`[${i + 1}/${names.length + 1}] packaged ${archive}`);
    return archive;
  });
  execFileSync(helm, ['repo', 'index', dir], { stdio: 'pipe' });
  progress(`[${names.length + 1}/${names.length + 1}] indexed ${join(dir, 'index.yaml')}`);
  return archives;
}

if (require.main === module) {
  const i = process.argv.findIndex((a) => a === '-o' || a === '--output-dir');
  const dir = resolve(i >= 0 ? process.argv[i + 1] : join(root, 'helm-repo'));
  packageCharts(dir, (l) => process.stderr.write(`${l}\n`));
}
