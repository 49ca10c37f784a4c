/**
 * `cdk8s-linkerd check`: the offline checks of src/check/offline.ts on values given as `template`
 * takes them, with each finding traced back to the file or flag that set its key.
 *
 * Exit codes: 0 no finding; 1 an error (or invalid input); 3 warnings only; 2 bad usage.
 */
import { CHART_NAMES, loadChart } from '../chart-registry';
import { CHECKS, CONTROL_PLANE, DEFAULT_EXPIRY_WINDOW_SECONDS, checkOffline, mergeReports, type CheckReport, type Finding } from '../check/offline';
import { goDurationSeconds } from '../mesh/annotations';
import { parseFlags } from './flags';
import { InputError, UsageError, userValues, valueOptions, type Io } from './main';

export const CHECK_HELP = `Usage: cdk8s-linkerd check [flags]

Checks a mesh's values before anything is applied: the control plane's values (as 'template'
reads them) and, with --chart-values, the extensions' values against them. It finds
certificates that expire soon, an issuer that the proxies' certificates would outlive, trust
and cluster domains that disagree, extensions pointed at another namespace, HA settings that
do not protect anything, and CNI ports or proxy user that differ from the proxy's.

Flags:
  -f, --values FILE        control-plane values file (repeatable; later files win)
      --set, --set-string, --set-json, --set-file K=V   control-plane values, as for 'template'
  -n, --namespace NS       the control plane's namespace (default "linkerd")
      --chart-values CHART=FILE  another chart's values file (repeatable), e.g. linkerd-viz=viz.yaml
      --expiry-window DUR  warn about certificates expiring within DUR (default 30d; e.g. 720h, 14d)
      --kubeconfig FILE    check the live cluster instead (or as well, with values flags): installed
                           CRDs, webhook caBundles, the issuer vs. the trust roots, linkerd-config vs.
                           the Helm release, proxy versions, Pod Security labels, rotation phase
      --context NAME       the kubeconfig's context (default: its current context)
  -o, --output FORMAT      human (default) or json
  -h, --help               this help

Exit codes: 0 no finding, 1 errors (or invalid input), 3 warnings only, 2 bad usage.
`;

/** Where a values key came from: a file, or the flag that set it. */
type Sources = { path: string[]; source: string }[];

function leafPaths(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) return [prefix];
  return Object.entries(v).flatMap(([k, x]) => leafPaths(x, [...prefix, k]));
}

/** Each -f file's keys and each --set-file key, in Helm's order (the last to set a key wins). */
function sourcesOf(io: Io, flags: Record<string, unknown>): Sources {
  const sources: Sources = [];
  for (const file of (flags.values as string[] | undefined) ?? []) {
    for (const path of leafPaths(userValues(io, { values: [file] }))) sources.push({ path, source: file });
  }
  for (const kind of ['set-json', 'set', 'set-string', 'set-file'] as const) {
    for (const expr of (flags[kind] as string[] | undefined) ?? []) {
      // --set a=1,b=2 sets two keys; a --set-file value is a path (its commas are the path's).
      for (const part of kind === 'set-file' ? [expr] : expr.split(',')) {
        const eq = part.indexOf('=');
        if (eq > 0) sources.push({ path: part.slice(0, eq).split('.'), source: kind === 'set-file' ? part.slice(eq + 1) : `--${kind}` });
      }
    }
  }
  return sources;
}

function sourceOf(sources: Sources, key: string | undefined): string | undefined {
  if (!key) return undefined;
  const path = key.split('.');
  const related = (p: string[]) => p.every((k, i) => i >= path.length || path[i] === k) || path.every((k, i) => p[i] === k);
  return sources.filter((s) => related(s.path)).pop()?.source;
}

/** A file whose top-level keys are mostly another chart's: one line saying which chart it fits. */
async function wrongChartHint(io: Io, file: string, chart: string): Promise<string | undefined> {
  const keys = Object.keys(userValues(io, { values: [file] }));
  const schemas = new Map<string, Set<string>>();
  for (const name of CHART_NAMES) schemas.set(name, new Set(Object.keys((await loadChart(name)).values.properties)));
  const theirs = (name: string, key: string) => schemas.get(name)!.has(key);
  const ours = schemas.get(chart)!;
  const foreign = keys.filter((k) => !ours.has(k));
  if (foreign.length === 0 || foreign.length * 2 < keys.length) return undefined;
  const fits: string[] = [];
  for (const other of CHART_NAMES.filter((n) => n !== chart)) if (keys.every((k) => theirs(other, k))) fits.push(other);
  if (fits.length === 0) return undefined;
  const flag = fits[0] === CONTROL_PLANE ? `-f ${file}` : `--chart-values ${fits[0]}=${file}`;
  return `${file}: not ${chart} values (unknown keys: ${foreign.slice(0, 5).join(', ')}); they fit ${fits.join(' or ')}: pass them as ${flag}`;
}

/** --expiry-window: a Go duration (720h) or a number of days (30d). */
function windowSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_EXPIRY_WINDOW_SECONDS;
  const daysOnly = /^(\d+)d$/.exec(text);
  const seconds = daysOnly ? Number(daysOnly[1]) * 86400 : goDurationSeconds(text);
  if (seconds === undefined || seconds < 0) throw new UsageError(`--expiry-window ${JSON.stringify(text)}: expected a duration such as 30d or 720h`);
  return seconds;
}

function chartValues(io: Io, specs: string[]): { values: Record<string, Record<string, unknown>>; files: Record<string, string[]> } {
  const files: Record<string, string[]> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const chart = spec.slice(0, eq);
    if (eq <= 0 || !CHART_NAMES.includes(chart) || chart === CONTROL_PLANE) {
      throw new UsageError(`--chart-values ${spec}: expected CHART=FILE with CHART one of ${CHART_NAMES.filter((n) => n !== CONTROL_PLANE).join(', ')}`);
    }
    (files[chart] ??= []).push(spec.slice(eq + 1));
  }
  const values = Object.fromEntries(Object.entries(files).map(([chart, fs]) => [chart, userValues(io, { values: fs })]));
  return { values, files };
}

function human(report: CheckReport, where: (f: Finding) => string | undefined): string {
  const lines = report.findings.map((f) => {
    const from = where(f);
    const about = f.key ? `${f.key}${from ? ` (from ${from})` : ''}: ` : f.object ? `${f.object}: ` : '';
    return `${f.severity.padEnd(7)} ${f.chart}: ${about}${f.message}`;
  });
  const count = (s: string) => report.findings.filter((f) => f.severity === s).length;
  const passed = report.checks.filter((c) => c.status === 'ok').map((c) => `ok      ${c.title}`);
  return [...passed, ...lines, `${report.checks.length} checks: ${count('error')} errors, ${count('warning')} warnings`].join('\n') + '\n';
}

export async function checkCommand(args: string[], io: Io): Promise<number> {
  const { values: flags, positionals } = parseFlags('check', args, {
    ...valueOptions,
    namespace: { type: 'string', short: 'n' },
    'chart-values': { type: 'string', multiple: true },
    'expiry-window': { type: 'string' },
    output: { type: 'string', short: 'o' },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
  });
  if (flags.help) return io.stdout(CHECK_HELP), 0;
  if (positionals.length > 0) throw new UsageError(`check takes no arguments (got ${positionals.join(' ')}); other charts' values go in --chart-values CHART=FILE`);
  const output = (flags.output as string | undefined) ?? 'human';
  if (output !== 'human' && output !== 'json') throw new UsageError(`--output ${JSON.stringify(output)}: expected human or json`);
  const expiryWindowSeconds = windowSeconds(flags['expiry-window'] as string | undefined);
  const others = chartValues(io, (flags['chart-values'] as string[] | undefined) ?? []);
  const kubeconfig = flags.kubeconfig as string | undefined;
  if (flags.context !== undefined && kubeconfig === undefined) throw new UsageError('--context needs --kubeconfig FILE');
  const namespace = (flags.namespace as string | undefined) ?? 'linkerd';
  const valuesGiven = ['values', 'set', 'set-string', 'set-json', 'set-file', 'chart-values'].some((k) => flags[k] !== undefined);
  let report: CheckReport | undefined;
  if (kubeconfig === undefined || valuesGiven) {
    report = await checkOffline({ controlPlane: userValues(io, flags), namespace, charts: others.values, expiryWindowSeconds });
  }
  if (kubeconfig !== undefined) {
    const live = await liveReport(kubeconfig, flags.context as string | undefined, namespace, expiryWindowSeconds);
    report = report ? mergeReports(report, live) : live;
  }
  if (!report) throw new Error('no check ran');
  const cpSources = sourcesOf(io, flags);
  const chartSources = Object.fromEntries(Object.entries(others.files).map(([c, fs]) => [c, sourcesOf(io, { values: fs })]));
  const where = (f: Finding) => sourceOf(f.chart === CONTROL_PLANE ? cpSources : (chartSources[f.chart] ?? []), f.key);
  if (report.findings.some((f) => f.check === 'values')) {
    const files = [...((flags.values as string[] | undefined) ?? []).map((file) => [file, CONTROL_PLANE]), ...Object.entries(others.files).flatMap(([c, fs]) => fs.map((file) => [file, c]))];
    const hints = (await Promise.all(files.map(([file, chart]) => wrongChartHint(io, file, chart)))).filter((h): h is string => h !== undefined);
    if (hints.length > 0) throw new InputError(hints);
  }
  const json = { ...report, findings: report.findings.map((f) => ({ ...f, source: where(f) })) };
  io.stdout(output === 'json' ? `${JSON.stringify(json, null, 2)}\n` : human(report, where));
  return report.status === 'error' ? 1 : report.status === 'warning' ? 3 : 0;
}

/** The live checks (loaded only with --kubeconfig); a cluster that cannot be read is one input error. */
async function liveReport(kubeconfig: string, context: string | undefined, namespace: string, expiryWindowSeconds: number): Promise<CheckReport> {
  const { Kube, ClusterError } = await import('../check/kube');
  try {
    const kube = await Kube.connect(kubeconfig, { context });
    return await (await import('../check/live')).checkLive({ kube, namespace, expiryWindowSeconds });
  } catch (e) {
    if (e instanceof ClusterError) throw new InputError([e.message]);
    throw e;
  }
}

export { CHECKS };
