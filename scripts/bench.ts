/**
 * npm run bench [-- --write] [-- --quick]
 *
 * One run measures, on this machine, as whole processes (medians of several runs, ratios taken
 * run by run from alternating pairs, so a drift of the machine's speed moves both sides):
 * - `cdk8s-linkerd template <chart>` (the built package, lib/) against `helm template` of our
 *   chart with the same values, Helm 3 and Helm 4, for every registered chart;
 * - `cdk8s-linkerd synth` and `npm run synth` against the sum of those Helm renders;
 * - a cold process's first synth of a control plane and viz, next to the second (warm) one;
 * - apps of N = 100, 1,000 and 10,000 cdk8s-plus Deployments, unmeshed, meshed by annotation
 *   and by manual injection: time, output, time per megabyte and peak memory.
 * Prints a table; `--write` also puts it into docs/performance.md (between the bench markers)
 * with the machine and its load described. `--quick` runs fewer repetitions and N up to 1,000.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHART_NAMES } from '../src/chart-registry';
import { helmBinary } from '../test/support/helm';
import { REQUIRED_VALUES } from '../test/fixtures/identity';

const root = join(__dirname, '..');
const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 7;
/** The values every chart is rendered with, on both sides: the defaults, plus identity for the control plane. */
const VALUES: Readonly<Record<string, object>> = REQUIRED_VALUES;
const scratch = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-bench-'));
const load0 = loadavg();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(0)} ms`;
const ratio = (x: number) => `${x.toFixed(2)}×`;

/** Wall milliseconds of one whole process (its output thrown away); throws when it fails. */
function wall(cmd: string[]): number {
  const t = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const d = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return d;
}

/** A and each B alternately, `runs` times after one warm-up: medians, and the median of A/B run by run. */
function paired(a: string[], bs: string[][], runs = RUNS): { a: number; b: number[]; ratio: number[] } {
  wall(a);
  for (const b of bs) wall(b);
  const ta: number[] = [];
  const tb: number[][] = bs.map(() => []);
  const rs: number[][] = bs.map(() => []);
  for (let i = 0; i < runs; i++) {
    const x = wall(a);
    ta.push(x);
    bs.forEach((b, j) => {
      const y = wall(b);
      tb[j].push(y);
      rs[j].push(x / y);
    });
  }
  return { a: median(ta), b: tb.map(median), ratio: rs.map(median) };
}

const checks: [string, boolean, string][] = [];

process.stderr.write('building lib/ (npm run build)\n');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
const cli = [process.execPath, join(root, 'scripts', 'bench-cli.js')];
const helm = { 3: helmBinary(3), 4: helmBinary(4) };

// 1. One chart: our CLI against Helm.
const tables: string[] = [];
const table = (title: string, head: string[], body: string[][]) =>
  tables.push([`### ${title}`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n'));
const helmSum = { 3: 0, 4: 0 };
const chartRows: string[][] = [];
for (const name of CHART_NAMES) {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(VALUES[name] ?? {}));
  const args = (bin: string[]) => [...bin, 'template', name, ...(bin === cli ? [] : [join(root, 'charts', name)]), '-n', 'linkerd', '-f', file];
  const r = paired(args(cli), [args([helm[3]]), args([helm[4]])]);
  helmSum[3] += r.b[0];
  helmSum[4] += r.b[1];
  chartRows.push([name, ms(r.a), ms(r.b[0]), ms(r.b[1]), ratio(r.ratio[0]), ratio(r.ratio[1])]);
  process.stderr.write(`${chartRows.at(-1)!.join(' | ')}\n`);
  checks.push([`\`cdk8s-linkerd template ${name}\` at most 0.5× \`helm template\``, Math.max(...r.ratio) <= 0.5, `${ratio(r.ratio[0])} of Helm 3, ${ratio(r.ratio[1])} of Helm 4`]);
}
table('One chart: `cdk8s-linkerd template` against `helm template` of our chart, the same values', ['chart', 'cdk8s-linkerd', 'Helm 3', 'Helm 4', 'ratio to Helm 3', 'ratio to Helm 4'], chartRows);

// 2. Every chart.
const synthOut = join(scratch, 'dist');
const synth = paired([...cli, 'synth', '-o', synthOut], [], RUNS).a;
const npmSynth = paired(['npm', 'run', 'synth', '--silent'], [], quick ? 1 : 3).a;
const allRows = [
  ['`cdk8s-linkerd synth` (raw YAML of every chart, built package)', ms(synth), ratio(synth / helmSum[3]), ratio(synth / helmSum[4])],
  ['`npm run synth` (npm, tsx and the sources: charts/, dist/, validators/)', ms(npmSynth), ratio(npmSynth / helmSum[3]), ratio(npmSynth / helmSum[4])],
  ['sum of the `helm template` renders above', `${ms(helmSum[3])} (Helm 3), ${ms(helmSum[4])} (Helm 4)`, '', ''],
];
table('Every chart, against the sum of the Helm renders', ['command', 'time', 'ratio to Helm 3', 'ratio to Helm 4'], allRows);
checks.push(['`npm run synth` at most 0.5× the sum of the Helm renders', npmSynth <= 0.5 * Math.min(helmSum[3], helmSum[4]), `${ratio(npmSynth / helmSum[3])} (Helm 3), ${ratio(npmSynth / helmSum[4])} (Helm 4); \`cdk8s-linkerd synth\` ${ratio(synth / helmSum[3])}, ${ratio(synth / helmSum[4])}`]);

// 3. Cold and warm synthesis in one process (the library as an app loads it).
type Cold = { sinceStart: number; nodeStart: number; load: number; first: number; second: number; bytes: number; peakMiB: number };
const child = (...args: string[]) => JSON.parse(execFileSync(process.execPath, [join(root, 'scripts', 'bench-child.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<string, number>;
const colds = Array.from({ length: RUNS }, () => child('cold') as unknown as Cold);
const med = (k: keyof Cold) => median(colds.map((c) => c[k]));
table('A control plane and viz in one process (`new App()`, `LinkerdControlPlane`, `LinkerdViz`, `synthYaml()`)', ['what', 'time'], [
  ['node start-up, until the script runs', ms(med('nodeStart'))],
  ['loading the library (`require` of lib/index.js, cdk8s)', ms(med('load'))],
  ['first synth (cold process: charts built and validated the first time, webhook keys)', ms(med('first'))],
  ['second synth (warm process)', ms(med('second'))],
  ['cold / warm', ratio(med('first') / med('second'))],
  ['whole process until the first synth is done', ms(med('sinceStart'))],
]);
checks.push(['a cold process\'s first synth of a control plane and viz under 1 s', med('first') < 1000, `${ms(med('first'))} (${ms(med('sinceStart'))} from the process's start)`]);

// 4. Apps at scale.
const scaleRows: string[][] = [];
let manualPerMB10k = NaN;
let unmeshedPerMB10k = NaN;
const sizes = quick ? [100, 1000] : [100, 1000, 10000];
for (const n of sizes) {
  const per: Record<string, number> = {};
  for (const mode of ['unmeshed', 'annotation', 'manual']) {
    const runs = Array.from({ length: n >= 10000 ? 1 : 3 }, () => child('app', String(n), mode));
    const t = median(runs.map((r) => r.ms));
    const mb = runs[0].bytes / 2 ** 20;
    per[mode] = t / mb;
    scaleRows.push([n.toLocaleString('en'), mode, ms(t), `${mb.toFixed(1)} MiB`, `${(t / mb).toFixed(0)} ms`, ratio(per[mode] / per.unmeshed), `${median(runs.map((r) => r.peakMiB)).toFixed(0)} MiB`]);
    process.stderr.write(`${scaleRows.at(-1)!.join(' | ')}\n`);
  }
  if (n === 10000) [manualPerMB10k, unmeshedPerMB10k] = [per.manual, per.unmeshed];
}
table('Apps of N cdk8s-plus Deployments, built and synthesized in a fresh process', ['N', 'mesh', 'time', 'output', 'time per MiB', 'per MiB, to unmeshed', 'peak memory'], scaleRows);
if (!quick) checks.push(['manual injection of 10,000 workloads at most 2× the unmeshed app\'s time per megabyte', manualPerMB10k <= 2 * unmeshedPerMB10k, ratio(manualPerMB10k / unmeshedPerMB10k)]);

rmSync(scratch, { recursive: true, force: true });
const load1 = loadavg();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, Helm ${execFileSync(helm[3], ['version', '--short'], { encoding: 'utf8' }).trim()} and ${execFileSync(helm[4], ['version', '--short'], { encoding: 'utf8' }).trim()}`;
const text = [
  `Measured by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}: ${machine}; load average ${load0.map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min) at the start, ${load1.map((l) => l.toFixed(1)).join(', ')} at the end${quick ? ' (`--quick`)' : ''}.`,
  `Whole processes, medians of ${RUNS} runs (3 for \`npm run synth\` and the apps, 1 at N = 10,000); ratios are medians of run-by-run ratios. Absolute times depend on the machine and its load: compare within one run.`,
  '',
  '### Must show (issue 18)',
  '',
  '| claim | holds | measured |',
  '| --- | --- | --- |',
  ...checks.map(([c, ok, m]) => `| ${c} | ${ok ? 'yes' : '**no**'} | ${m} |`),
  '',
  ...tables.flatMap((t) => [t, '']),
].join('\n');
process.stdout.write(`${text}\n`);
if (process.argv.includes('--write')) {
  const doc = join(root, 'docs', 'performance.md');
  const old = readFileSync(doc, 'utf8');
  const [start, end] = ['<!-- bench:start -->', '<!-- bench:end -->'];
  const i = old.indexOf(start);
  const j = old.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/performance.md has no ${start} … ${end} section`);
  writeFileSync(doc, `${old.slice(0, i + start.length)}\n${text}${old.slice(j)}`);
}
