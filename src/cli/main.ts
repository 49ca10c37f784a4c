/**
 * The `cdk8s-linkerd` command.
 *
 * Exit codes: 0 success; 1 invalid input (values, values files, --set syntax);
 * 2 bad usage (unknown command, chart or flag); 3 `check` found warnings only; 70 internal error
 * (a bug: please report).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CHART_NAMES, DIST_CHARTS, UnknownChartError, loadChart } from '../chart-registry';
import { DEFAULT_RELEASE, ValuesError, helmOrder, mergeUserValues, renderObjects, resolveValues } from '../helm/chart';
import type { ArgoCdOptions } from '../argocd';
import { trustDomainProblem } from '../certs/identity';
import { formatProblem } from '../values/model';
import { SetSyntaxError, applySet, type SetKind } from '../values/set';
import { YamlValuesError, decodeValuesBytes, mergeMaps, readValuesYaml } from '../values/yaml';
import { FlagError, parseFlags, type FlagSpec, type Flags } from './flags';
import { writeManifest } from './manifest';
import { LINKERD_VERSION, CHART_VERSION, versionLine } from '../version';

/*
 * What only some commands use is loaded by those commands (docs/performance.md): `template` and
 * `validate` load one chart and nothing that writes folders, Argo CD Applications or certificates.
 */
const outputs = () => import('../outputs');

/** Bad command-line usage (exit code 2): an unknown command, chart or flag. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Bad input from the user (exit code 1): one line per problem. */
export class InputError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'InputError';
  }
}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (path: string) => string;
  /** A values file's bytes (decoded as Helm decodes them); without it, readFile's text is used. */
  readBytes?: (path: string) => Uint8Array;
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readFile: (p) => readFileSync(p === '-' ? 0 : p, 'utf8'),
  readBytes: (p) => readFileSync(p === '-' ? 0 : p),
};

const VALUE_FLAGS = `  -f, --values FILE        values file (repeatable; later files win; - reads stdin), read as Helm 4 reads it
      --set K=V            set a value (repeatable; a.b=c,list={x,y},typed like Helm)
      --set-string K=V     set a string value (repeatable)
      --set-json K=JSON    set a JSON value (repeatable; a={"x":1},b=[1,2])
      --set-file K=PATH    set a value to a file's content (repeatable)
                           Helm's order: files, then --set-json, --set, --set-string, --set-file`;

const HELP: Record<string, string> = {
  main: `cdk8s-linkerd ${CHART_VERSION}: Linkerd ${LINKERD_VERSION} as cdk8s constructs, Helm charts and raw YAML

Usage: cdk8s-linkerd <command> [flags]

Commands:
  template <chart>   render a chart's manifests to stdout, like 'helm template'
  validate <chart>   check values only
  check              check a mesh's values before applying them (certificates, domains, HA, CNI)
  synth              render every chart's raw YAML into a folder (default dist/)
  charts             write every Helm chart into a folder (default charts/)
  certs              create a trust anchor and issuer for Linkerd identity
  certs rotate       plan a trust-anchor or issuer rotation as phases to apply one at a time
  diff [NAME] <chart>  what these values would change on a live cluster (server-side dry run)
  upgrade-plan       what upgrading the installed releases to a target would do, in order
  argocd             write Argo CD Applications (app of apps) that deploy dist/

Charts: ${CHART_NAMES.join(', ')}
Run 'cdk8s-linkerd <command> --help' for a command's flags.
Exit codes: 0 ok, 1 invalid input (or check errors), 2 bad usage, 3 check warnings only, 70 internal error.
`,
  template: `Usage: cdk8s-linkerd template [NAME] <chart> [flags]

Renders the chart's manifests to stdout, as 'helm template NAME charts/<chart>' renders them.

Flags:
${VALUE_FLAGS}
  -n, --namespace NS       release namespace (default "${DEFAULT_RELEASE.namespace}")
      --release-name NAME  release name, as NAME (default "${DEFAULT_RELEASE.name}"); a lower-case DNS
                           name of at most 53 characters, as Helm requires. Without a name (followed
                           by a flag, the chart or nothing): Helm's switch, the name in --output-dir
  -s, --show-only PATH     only the documents of this template (templates/x.yaml or a glob; repeatable)
      --output-dir DIR     write each template to DIR/<chart>/templates/<file> instead of stdout;
                           a file there that is not a rendered template is kept unless --force
      --force              with --output-dir: replace such files
      --kube-version V     Kubernetes version to render for (checked against the chart's kubeVersion)
  -a, --api-versions G/V   API versions the cluster serves (repeatable; no template reads them)
  -h, --help               this help
`,
  validate: `Usage: cdk8s-linkerd validate <chart> [flags]

Checks values against the chart's schema and cross-field rules; prints one line per problem.

Flags:
${VALUE_FLAGS}
  -h, --help               this help
`,
  synth: `Usage: cdk8s-linkerd synth [flags]

Renders every chart's raw manifests into DIR/<chart>/ (with a kustomization.yaml).
DIR/.cdk8s-linkerd-synth records the files written; the next run replaces them, removes
those it no longer writes and leaves every other file alone. A file it did not write at a
path it writes stops it before anything is written, unless --force.

Flags:
  -f, --values FILE        a YAML map from chart name to that chart's values (repeatable)
  -o, --output-dir DIR     output folder (default "dist")
      --force              replace files it did not write at the paths it writes
  -h, --help               this help
`,
  certs: `Usage: cdk8s-linkerd certs -o DIR [flags]

Creates an ECDSA P-256 trust anchor (ca.crt, ca.key) and an issuer signed by it
(issuer.crt, issuer.key) in DIR, for a quick start. Private keys are written with mode 0600.
If DIR already holds any of these files, nothing is written unless --force.
For production, prefer identity.externalCA with cert-manager.

Flags:
  -o, --output-dir DIR     output folder (required)
      --trust-domain NAME  identity trust domain (default "cluster.local")
      --force              replace ca.crt, ca.key, issuer.crt, issuer.key already in DIR
  -h, --help               this help
`,
  argocd: `Usage: cdk8s-linkerd argocd --repo URL --revision REF [flags]

Writes Argo CD objects that deploy dist/ from a Git repository (app of apps): DIR/root.yaml
(apply it once), DIR/apps/ (the AppProject and one Application per dist/ folder, with sync
waves in install order) and DIR/argocd-cm-patch.yaml (merge it into argocd-cm so that Argo CD
waits for the control plane's health before the extensions:
kubectl -n argocd patch configmap argocd-cm --patch-file DIR/argocd-cm-patch.yaml).

root.yaml points Argo CD at DIR/apps by its path in the repository: DIR's path in the Git
work tree that holds it, else under the current folder; --apps-path gives it otherwise.
DIR/.cdk8s-linkerd-argocd records the files written; the next run replaces them, removes
those it no longer writes and leaves every other file alone. A file it did not write at a
path it writes stops it before anything is written, unless --force.

Flags:
      --repo URL           Git repository that holds dist/ (required; https://, ssh://, user@host:path)
      --revision REF       branch, tag or commit to follow (required)
      --path DIR           where dist/ is in the repository (default "dist")
      --apps-path PATH     where DIR/apps is in the repository (default: worked out from -o)
      --argocd-namespace NS  Argo CD's namespace (default "argocd")
      --project NAME       AppProject name (default "linkerd")
  -o, --output-dir DIR     output folder (default "<path>/argocd")
      --force              replace files it did not write at the paths it writes
  -h, --help               this help
`,
  charts: `Usage: cdk8s-linkerd charts [flags]

Writes every Helm chart into DIR/<chart>/. DIR/.cdk8s-linkerd-charts records the files
written; the next run replaces them, removes those it no longer writes and leaves every
other file alone. A file it did not write at a path it writes stops it before anything is
written, unless --force.

Flags:
  -o, --output-dir DIR     output folder (default "charts")
      --force              replace files it did not write at the paths it writes
  -h, --help               this help
`,
};

const sourceName = (path: string) => (path === '-' ? 'stdin' : path);

function readText(io: Io, path: string, bytes = false): string {
  try {
    if (bytes && io.readBytes) return decodeValuesBytes(io.readBytes(path));
    return io.readFile(path);
  } catch (e) {
    if (e instanceof YamlValuesError) throw new InputError([`${sourceName(path)}: not valid YAML: ${e.message}`]);
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a folder, not a file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new InputError([`${sourceName(path)}: cannot read: ${why}`]);
  }
}

/** A values file (or a `synth -f` map), read as Helm 4 reads values files (src/values/yaml.ts). */
function readYamlMap(io: Io, path: string): Record<string, unknown> {
  const text = readText(io, path, true);
  try {
    return readValuesYaml(text);
  } catch (e) {
    if (e instanceof YamlValuesError) throw new InputError([`${sourceName(path)}: ${e.notAMap ? '' : 'not valid YAML: '}${e.message}`]);
    throw e;
  }
}

interface ValueFlags {
  values?: string[];
  set?: string[];
  'set-string'?: string[];
  'set-json'?: string[];
  'set-file'?: string[];
}

/**
 * User values from the flags, in Helm's order: the files merged (later wins, maps merge key by
 * key), then --set-json, --set, --set-string and --set-file applied into them.
 */
export function userValues(io: Io, flags: ValueFlags | Flags): Record<string, unknown> {
  const f = flags as ValueFlags;
  let values: Record<string, unknown> = {};
  for (const file of f.values ?? []) values = mergeMaps(values, readYamlMap(io, file));
  const kinds: [SetKind, string[] | undefined][] = [
    ['set-json', f['set-json']],
    ['set', f.set],
    ['set-string', f['set-string']],
    ['set-file', f['set-file']],
  ];
  try {
    for (const [kind, exprs] of kinds) for (const e of exprs ?? []) applySet(values, e, kind, io.readFile);
  } catch (e) {
    if (e instanceof SetSyntaxError) throw new InputError([e.message]);
    throw e;
  }
  return values;
}

export const valueOptions: FlagSpec = {
  values: { type: 'string', short: 'f', multiple: true },
  set: { type: 'string', multiple: true },
  'set-string': { type: 'string', multiple: true },
  'set-json': { type: 'string', multiple: true },
  'set-file': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
};

const parse = parseFlags;

async function resolveOrFail(chart: string, user: Record<string, unknown>) {
  const def = await loadChart(chart);
  try {
    return { def, values: resolveValues(def, user) };
  } catch (e) {
    if (e instanceof ValuesError) throw new InputError(e.problems.map((p) => `${chart}: ${formatProblem(p)}`));
    throw e;
  }
}

function oneChart(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one chart (charts: ${CHART_NAMES.join(', ')})`);
  return positionals[0];
}

/**
 * Where `dir` is in its repository: its path in the Git work tree that holds it (a folder
 * with `.git`), else under the current folder; undefined when neither holds it.
 */
async function repositoryPath(dir: string): Promise<string | undefined> {
  const { inside } = await outputs();
  for (let cur = dir; ; cur = dirname(cur)) {
    if (existsSync(join(cur, '.git'))) return inside(cur, dir);
    if (dirname(cur) === cur) break;
  }
  return inside(process.cwd(), dir);
}

/** One command: its arguments after the command's name; resolves to the exit code. */
type Command = (rest: string[], io: Io) => Promise<number>;

/** `template`'s flags, beside the value flags. */
const templateOptions: FlagSpec = {
  ...valueOptions,
  namespace: { type: 'string', short: 'n' },
  'release-name': { type: 'string' },
  'output-dir': { type: 'string' },
  'show-only': { type: 'string', short: 's', multiple: true },
  'kube-version': { type: 'string' },
  'api-versions': { type: 'string', short: 'a', multiple: true },
  force: { type: 'boolean' },
};

/**
 * `template`'s arguments: Helm's --release-name is a switch (the release name in the
 * --output-dir path); ours also takes a name: it is the switch when what follows is a flag, a
 * chart or nothing.
 */
function templateArgs(rest: string[]) {
  const at = rest.findIndex((a, i) => a === '--release-name' && (i + 1 === rest.length || rest[i + 1].startsWith('-') || CHART_NAMES.includes(rest[i + 1])));
  const nameInPath = at >= 0;
  const { values, positionals } = parse('template', nameInPath ? rest.filter((_, i) => i !== at) : rest, templateOptions);
  return { values, positionals, nameInPath };
}

/** The chart and release name of `template [NAME] CHART [--release-name NAME]`. */
function templateRelease(positionals: string[], values: Flags): { chart: string; name: string } {
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError(`template takes [NAME] CHART (charts: ${CHART_NAMES.join(', ')})`);
  const chart = positionals[positionals.length - 1];
  const given = values['release-name'] as string | undefined;
  if (given !== undefined && positionals.length === 2) throw new UsageError(`template: the release name is given twice (${positionals[0]} and --release-name ${given})`);
  return { chart, name: positionals.length === 2 ? positionals[0] : (given ?? DEFAULT_RELEASE.name) };
}

const template: Command = async (rest, io) => {
  const { values, positionals, nameInPath } = templateArgs(rest);
  if (values.help) return io.stdout(HELP.template), 0;
  const { chart, name } = templateRelease(positionals, values);
  const helm = await import('./helm-template');
  const namespace = (values.namespace as string | undefined) ?? DEFAULT_RELEASE.namespace;
  const problems = [helm.releaseNameProblem(name), helm.namespaceProblem(namespace), values['kube-version'] === undefined ? undefined : helm.kubeVersionProblem(values['kube-version'] as string)];
  if (problems.some(Boolean)) throw new InputError(problems.filter((p): p is string => p !== undefined));
  const r = await resolveOrFail(chart, userValues(io, values));
  const objects = helmOrder(renderObjects(r.def, r.values, { name, namespace }));
  const outDir = values['output-dir'] as string | undefined;
  if (outDir !== undefined) {
    // As with Helm, --output-dir writes every template (--show-only only filters stdout).
    const problem = helm.writeOutputDir(outDir, chart, objects, { release: nameInPath ? name : undefined, force: values.force === true, say: io.stdout });
    if (problem) throw new InputError([problem]);
    return 0;
  }
  const only = values['show-only'] as string[] | undefined;
  if (only === undefined) {
    writeManifest(chart, objects, io.stdout);
    return 0;
  }
  try {
    writeManifest(chart, objects, io.stdout, helm.showOnly(objects, only));
  } catch (e) {
    if (e instanceof helm.ShowOnlyError) throw new InputError([e.message]);
    throw e;
  }
  return 0;
};

const validate: Command = async (rest, io) => {
  const { values, positionals } = parse('validate', rest, valueOptions);
  if (values.help) return io.stdout(HELP.validate), 0;
  const chart = oneChart(positionals, 'validate');
  await resolveOrFail(chart, userValues(io, values));
  io.stdout(`${chart}: values are valid\n`);
  return 0;
};

const isValuesMap = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Every problem of `synth -f`'s map from chart to values: unknown charts, values that are no map, invalid values. */
async function synthProblems(byChart: Record<string, unknown>): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, chartValues] of Object.entries(byChart)) {
    if (!DIST_CHARTS[name]) problems.push(`${name}: not a chart rendered by synth (synth renders: ${Object.keys(DIST_CHARTS).join(', ')})`);
    else if (chartValues !== null && !isValuesMap(chartValues)) problems.push(`${name}: expected a map of values`);
  }
  // Check every chart's values before writing anything, and report all problems.
  for (const [name, dist] of Object.entries(DIST_CHARTS)) {
    const chartValues = byChart[name];
    if (chartValues !== undefined && !isValuesMap(chartValues)) continue;
    try {
      await resolveOrFail(name, mergeUserValues(dist.values, (chartValues as Record<string, unknown> | undefined) ?? {}));
    } catch (e) {
      if (e instanceof InputError) problems.push(...e.lines);
      else throw e;
    }
  }
  return problems;
}

const synth: Command = async (rest, io) => {
  const { values, positionals } = parse('synth', rest, {
    values: { type: 'string', short: 'f', multiple: true },
    'output-dir': { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return io.stdout(HELP.synth), 0;
  if (positionals.length > 0) throw new UsageError(`synth takes no arguments (got ${positionals.join(' ')})`);
  let byChart: Record<string, unknown> = {};
  for (const file of (values.values as string[] | undefined) ?? []) byChart = mergeMaps(byChart, readYamlMap(io, file));
  const problems = await synthProblems(byChart);
  if (problems.length > 0) throw new InputError(problems);
  const out = (values['output-dir'] as string | undefined) ?? 'dist';
  (await outputs()).writeDist(out, byChart as Record<string, Record<string, unknown>>, (l) => io.stderr(`${l}\n`), values.force === true);
  return 0;
};

const charts: Command = async (rest, io) => {
  const { values, positionals } = parse('charts', rest, {
    'output-dir': { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return io.stdout(HELP.charts), 0;
  if (positionals.length > 0) throw new UsageError(`charts takes no arguments (got ${positionals.join(' ')})`);
  (await outputs()).writeCharts((values['output-dir'] as string | undefined) ?? 'charts', (l) => io.stderr(`${l}\n`), values.force === true);
  return 0;
};

const certs: Command = async (rest, io) => {
  if (rest[0] === 'rotate') return await (await import('./rotate')).rotateCommand(rest.slice(1), io);
  const { values, positionals } = parse('certs', rest, {
    'output-dir': { type: 'string', short: 'o' },
    'trust-domain': { type: 'string' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return io.stdout(HELP.certs), 0;
  if (positionals.length > 0) throw new UsageError(`certs takes no arguments (got ${positionals.join(' ')})`);
  const dir = values['output-dir'] as string | undefined;
  if (!dir) throw new UsageError('certs needs -o DIR (where to write ca.crt, ca.key, issuer.crt, issuer.key)');
  const trustDomain = values['trust-domain'] as string | undefined;
  const domainProblem = trustDomain === undefined ? undefined : trustDomainProblem(trustDomain);
  if (domainProblem) throw new InputError([`--trust-domain: ${domainProblem}`]);
  const written = await (await import('./write-identity')).writeIdentity(dir, { trustDomain, force: values.force === true });
  for (const f of written) io.stderr(`wrote ${f}\n`);
  io.stderr(
    `They are the identity values of the linkerd-control-plane chart:\n  helm install linkerd-control-plane <chart> -n linkerd \\\n` +
      `    --set-file identityTrustAnchorsPEM=${written[0]} \\\n` +
      `    --set-file identity.issuer.tls.crtPEM=${written[2]} \\\n` +
      `    --set-file identity.issuer.tls.keyPEM=${written[3]}\n` +
      `Keep ca.key offline: it is only needed to sign the next issuer.\n`,
  );
  return 0;
};

/** `argocd`'s options from its flags (--repo and --revision required). */
function argoCdOptions(values: Flags): ArgoCdOptions {
  const repo = values.repo as string | undefined;
  const revision = values.revision as string | undefined;
  if (repo === undefined || revision === undefined) throw new UsageError('argocd needs --repo URL and --revision REF');
  return {
    repo,
    revision,
    path: values.path as string | undefined,
    appsPath: values['apps-path'] as string | undefined,
    argoNamespace: values['argocd-namespace'] as string | undefined,
    project: values.project as string | undefined,
  };
}

/** The repository path of `out`/apps that root.yaml names, when --apps-path does not give it. */
async function appsPathOf(out: string): Promise<string> {
  const where = await repositoryPath(resolve(out));
  if (where === undefined) {
    throw new InputError([
      `-o ${out}: neither in a Git work tree nor under the current folder, so root.yaml cannot name the repository path of its apps/ folder: pass --apps-path PATH`,
    ]);
  }
  return where === '' ? 'apps' : `${where}/apps`;
}

const argocd: Command = async (rest, io) => {
  const { values, positionals } = parse('argocd', rest, {
    repo: { type: 'string' },
    revision: { type: 'string' },
    path: { type: 'string' },
    'apps-path': { type: 'string' },
    'argocd-namespace': { type: 'string' },
    project: { type: 'string' },
    'output-dir': { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return io.stdout(HELP.argocd), 0;
  if (positionals.length > 0) throw new UsageError(`argocd takes no arguments (got ${positionals.join(' ')})`);
  const options = argoCdOptions(values);
  const { argoCdOptionsProblem, writeArgoCd } = await import('../argocd');
  const problem = argoCdOptionsProblem(options);
  if (problem) throw new InputError([problem]);
  const out = (values['output-dir'] as string | undefined) ?? join((options.path ?? 'dist').replace(/\/+$/, ''), 'argocd');
  options.appsPath ??= await appsPathOf(out);
  writeArgoCd(out, options, (l) => io.stderr(`${l}\n`), values.force === true);
  return 0;
};

const help: Command = async (_rest, io) => (io.stdout(HELP.main), 0);

/** The commands by name (the order of the unknown-command message). */
const COMMANDS: Record<string, Command> = {
  template,
  validate,
  check: async (rest, io) => (await import('./check')).checkCommand(rest, io),
  diff: async (rest, io) => (await import('./diff')).diffCommand(rest, io),
  'upgrade-plan': async (rest, io) => (await import('./upgrade-plan')).upgradePlanCommand(rest, io),
  synth,
  charts,
  certs,
  argocd,
  help,
  '-h': help,
  '--help': help,
  '--version': async (_rest, io) => (io.stdout(versionLine()), 0),
};

/** A command's error as its message and exit code. */
async function failure(e: unknown, io: Io): Promise<number> {
  // Only a command that loaded src/outputs.ts can have thrown its OutputError.
  if (e instanceof Error && e.name === 'OutputError' && e instanceof (await outputs()).OutputError) {
    io.stderr(`error: ${e.message}\n`);
    return 1;
  }
  if (e instanceof InputError) {
    for (const line of e.lines) io.stderr(`error: ${line}\n`);
    return 1;
  }
  if (e instanceof FlagError) {
    io.stderr(`error: ${e.message}\n`);
    return 2;
  }
  if (e instanceof UsageError || e instanceof UnknownChartError) {
    io.stderr(`error: ${e.message}\nRun 'cdk8s-linkerd --help' for usage.\n`);
    return 2;
  }
  io.stderr(`internal error: ${(e as Error).message}\n(this is a bug in cdk8s-linkerd; please report it)\n`);
  return 70;
}

/** Runs the command; resolves to the exit code. Never rejects. */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) return io.stdout(HELP.main), 2;
  try {
    const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!cmd) throw new UsageError(`unknown command '${command}' (commands: template, validate, check, diff, upgrade-plan, synth, charts, certs, argocd)`);
    return await cmd(rest, io);
  } catch (e) {
    return await failure(e, io);
  }
}
