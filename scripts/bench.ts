/**
 * npm run bench [-- --write] [-- --quick]
 *
 * One run measures, on this machine, as whole processes (medians of several runs, ratios taken
 * run by run from alternating pairs, so a drift of the machine's speed moves both sides), on the
 * Node that CI uses (Node 26 of the TOOLS table) against the Helms the project pins (TOOLS:
 * Helm 4.3.2, the newest Helm 4, and Helm 3.21.4):
 * - `cdk8s-linkerd --version` against `node -e 0` (the command as the package runs it: lib/'s
 *   bundles, scripts/bench-cli.js);
 * - `cdk8s-linkerd template <chart>` against `helm template` of our chart with the same values,
 *   for every registered chart;
 * - `cdk8s-linkerd synth` against the sum of `helm template` of the same charts and values
 *   (dist/'s), and `npm run synth`;
 * - the library in a user's cdk8s app: its `require` next to cdk8s's, and what a control plane
 *   and viz add to the app's synth;
 * - bad input (an alias bomb, a 5 MB string, a 10,000-key values file);
 * - a cold process's first synth of a control plane and viz, next to the second (warm) one;
 * - apps of N = 100, 1,000 and 10,000 cdk8s-plus Deployments, unmeshed, meshed by annotation
 *   and by manual injection: time, output, time per megabyte and peak memory.
 * Prints a table; `--write` also puts it into docs/performance.md (between the bench markers)
 * with the machine and its load described. `--quick` runs fewer repetitions and N up to 1,000.
 * Timings are only reported ("holds" / "does not hold"): no test fails on them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CHART_NAMES, DIST_CHARTS } from '../src/chart-registry';
import { toolPath } from './cluster/tools';
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

/** The pinned binaries (`npm run -s tools -- --print` unpacks or builds what is missing). */
const NODE = toolPath('node26', 'bin/node');
const helm = { 3: toolPath('helm3', 'helm'), 4: toolPath('helm4', 'helm') };
for (const bin of [NODE, helm[3], helm[4]]) if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run -s tools -- --print`);

/** Wall milliseconds of one whole process (its output thrown away); throws when it fails, unless `anyExit`. */
function wall(cmd: string[], anyExit = false): number {
  const t = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const d = performance.now() - t;
  if (r.status !== 0 && !anyExit) throw new Error(`${cmd.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return d;
}

/** A and each B alternately, `runs` times after one warm-up: medians, and the median of A/B run by run. */
function paired(a: string[], bs: string[][], runs = RUNS, anyExit = false): { a: number; b: number[]; ratio: number[] } {
  wall(a, anyExit);
  for (const b of bs) wall(b, anyExit);
  const ta: number[] = [];
  const tb: number[][] = bs.map(() => []);
  const rs: number[][] = bs.map(() => []);
  for (let i = 0; i < runs; i++) {
    const x = wall(a, anyExit);
    ta.push(x);
    bs.forEach((b, j) => {
      const y = wall(b, anyExit);
      tb[j].push(y);
      rs[j].push(x / y);
    });
  }
  return { a: median(ta), b: tb.map(median), ratio: rs.map(median) };
}

/** [claim, holds (or what checks it instead), measured]: the must-show lines of issue 28, then the earlier ones still measured. */
type Check = [string, boolean | string, string];
const checks: Check[] = [];
const earlier: Check[] = [];

process.stderr.write('building lib/ (npm run build)\n');
execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
const cli = [NODE, join(root, 'scripts', 'bench-cli.js')];

const tables: string[] = [];
const table = (title: string, head: string[], body: string[][]) =>
  tables.push([`### ${title}`, '', `| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n'));

// 1. Start-up: the command against Node itself.
const start = paired([...cli, '--version'], [[NODE, '-e', '0']]);
table('Start-up: `cdk8s-linkerd --version` against `node -e 0`', ['command', 'time', 'ratio to `node -e 0`'], [
  ['`cdk8s-linkerd --version`', ms(start.a), ratio(start.ratio[0])],
  ['`node -e 0`', ms(start.b[0]), ''],
]);
checks.push(['1. `cdk8s-linkerd --version` at most 1.5× `node -e 0`', start.ratio[0] <= 1.5, ratio(start.ratio[0])]);

// 2. One chart: our CLI against Helm.
/** Issue 28's bound of each chart's ratio to Helm 4: where Helm renders in about Node's start-up time, and where it has real work. */
const BOUND: Record<string, number> = { 'linkerd-crds': 1.5, 'linkerd-jaeger': 1.5, 'linkerd-control-plane': 0.6, 'linkerd-viz': 0.6 };
const chartRows: string[][] = [];
for (const name of CHART_NAMES) {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify(VALUES[name] ?? {}));
  const args = (bin: string[]) => [...bin, 'template', name, ...(bin === cli ? [] : [join(root, 'charts', name)]), '-n', 'linkerd', '-f', file];
  const r = paired(args(cli), [args([helm[4]]), args([helm[3]])]);
  chartRows.push([name, ms(r.a), ms(r.b[0]), ms(r.b[1]), ratio(r.ratio[0]), ratio(r.ratio[1])]);
  process.stderr.write(`${chartRows.at(-1)!.join(' | ')}\n`);
  if (BOUND[name] !== undefined) checks.push([`2. \`cdk8s-linkerd template ${name}\` at most ${BOUND[name]}× \`helm template\` (Helm 4)`, r.ratio[0] <= BOUND[name], `${ratio(r.ratio[0])} (Helm 3: ${ratio(r.ratio[1])})`]);
}
table('One chart: `cdk8s-linkerd template` against `helm template` of our chart, the same values', ['chart', 'cdk8s-linkerd', 'Helm 4', 'Helm 3', 'ratio to Helm 4', 'ratio to Helm 3'], chartRows);

// 3. Every chart: `synth` against Helm's renders of the same charts with the same values (dist/'s).
const synthOut = join(scratch, 'dist');
const synthCmd = [...cli, 'synth', '-o', synthOut];
const distRenders = (h: string) =>
  Object.entries(DIST_CHARTS).map(([name, dist]) => {
    const file = join(scratch, `dist-${name}.json`);
    writeFileSync(file, JSON.stringify(dist.values));
    return [h, 'template', name, join(root, 'charts', name), '-n', dist.namespace, '-f', file];
  });
const helmDist = { 4: distRenders(helm[4]), 3: distRenders(helm[3]) };
const sumOf = (cmds: string[][]) => cmds.reduce((t, c) => t + wall(c), 0);
wall(synthCmd);
sumOf(helmDist[4]);
sumOf(helmDist[3]);
const synthRuns = Array.from({ length: RUNS }, () => {
  const x = wall(synthCmd);
  const h4 = sumOf(helmDist[4]);
  const h3 = sumOf(helmDist[3]);
  return { x, h4, h3 };
});
const synth = median(synthRuns.map((r) => r.x));
const helmSum = { 4: median(synthRuns.map((r) => r.h4)), 3: median(synthRuns.map((r) => r.h3)) };
const synthRatio = { 4: median(synthRuns.map((r) => r.x / r.h4)), 3: median(synthRuns.map((r) => r.x / r.h3)) };
const npmSynth = paired(['npm', 'run', 'synth', '--silent'], [], quick ? 1 : 3).a;
table(`Every chart (${Object.keys(DIST_CHARTS).length}, with dist/'s values), against the sum of the Helm renders of the same charts and values`, ['command', 'time', 'ratio to Helm 4', 'ratio to Helm 3'], [
  ['`cdk8s-linkerd synth` (raw YAML of every chart, built package)', ms(synth), ratio(synthRatio[4]), ratio(synthRatio[3])],
  ['`npm run synth` (npm, tsx and the sources: charts/, dist/, validators/; a development command)', ms(npmSynth), ratio(npmSynth / helmSum[4]), ratio(npmSynth / helmSum[3])],
  ['sum of the `helm template` renders', `${ms(helmSum[4])} (Helm 4), ${ms(helmSum[3])} (Helm 3)`, '', ''],
]);
checks.push(['3. `cdk8s-linkerd synth` at most 0.5× the summed `helm template` renders of the same charts and values (Helm 4)', synthRatio[4] <= 0.5, `${ratio(synthRatio[4])} (Helm 3: ${ratio(synthRatio[3])})`]);

const child = (...args: string[]) => JSON.parse(execFileSync(NODE, [join(root, 'scripts', 'bench-child.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })) as Record<string, number>;

// 4. The library in a user's cdk8s app.
const imports = Array.from({ length: RUNS }, () => child('import'));
const importRatio = median(imports.map((r) => r.lib / r.cdk8s));
const apps = Array.from({ length: RUNS }, () => [child('synth', 'bare'), child('synth', 'mesh')]);
const added = median(apps.map(([bare, mesh]) => mesh.synth - bare.synth));
table('The library in a user\'s cdk8s app (fresh processes, lib/index.js)', ['what', 'time'], [
  ['`require(\'cdk8s\')`', ms(median(imports.map((r) => r.cdk8s)))],
  ['then `require` of the package (what it adds)', `${ms(median(imports.map((r) => r.lib)))} (${ratio(importRatio)} of cdk8s's)`],
  ['synth of an app of one chart and a ConfigMap', ms(median(apps.map(([bare]) => bare.synth)))],
  ['the same app with `LinkerdControlPlane` and `LinkerdViz`: build and synth', ms(median(apps.map(([, mesh]) => mesh.synth)))],
  ['what the control plane and viz add', ms(added)],
  ['of which cdk8s\'s YAML writer (`app.synthYaml()`) spends on their objects', ms(median(apps.map(([bare, mesh]) => mesh.yaml - bare.yaml)))],
  ['what they add when the same process builds and synthesizes the app again (every module loaded and compiled)', ms(median(apps.map(([bare, mesh]) => mesh.warm - bare.warm)))],
  ['of which cdk8s\'s YAML writer, again', ms(median(apps.map(([bare, mesh]) => mesh.warmYaml - bare.warmYaml)))],
]);
checks.push(['4. in a cdk8s app, `require` of the package adds at most what `require(\'cdk8s\')` takes', importRatio <= 1, `${ratio(importRatio)}`]);
checks.push(['4. building a control plane + viz adds at most 150 ms to the app\'s synth', added <= 150, ms(added)]);

// 5. Bad input stays cheap.
const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n`;
const BAD: [string, string, string][] = [
  ['the YAML alias bomb (9 levels of 9)', 'linkerd-crds', bomb],
  ['a 5 MB string (a control-plane pod annotation)', 'linkerd-control-plane', `podAnnotations:\n  example.com/big: "${'x'.repeat(5 * 2 ** 20)}"\n`],
  ['a 10,000-key values file (control-plane pod annotations)', 'linkerd-control-plane', `podAnnotations:\n${Array.from({ length: 10000 }, (_, i) => `  example.com/k${i}: v${i}\n`).join('')}`],
];
const badRows: string[][] = [];
let worst = 0;
for (const [what, chart, text] of BAD) {
  const file = join(scratch, 'bad.yaml');
  writeFileSync(file, text);
  const identity = join(scratch, `${chart}.json`);
  const args = (bin: string[]) => [...bin, 'template', chart, ...(bin === cli ? [] : [join(root, 'charts', chart)]), '-n', 'linkerd', '-f', identity, '-f', file];
  const outcome = spawnSync(args(cli)[0], args(cli).slice(1), { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 }).status === 0 ? 'rendered' : 'refused';
  const r = paired(args(cli), [args([helm[4]])], quick ? 1 : 3, true);
  worst = Math.max(worst, r.a);
  badRows.push([what, outcome, ms(r.a), ms(r.b[0])]);
}
table('Bad input: `cdk8s-linkerd template` and `helm template` (Helm 4) of the same file', ['input', 'cdk8s-linkerd', 'time', 'Helm 4'], badRows);
checks.push(['5. the alias bomb, a 5 MB string and a 10,000-key values file refused or rendered within 1 s each', worst <= 1000, `at most ${ms(worst)}`]);
checks.push([
  '6. nothing observable changes (byte-identical outputs, the same errors, the packed package)',
  'not measured here',
  'the differential tests (`grep -rl helmBinary test/`) and test/packed-install.test.ts check it',
]);

// 3. Cold and warm synthesis in one process (the library as an app loads it).
type Cold = { sinceStart: number; nodeStart: number; load: number; first: number; second: number; bytes: number; peakMiB: number };
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
earlier.push(['a cold process\'s first synth of a control plane and viz under 1 s', med('first') < 1000, `${ms(med('first'))} (${ms(med('sinceStart'))} from the process's start)`]);

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
if (!quick) earlier.push(['manual injection of 10,000 workloads at most 2× the unmeshed app\'s time per megabyte', manualPerMB10k <= 2 * unmeshedPerMB10k, ratio(manualPerMB10k / unmeshedPerMB10k)]);

rmSync(scratch, { recursive: true, force: true });
const load1 = loadavg();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()}, Helm ${execFileSync(helm[4], ['version', '--short'], { encoding: 'utf8' }).trim()} and ${execFileSync(helm[3], ['version', '--short'], { encoding: 'utf8' }).trim()}`;
const rows = (cs: Check[]) => cs.map(([c, ok, m]) => `| ${c} | ${typeof ok === 'string' ? ok : ok ? 'holds' : '**does not hold**'} | ${m} |`);
const text = [
  `Measured by \`npm run bench -- --write\` on ${new Date().toISOString().slice(0, 10)}: ${machine}; load average ${load0.map((l) => l.toFixed(1)).join(', ')} (1, 5, 15 min) at the start, ${load1.map((l) => l.toFixed(1)).join(', ')} at the end${quick ? ' (`--quick`)' : ''}.`,
  `Whole processes, medians of ${RUNS} runs (3 for \`npm run synth\`, the bad input and the apps, 1 at N = 10,000); ratios are medians of run-by-run ratios. Absolute times depend on the machine and its load: compare within one run.`,
  '',
  '### Must show (issue 28)',
  '',
  '| claim | holds | measured |',
  '| --- | --- | --- |',
  ...rows(checks),
  '',
  '### Earlier claims (issue 18)',
  '',
  '| claim | holds | measured |',
  '| --- | --- | --- |',
  ...rows(earlier),
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
