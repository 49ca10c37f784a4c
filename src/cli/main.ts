/**
 * The `cdk8s-linkerd` command.
 *
 * Exit codes: 0 success; 1 invalid input (values, values files, --set syntax);
 * 2 bad usage (unknown command, chart or flag); 70 internal error (a bug: please report).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { load } from 'js-yaml';
import { CHARTS, DIST_CHARTS, UsageError, chartNamed } from '../charts';
import { DEFAULT_RELEASE, ValuesError, mergeUserValues, renderObjects, resolveValues, toManifest } from '../helm/chart';
import { writeArgoCd } from '../argocd';
import { writeIdentity } from '../certs/write';
import { writeCharts, writeDist } from '../outputs';
import { formatProblem } from '../values/model';
import { SetSyntaxError, applySet, type SetKind } from '../values/set';
import { LINKERD_VERSION, CHART_VERSION } from '../version';

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
}

const defaultIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readFile: (p) => readFileSync(p === '-' ? 0 : p, 'utf8'),
};

const VALUE_FLAGS = `  -f, --values FILE        values file (repeatable; later files win; - reads stdin)
      --set K=V            set a value (repeatable; a.b=c,list={x,y},typed like Helm)
      --set-string K=V     set a string value (repeatable)
      --set-file K=PATH    set a value to a file's content (repeatable)`;

const HELP: Record<string, string> = {
  main: `cdk8s-linkerd ${CHART_VERSION}: Linkerd ${LINKERD_VERSION} as cdk8s constructs, Helm charts and raw YAML

Usage: cdk8s-linkerd <command> [flags]

Commands:
  template <chart>   render a chart's manifests to stdout, like 'helm template'
  validate <chart>   check values only
  synth              render every chart's raw YAML into a folder (default dist/)
  charts             write every Helm chart into a folder (default charts/)
  certs              create a trust anchor and issuer for Linkerd identity
  argocd             write Argo CD Applications (app of apps) that deploy dist/

Charts: ${Object.keys(CHARTS).join(', ')}
Run 'cdk8s-linkerd <command> --help' for a command's flags.
Exit codes: 0 ok, 1 invalid input, 2 bad usage, 70 internal error.
`,
  template: `Usage: cdk8s-linkerd template <chart> [flags]

Renders the chart's manifests to stdout, as 'helm template' renders the chart in charts/.

Flags:
${VALUE_FLAGS}
  -n, --namespace NS       release namespace (default "${DEFAULT_RELEASE.namespace}")
      --release-name NAME  release name (default "${DEFAULT_RELEASE.name}")
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

Flags:
  -f, --values FILE        a YAML map from chart name to that chart's values (repeatable)
  -o, --output-dir DIR     output folder (default "dist")
  -h, --help               this help
`,
  certs: `Usage: cdk8s-linkerd certs -o DIR [flags]

Creates an ECDSA P-256 trust anchor (ca.crt, ca.key) and an issuer signed by it
(issuer.crt, issuer.key) in DIR, for a quick start. Private keys are written with mode 0600.
For production, prefer identity.externalCA with cert-manager.

Flags:
  -o, --output-dir DIR     output folder (required)
      --trust-domain NAME  identity trust domain (default "cluster.local")
  -h, --help               this help
`,
  argocd: `Usage: cdk8s-linkerd argocd --repo URL --revision REF [flags]

Writes Argo CD objects that deploy dist/ from a Git repository (app of apps): DIR/root.yaml
(apply it once), DIR/apps/ (the AppProject and one Application per dist/ folder, with sync
waves in install order) and DIR/argocd-cm-patch.yaml (merge it into argocd-cm so that Argo CD
waits for the control plane's health before the extensions:
kubectl -n argocd patch configmap argocd-cm --patch-file DIR/argocd-cm-patch.yaml).

Flags:
      --repo URL           Git repository that holds dist/ (required)
      --revision REF       branch, tag or commit to follow (required)
      --path DIR           where dist/ is in the repository (default "dist")
      --argocd-namespace NS  Argo CD's namespace (default "argocd")
      --project NAME       AppProject name (default "linkerd")
  -o, --output-dir DIR     output folder (default "dist/argocd")
  -h, --help               this help
`,
  charts: `Usage: cdk8s-linkerd charts [flags]

Writes every Helm chart into DIR/<chart>/.

Flags:
  -o, --output-dir DIR     output folder (default "charts")
  -h, --help               this help
`,
};

function readYamlMap(io: Io, path: string): Record<string, unknown> {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (e) {
    throw new InputError([`${path}: cannot read: ${(e as Error).message}`]);
  }
  let data: unknown;
  try {
    data = load(text, { filename: path });
  } catch (e) {
    throw new InputError([`${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new InputError([`${path}: expected a map of values at the top level`]);
  return data as Record<string, unknown>;
}

interface ValueFlags {
  values?: string[];
  set?: string[];
  'set-string'?: string[];
  'set-file'?: string[];
}

/** User values from the flags, merged in Helm's order: files, --set, --set-string, --set-file. */
export function userValues(io: Io, flags: ValueFlags | Flags): Record<string, unknown> {
  const f = flags as ValueFlags;
  const sources = (f.values ?? []).map((file) => readYamlMap(io, file));
  const sets: Record<string, unknown> = {};
  const kinds: [SetKind, string[] | undefined][] = [
    ['set', f.set],
    ['set-string', f['set-string']],
    ['set-file', f['set-file']],
  ];
  try {
    for (const [kind, exprs] of kinds) for (const e of exprs ?? []) applySet(sets, e, kind, io.readFile);
  } catch (e) {
    if (e instanceof SetSyntaxError) throw new InputError([e.message]);
    throw new InputError([(e as Error).message]);
  }
  return mergeUserValues(...sources, sets);
}

const valueOptions: FlagSpec = {
  values: { type: 'string', short: 'f', multiple: true },
  set: { type: 'string', multiple: true },
  'set-string': { type: 'string', multiple: true },
  'set-file': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
};

type Flags = Record<string, string | string[] | boolean | undefined>;
type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

function parse(args: string[], options: FlagSpec): { values: Flags; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Flags, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function resolveOrFail(chart: string, user: Record<string, unknown>) {
  const def = chartNamed(chart);
  try {
    return { def, values: resolveValues(def, user) };
  } catch (e) {
    if (e instanceof ValuesError) throw new InputError(e.problems.map((p) => `${chart}: ${formatProblem(p)}`));
    throw e;
  }
}

function oneChart(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one chart (charts: ${Object.keys(CHARTS).join(', ')})`);
  return positionals[0];
}

/** Runs the command; resolves to the exit code. Never rejects. */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(HELP.main);
        return command === undefined ? 2 : 0;
      case '--version':
        io.stdout(`cdk8s-linkerd ${CHART_VERSION} (Linkerd ${LINKERD_VERSION})\n`);
        return 0;
      case 'template': {
        const { values, positionals } = parse(rest, {
          ...valueOptions,
          namespace: { type: 'string', short: 'n' },
          'release-name': { type: 'string' },
        });
        if (values.help) return io.stdout(HELP.template), 0;
        const chart = oneChart(positionals, 'template');
        const r = resolveOrFail(chart, userValues(io, values));
        const release = {
          name: (values['release-name'] as string | undefined) ?? DEFAULT_RELEASE.name,
          namespace: (values.namespace as string | undefined) ?? DEFAULT_RELEASE.namespace,
        };
        io.stdout(toManifest(chart, renderObjects(r.def, r.values, release)));
        return 0;
      }
      case 'validate': {
        const { values, positionals } = parse(rest, valueOptions);
        if (values.help) return io.stdout(HELP.validate), 0;
        const chart = oneChart(positionals, 'validate');
        resolveOrFail(chart, userValues(io, values));
        io.stdout(`${chart}: values are valid\n`);
        return 0;
      }
      case 'synth': {
        const { values, positionals } = parse(rest, {
          values: { type: 'string', short: 'f', multiple: true },
          'output-dir': { type: 'string', short: 'o' },
          help: { type: 'boolean', short: 'h' },
        });
        if (values.help) return io.stdout(HELP.synth), 0;
        if (positionals.length > 0) throw new UsageError(`synth takes no arguments (got ${positionals.join(' ')})`);
        const byChart = mergeUserValues(...((values.values as string[] | undefined) ?? []).map((f) => readYamlMap(io, f)));
        const problems: string[] = [];
        for (const [name, chartValues] of Object.entries(byChart)) {
          if (!DIST_CHARTS[name]) problems.push(`${name}: not a chart rendered by synth (synth renders: ${Object.keys(DIST_CHARTS).join(', ')})`);
          else if (chartValues !== null && (typeof chartValues !== 'object' || Array.isArray(chartValues))) problems.push(`${name}: expected a map of values`);
        }
        // Check every chart's values before writing anything, and report all problems.
        for (const [name, dist] of Object.entries(DIST_CHARTS)) {
          const chartValues = byChart[name];
          if (chartValues !== undefined && (chartValues === null || typeof chartValues !== 'object' || Array.isArray(chartValues))) continue;
          try {
            resolveOrFail(name, mergeUserValues(dist.values, (chartValues as Record<string, unknown> | undefined) ?? {}));
          } catch (e) {
            if (e instanceof InputError) problems.push(...e.lines);
            else throw e;
          }
        }
        if (problems.length > 0) throw new InputError(problems);
        const out = resolve((values['output-dir'] as string | undefined) ?? 'dist');
        writeDist(out, byChart as Record<string, Record<string, unknown>>, (l) => io.stderr(`${l}\n`));
        return 0;
      }
      case 'charts': {
        const { values, positionals } = parse(rest, {
          'output-dir': { type: 'string', short: 'o' },
          help: { type: 'boolean', short: 'h' },
        });
        if (values.help) return io.stdout(HELP.charts), 0;
        if (positionals.length > 0) throw new UsageError(`charts takes no arguments (got ${positionals.join(' ')})`);
        writeCharts(resolve((values['output-dir'] as string | undefined) ?? 'charts'), (l) => io.stderr(`${l}\n`));
        return 0;
      }
      case 'certs': {
        const { values, positionals } = parse(rest, {
          'output-dir': { type: 'string', short: 'o' },
          'trust-domain': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        });
        if (values.help) return io.stdout(HELP.certs), 0;
        if (positionals.length > 0) throw new UsageError(`certs takes no arguments (got ${positionals.join(' ')})`);
        const dir = values['output-dir'] as string | undefined;
        if (!dir) throw new UsageError('certs needs -o DIR (where to write ca.crt, ca.key, issuer.crt, issuer.key)');
        const written = await writeIdentity(resolve(dir), { trustDomain: values['trust-domain'] as string | undefined });
        for (const f of written) io.stderr(`wrote ${f}\n`);
        io.stderr(
          `They are the identity values of the linkerd-control-plane chart:\n  helm install linkerd-control-plane <chart> -n linkerd \\\n` +
            `    --set-file identityTrustAnchorsPEM=${written[0]} \\\n` +
            `    --set-file identity.issuer.tls.crtPEM=${written[2]} \\\n` +
            `    --set-file identity.issuer.tls.keyPEM=${written[3]}\n` +
            `Keep ca.key offline: it is only needed to sign the next issuer.\n`,
        );
        return 0;
      }
      case 'argocd': {
        const { values, positionals } = parse(rest, {
          repo: { type: 'string' },
          revision: { type: 'string' },
          path: { type: 'string' },
          'argocd-namespace': { type: 'string' },
          project: { type: 'string' },
          'output-dir': { type: 'string', short: 'o' },
          help: { type: 'boolean', short: 'h' },
        });
        if (values.help) return io.stdout(HELP.argocd), 0;
        if (positionals.length > 0) throw new UsageError(`argocd takes no arguments (got ${positionals.join(' ')})`);
        const repo = values.repo as string | undefined;
        const revision = values.revision as string | undefined;
        if (!repo || !revision) throw new UsageError('argocd needs --repo URL and --revision REF');
        writeArgoCd(
          resolve((values['output-dir'] as string | undefined) ?? join('dist', 'argocd')),
          {
            repo,
            revision,
            path: values.path as string | undefined,
            argoNamespace: values['argocd-namespace'] as string | undefined,
            project: values.project as string | undefined,
          },
          (l) => io.stderr(`${l}\n`),
        );
        return 0;
      }
      default:
        throw new UsageError(`unknown command '${command}' (commands: template, validate, synth, charts, certs, argocd)`);
    }
  } catch (e) {
    if (e instanceof InputError) {
      for (const line of e.lines) io.stderr(`error: ${line}\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      io.stderr(`error: ${e.message}\nRun 'cdk8s-linkerd --help' for usage.\n`);
      return 2;
    }
    io.stderr(`internal error: ${(e as Error).message}\n(this is a bug in cdk8s-linkerd; please report it)\n`);
    return 70;
  }
}
