/**
 * The bad-input matrix of docs/security.md (issue 24): each case is run through the CLI
 * (`cdk8s-linkerd template`, or the command it concerns) and `helm template` of the chart with
 * the pinned Helm 3 and Helm 4, and the outcome of each is one table cell.
 *
 *     npm run -s matrix                         # this checkout: markdown rows on stdout
 *     npm run -s matrix -- --root /work/main    # another checkout (its bin/ and charts/), e.g. "before"
 *     npm run -s matrix -- --json               # the raw outcomes
 *     npm run -s matrix -- --before before.json # cells that changed since: "before → after"
 *     npm run -s matrix -- --from after.json --before before.json   # the table from two stored runs
 *
 * Helm is this checkout's (the TOOLS Helms helm3 and helm4: `npm run tools`); the CLI (its sources,
 * run in this process) and the charts are the root's. Nothing is written outside a temporary folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from './cluster/tools';

const run = promisify(execFile);
const here = join(__dirname, '..');
const ID = join(here, 'test', 'fixtures', 'identity');
const IDENTITY = ['--set-file', `identityTrustAnchorsPEM=${ID}/ca.crt`, '--set-file', `identity.issuer.tls.crtPEM=${ID}/issuer.crt`, '--set-file', `identity.issuer.tls.keyPEM=${ID}/issuer.key`];
/** A line of the test issuer's private key: a message that holds it leaks key material. */
const KEY_LINES = readFileSync(join(ID, 'issuer.key'), 'utf8').split('\n').filter((l) => l.length > 16 && !l.startsWith('-----'));

export interface Case {
  what: string;
  chart: string;
  /** The values file (`-f v.yaml`), given to all three. */
  values?: string | Buffer;
  /** More flags, given to all three. */
  flags?: string[];
  /** The CLI's arguments instead of `template <chart> …` (then Helm is not asked: n/a). */
  cli?: (dir: string) => string[];
  /** Helm's arguments after `template`, instead of `x <chart> …`. */
  helm?: (chart: string) => string[];
  /** Prepares the folder (e.g. a user's file where a command writes). */
  setup?: (dir: string) => void;
  /** A note on what happened to the folder after the CLI ran. */
  after?: (dir: string) => string;
}

const cp = 'linkerd-control-plane';
const yaml = (s: string) => s;
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
const userFile = (path: string) => ({
  setup: (dir: string) => {
    mkdirSync(join(dir, 'out', path, '..'), { recursive: true });
    writeFileSync(join(dir, 'out', path), 'my own file\n');
  },
  after: (dir: string) => (readFileSync(join(dir, 'out', path), 'utf8') === 'my own file\n' ? 'user file kept' : 'user file overwritten'),
});

export const CASES: Case[] = [
  // Values that reach the API server.
  { what: 'clusterDomain with a newline', chart: cp, values: yaml('clusterDomain: "cluster\\nlocal"\n') },
  { what: 'clusterDomain not a DNS name (Cluster_Local!)', chart: cp, values: yaml('clusterDomain: Cluster_Local!\n') },
  { what: 'identityTrustDomain not a DNS name', chart: cp, values: yaml('identityTrustDomain: Bad_Domain\n') },
  { what: 'viz clusterDomain a..b', chart: 'linkerd-viz', values: yaml('clusterDomain: a..b\n') },
  { what: 'jaeger linkerdNamespace Linkerd (capitals)', chart: 'linkerd-jaeger', values: yaml('linkerdNamespace: Linkerd\n') },
  { what: 'clusterNetworks 10.0.0.0/33,foo', chart: cp, values: yaml('clusterNetworks: 10.0.0.0/33,foo\n') },
  { what: 'clusterNetworks with a space after the comma', chart: cp, values: yaml('clusterNetworks: "10.0.0.0/8, fd00::/8"\n') },
  { what: 'linkerdVersion "bad tag!"', chart: cp, values: yaml('linkerdVersion: "bad tag!"\n') },
  { what: 'proxy.image.version ":latest"', chart: cp, values: yaml('proxy:\n  image:\n    version: ":latest"\n') },
  { what: 'controllerImage with spaces and capitals', chart: cp, values: yaml('controllerImage: "Cr.L5D.io/Bad Image"\n') },
  { what: 'commonLabels value of 64 characters', chart: cp, values: yaml(`commonLabels:\n  team: ${'a'.repeat(64)}\n`) },
  { what: 'commonLabels value "bad value!"', chart: cp, values: yaml('commonLabels:\n  team: "bad value!"\n') },
  { what: 'podLabels key "bad key!"', chart: 'linkerd-viz', values: yaml('podLabels:\n  "bad key!": x\n') },
  { what: 'podAnnotations key a/b/c', chart: cp, values: yaml('podAnnotations:\n  a/b/c: x\n') },
  { what: 'podAnnotations value of 300 KiB (API limit 256 KiB)', chart: cp, values: yaml(`podAnnotations:\n  big: ${'x'.repeat(300 * 1024)}\n`) },
  { what: 'memory request above its limit', chart: cp, values: yaml('proxy:\n  resources:\n    memory:\n      request: 2Gi\n      limit: 1Gi\n') },
  { what: 'prometheus.globalConfig.scrape_interval "5 s"', chart: 'linkerd-viz', values: yaml('prometheus:\n  globalConfig:\n    scrape_interval: 5 s\n') },
  { what: 'proxy duration 1.5s (the proxy takes whole numbers)', chart: cp, values: yaml('proxy:\n  outboundConnectTimeout: 1.5s\n') },
  { what: 'port 70000', chart: cp, values: yaml('proxy:\n  ports:\n    admin: 70000\n') },
  { what: 'controllerReplicas -1', chart: cp, values: yaml('controllerReplicas: -1\n') },
  { what: 'enum: webhookFailurePolicy Sometimes', chart: cp, values: yaml('webhookFailurePolicy: Sometimes\n') },
  { what: 'unknown key (typo proxyy)', chart: cp, values: yaml('proxyy:\n  logLevel: debug\n') },
  { what: 'wrong type: clusterDomain yes (a YAML 1.1 boolean)', chart: cp, values: yaml('clusterDomain: yes\n') },
  // Secrets.
  { what: 'private key given as the trust anchor', chart: cp, flags: ['--set-file', `identityTrustAnchorsPEM=${ID}/issuer.key`] },
  { what: 'private key given as the issuer certificate', chart: cp, flags: ['--set-file', `identity.issuer.tls.crtPEM=${ID}/issuer.key`] },
  // Values files, byte by byte.
  { what: 'values file: control character U+0001 in a value', chart: 'linkerd-crds', values: bytes('enableHttpRoutes: "x', [1], '"\n') },
  { what: 'values file: NUL byte', chart: 'linkerd-crds', values: bytes('# a', [0], '\n') },
  { what: 'values file: DEL in a comment', chart: 'linkerd-crds', values: bytes('# a', [0x7f], '\n') },
  { what: 'values file: C1 control U+0080', chart: 'linkerd-crds', values: bytes('# a', [0xc2, 0x80], '\n') },
  { what: 'values file: U+FFFE', chart: 'linkerd-crds', values: bytes('# a', [0xef, 0xbf, 0xbe], '\n') },
  { what: 'values file: invalid UTF-8 byte 0xFF', chart: 'linkerd-crds', values: bytes('# caf', [0xff], '\n') },
  { what: 'values file: Latin-1 é (0xE9) in a comment', chart: 'linkerd-crds', values: bytes('# caf', [0xe9], '\n') },
  { what: 'values file: overlong UTF-8', chart: 'linkerd-crds', values: bytes('# a', [0xc0, 0xaf], '\n') },
  { what: 'values file: UTF-8 byte-order mark (accepted)', chart: 'linkerd-crds', values: bytes([0xef, 0xbb, 0xbf], '{}\n') },
  { what: 'values file: tab indentation', chart: 'linkerd-viz', values: yaml('prometheus:\n\tenabled: false\n') },
  { what: 'values file: top-level list', chart: 'linkerd-crds', values: yaml('- a\n- b\n') },
  { what: 'values file: two documents (Helm 3 reads the first)', chart: 'linkerd-viz', values: yaml('prometheus:\n  enabled: true\n---\nprometheus:\n  enabled: false\nprometheusUrl: http://p:9090\n') },
  { what: 'values file: alias bomb', chart: 'linkerd-crds', values: yaml(`a: &a ["x","x","x","x","x","x","x","x","x"]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`).join('\n')}\n`) },
  { what: 'values file: missing', chart: 'linkerd-crds', flags: ['-f', 'nonexistent.yaml'] },
  // Flags.
  { what: '--set with a broken list', chart: 'linkerd-crds', flags: ['--set', 'a={b'] },
  { what: 'release name Bad_Name', chart: 'linkerd-crds', cli: () => ['template', 'linkerd-crds', '--release-name', 'Bad_Name'], helm: (c) => ['Bad_Name', c] },
  { what: 'namespace Bad_NS', chart: 'linkerd-crds', flags: ['-n', 'Bad_NS'] },
  { what: 'template -o DIR (Helm: --output-dir)', chart: 'linkerd-crds', cli: (d) => ['template', 'linkerd-crds', '-o', join(d, 'o')], helm: (c) => ['x', c, '--output-dir', 'o'] },
  // Output folders (Helm has no counterpart: n/a).
  { what: 'synth -o over a user file at linkerd-viz/linkerd-viz.yaml', chart: 'linkerd-viz', cli: (d) => ['synth', '-o', join(d, 'out')], ...userFile('linkerd-viz/linkerd-viz.yaml') },
  { what: 'charts -o over a user Chart.yaml', chart: 'linkerd-viz', cli: (d) => ['charts', '-o', join(d, 'out')], ...userFile('linkerd-viz/Chart.yaml') },
  // Added with issue 24's last values rules and reader fixes (after the rows above).
  { what: 'podAnnotations: two values of 150 KiB (256 KiB in total on one pod)', chart: 'linkerd-viz', values: yaml(`podAnnotations:\n  a: ${'x'.repeat(150 * 1024)}\n  b: ${'x'.repeat(150 * 1024)}\n`) },
  { what: 'podAnnotations: 140 Ki two-byte characters (280 KiB, under 256 Ki characters)', chart: 'linkerd-viz', values: yaml(`podAnnotations:\n  a: ${'\u00e9'.repeat(140 * 1024)}\n`) },
  { what: 'podAnnotations and identity.podAnnotations of 130 KiB each', chart: cp, values: yaml(`podAnnotations:\n  a: ${'x'.repeat(130 * 1024)}\nidentity:\n  podAnnotations:\n    b: ${'x'.repeat(130 * 1024)}\n`) },
  { what: 'cpu request 2 above its limit 1500m', chart: 'linkerd-viz', values: yaml('metricsAPI:\n  resources:\n    cpu:\n      request: "2"\n      limit: 1500m\n') },
  { what: 'cpu request 500m below its limit 1 (accepted)', chart: 'linkerd-viz', values: yaml('metricsAPI:\n  resources:\n    cpu:\n      request: 500m\n      limit: "1"\n') },
  { what: 'memory request 1Gi above its limit 1000Mi', chart: 'linkerd-jaeger', values: yaml('collector:\n  resources:\n    memory:\n      request: 1Gi\n      limit: 1000Mi\n') },
  { what: 'identityProxyResources.cpu.request 2 above proxy.resources.cpu.limit 1', chart: cp, values: yaml('proxy:\n  resources:\n    cpu:\n      limit: "1"\nidentityProxyResources:\n  cpu:\n    request: "2"\n') },
  { what: 'multicluster resources.requests.cpu above limits.cpu', chart: 'linkerd-multicluster', values: yaml('localServiceMirror:\n  resources:\n    requests:\n      cpu: "2"\n    limits:\n      cpu: "1"\n') },
  { what: 'values file: LS (U+2028) inside a quoted clusterDomain (kept by go-yaml, then refused by the pattern)', chart: 'linkerd-viz', values: bytes('clusterDomain: "cluster', [0xe2, 0x80, 0xa8], 'local"\n') },
  { what: 'values file: {-} (a flow map with the key "-")', chart: 'linkerd-viz', values: yaml('podLabels: {-}\n') },
  { what: 'values file: a tab alone', chart: 'linkerd-crds', values: yaml('\t\n') },
];

export interface Outcome {
  ok: boolean;
  message: string;
  leaksKey: boolean;
  note?: string;
}

async function exec(cmd: string, args: string[], cwd: string): Promise<Outcome> {
  try {
    const { stderr } = await run(cmd, args, { cwd, maxBuffer: 1 << 28, env: { ...process.env, HELM_CACHE_HOME: join(cwd, '.hc'), HELM_CONFIG_HOME: join(cwd, '.hf'), HELM_DATA_HOME: join(cwd, '.hd') } });
    return { ok: true, message: stderr.trim().split('\n')[0] ?? '', leaksKey: KEY_LINES.some((l) => stderr.includes(l)) };
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const text = err.stderr ?? err.message;
    const lines = text.trim().split('\n').filter((l) => l.trim() && !/^(Use --debug|linkerd-[a-z-]+:$)/.test(l.trim()));
    return { ok: false, message: lines.slice(0, 2).join(' ').trim(), leaksKey: KEY_LINES.some((l) => text.includes(l)) };
  }
}

type Cli = { run: (argv: string[], io: unknown) => Promise<number> };
const clis = new Map<string, Cli>();

/**
 * The root's command, run in this process (one load of its sources instead of one per case; on a
 * busy machine a cold start of the command costs seconds). It reads files as its own default does.
 */
async function inProcess(root: string, args: string[], cwd: string): Promise<Outcome> {
  let cli = clis.get(root);
  if (!cli) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cli = require(join(root, 'src', 'cli', 'main.ts')) as Cli;
    clis.set(root, cli);
  }
  let stderr = '';
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const code = await cli.run(args, {
      stdout: () => {},
      stderr: (t: string) => (stderr += t),
      readFile: (p: string) => readFileSync(p === '-' ? 0 : p, 'utf8'),
      readBytes: (p: string) => readFileSync(p === '-' ? 0 : p),
    });
    const lines = stderr.trim().split('\n');
    return { ok: code === 0, message: (code === 0 ? lines[0] : lines.slice(0, 2).join(' ')).trim(), leaksKey: KEY_LINES.some((l) => stderr.includes(l)) };
  } finally {
    process.chdir(previous);
  }
}

export async function runCase(c: Case, root: string): Promise<Record<'cli' | 'helm3' | 'helm4', Outcome | undefined>> {
  const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
  try {
    c.setup?.(dir);
    const files: string[] = [];
    if (c.values !== undefined) {
      writeFileSync(join(dir, 'v.yaml'), c.values);
      files.push('-f', 'v.yaml');
    }
    const identity = c.chart === cp ? IDENTITY : [];
    const valueFlags = [...identity, ...files, ...(c.flags ?? [])];
    const cliArgs = c.cli ? c.cli(dir) : ['template', c.chart, ...valueFlags];
    const cli = await inProcess(root, cliArgs, dir);
    if (c.after) cli.note = c.after(dir);
    const chartDir = join(root, 'charts', c.chart);
    const helmArgs = c.helm ? c.helm(chartDir) : c.cli ? undefined : ['x', chartDir, ...valueFlags];
    const helm = async (major: 3 | 4) => (helmArgs ? exec(toolPath(major === 3 ? 'helm3' : 'helm4', 'helm'), ['template', ...helmArgs], dir) : undefined);
    const [helm3, helm4] = await Promise.all([helm(3), helm(4)]);
    return { cli, helm3, helm4 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One table cell: rendered or refused (with the start of the message), and what else matters. */
export function cell(o: Outcome | undefined): string {
  if (!o) return 'n/a';
  const msg = o.message
    .replace(/\/tmp\/[^\s:]+\//g, '')
    .replace(/^Error: values don't meet the specifications of the schema\(s\) in the following chart\(s\): /, 'schema: ')
    .replace(/^(error|Error): (failed to parse v\.yaml: )?((cannot unmarshal yaml document|error converting YAML to JSON): )*/, '')
    .replace(/^linkerd-[a-z0-9-]+: /, '')
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/`/g, "'");
  const short = msg.length > 64 ? `${msg.slice(0, 61)}…` : msg;
  const parts = [o.ok ? '**rendered**' : `refused: ${short}`];
  if (o.note) parts.push(`**${o.note}**`);
  if (o.leaksKey) parts.push('**prints private key bytes**');
  return parts.join('; ');
}

async function main() {
  const args = process.argv.slice(2);
  const root = args.includes('--root') ? args[args.indexOf('--root') + 1] : here;
  if (!existsSync(toolPath('helm3', 'helm')) || !existsSync(toolPath('helm4', 'helm'))) throw new Error('run npm run -s tools -- helm3 helm4 first');
  const results: Awaited<ReturnType<typeof runCase>>[] = new Array(CASES.length);
  // --from FILE: the --json of an earlier run of this checkout, rendered instead of running again.
  const stored = args.includes('--from') ? (JSON.parse(readFileSync(args[args.indexOf('--from') + 1], 'utf8')) as typeof results) : undefined;
  if (stored) {
    stored.forEach((r, i) => (results[i] = r));
  } else {
    for (let i = 0; i < CASES.length; i++) {
      results[i] = await runCase(CASES[i], root);
      process.stderr.write(`  ${i + 1}/${CASES.length} ${CASES[i].what}\n`);
    }
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(CASES.map((c, i) => ({ what: c.what, chart: c.chart, ...results[i] })), null, 1)}\n`);
    return;
  }
  // --before FILE: the --json of another checkout; a cell that changed reads "before → after".
  const before = args.includes('--before') ? (JSON.parse(readFileSync(args[args.indexOf('--before') + 1], 'utf8')) as Record<string, Outcome | undefined>[]) : undefined;
  const both = (i: number, k: 'cli' | 'helm3' | 'helm4') => {
    const now = cell(results[i][k]);
    const then = before?.[i] ? cell(before[i][k]) : now;
    return then === now ? now : `${then} → ${now}`;
  };
  const rows = CASES.map((c, i) => `| ${i + 1} | ${c.what} (${c.chart}) | ${both(i, 'cli')} | ${both(i, 'helm3')} | ${both(i, 'helm4')} |`);
  process.stdout.write(['| # | case (chart) | CLI | Helm 3 | Helm 4 |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n');
}

if (require.main === module) {
  main().catch((e: Error) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  });
}
