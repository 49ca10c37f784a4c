/**
 * The package as users install it: `npm pack` of this repository, installed with
 * `npm install --omit=dev` into a new cdk8s app outside the repository, next to the peer
 * versions under test. Used by test/packed-install.test.ts and scripts/peer-floor.ts.
 *
 * The app sees only its own node_modules: it lives under os.tmpdir() (no ancestor may hold a
 * node_modules folder) and every child process runs without NODE_PATH, NODE_OPTIONS and the
 * npm_* variables of an enclosing `npm run`. Only the TypeScript compiler is the repository's
 * own (run by path); what it compiles resolves modules from the app.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { identityFile } from '../test/fixtures/identity';

const execFileAsync = promisify(execFile);

export const ROOT = resolve(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

export interface Peers {
  cdk8s: string;
  constructs: string;
  /**
   * The optional cdk8s-plus peers, at most one per app. Absent: the app does not install
   * cdk8s-plus and does not use it.
   */
  'cdk8s-plus-27'?: string;
  'cdk8s-plus-34'?: string;
}

/** The cdk8s-plus majors the package is tested with (its optional peers). */
export const PLUS_PEERS = ['cdk8s-plus-27', 'cdk8s-plus-34'] as const;
export type PlusPeer = (typeof PLUS_PEERS)[number];

/** The cdk8s-plus package an app uses, if any. */
export function plusOf(peers: Peers): PlusPeer | undefined {
  const used = PLUS_PEERS.filter((p) => peers[p] !== undefined);
  if (used.length > 1) throw new Error(`an app uses one cdk8s-plus, not ${used.join(' and ')}`);
  return used[0];
}

/** The workload kinds the app builds with cdk8s-plus, each meshed by annotation and injected manually. */
export const PLUS_WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'] as const;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of every child process: the caller's, minus what could leak the repository in. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_PATH' || k === 'NODE_OPTIONS' || k === 'INIT_CWD') continue;
    if (/^npm_/i.test(k) && !/^npm_config_(cache|registry|userconfig)$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command; never throws on a non-zero exit (the result says). `env` adds to (or replaces) the clean environment. */
export async function run(cmd: string, args: string[], cwd: string, timeoutMs = 300_000, env: Record<string, string> = {}): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(cmd, args, { cwd, env: cleanEnv(env), maxBuffer: 1 << 28, timeout: timeoutMs });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === 'number' ? err.code : 1, stdout: err.stdout ?? '', stderr: err.stderr || err.message };
  }
}

function must(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`.trim());
  return r;
}

/** A new folder under os.tmpdir(), checked to be outside the repository with no node_modules above it. */
export function isolatedDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const rel = relative(ROOT, dir);
  if (!rel.startsWith('..')) throw new Error(`${dir} is inside the repository`);
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) throw new Error(`${join(d, 'node_modules')} would be visible to the app in ${dir}`);
    if (dirname(d) === d) break;
  }
  return dir;
}

/** `npm pack` of the repository into `dest` (npm runs `prepare`, which builds lib/); the tarball's path. */
export async function packProject(dest: string): Promise<string> {
  const r = must(await run('npm', ['pack', '--json', '--pack-destination', dest], ROOT, 600_000), 'npm pack');
  const [info] = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string }[];
  return join(dest, info.filename);
}

/** The files in a packed tarball (paths inside `package/`). */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const r = must(await run('tar', ['-tzf', tarball], dirname(tarball)), 'tar');
  return r.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022'],
    module: 'commonjs',
    strict: true,
    noImplicitReturns: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    types: ['node'],
    rootDir: 'src',
    outDir: 'out',
  },
  include: ['src'],
};

/**
 * cdk8s-plus workloads of every kind in PLUS_WORKLOADS, named `<prefix>-<kind in lower case>`.
 * The StatefulSet gets its headless Service from cdk8s-plus; the CronJob runs daily.
 */
function plusWorkloads(chart: string, prefix: string): string {
  const container = "containers: [{ image: 'web:1', portNumber: 8080 }]";
  return [
    `new kplus.Deployment(${chart}, '${prefix}-deployment', { ${container} })`,
    `new kplus.StatefulSet(${chart}, '${prefix}-statefulset', { ${container} })`,
    `new kplus.DaemonSet(${chart}, '${prefix}-daemonset', { ${container} })`,
    `new kplus.Job(${chart}, '${prefix}-job', { ${container} })`,
    `new kplus.CronJob(${chart}, '${prefix}-cronjob', { schedule: Cron.daily(), ${container} })`,
  ].join(',\n  ');
}

/**
 * The app: every construct family a platform team would use, one custom resource, and with
 * cdk8s-plus (`plus`) its workloads of every kind twice: meshed by annotation (chart `shop`)
 * and with the proxy rendered in by manual injection (chart `manual`).
 */
function appSource(plus: PlusPeer | undefined): string {
  return `import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ${plus ? 'ApiObject, ' : ''}App, Chart${plus ? ', Cron' : ''} } from 'cdk8s';
${plus ? `import * as kplus from '${plus}';\n` : ''}import { LinkerdControlPlane, LinkerdCrds, LinkerdViz, Server, ${plus ? 'injectProxy, ' : ''}meshWorkloads } from 'cdk8s-linkerd';

const pem = (file: string): string => readFileSync(join(__dirname, '..', 'certs', file), 'utf8');

const app = new App({ outdir: join(__dirname, '..', 'dist') });
new LinkerdCrds(app, 'linkerd-crds');
${plus ? 'const controlPlane = ' : ''}new LinkerdControlPlane(app, 'linkerd-control-plane', {
  values: {
    identityTrustAnchorsPEM: pem('ca.crt'),
    identity: { issuer: { tls: { crtPEM: pem('issuer.crt'), keyPEM: pem('issuer.key') } } },
  },
});
new LinkerdViz(app, 'linkerd-viz', { values: { prometheus: { args: { 'storage.tsdb.retention.time': '24h' } } } });

const shop = new Chart(app, 'shop', { namespace: 'shop' });
new Server(shop, 'web-http', {
  metadata: { name: 'web-http', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocol: 'HTTP/1' },
});
${plus ? `[\n  ${plusWorkloads('shop', 'web')},\n];\n` : ''}meshWorkloads(shop, { opaquePorts: [5432] });
${
  plus
    ? `
const manual = new Chart(app, 'manual', { namespace: 'manual' });
for (const workload of [\n  ${plusWorkloads('manual', 'batch')},\n]) {
  injectProxy(ApiObject.of(workload), { controlPlane, config: { opaquePorts: [6379] } });
}
`
    : ''
}app.synth();
`;
}

export interface PackedApp {
  dir: string;
  peers: Peers;
  /** `npm install --omit=dev` of the tarball and the peers. */
  install(): Promise<RunResult>;
  /** The repository's tsc on the app (strict, no skipLibCheck). */
  compile(): Promise<RunResult>;
  /** `node out/main.js`: writes dist/*.k8s.yaml. */
  synth(): Promise<RunResult>;
  /** The synthesized files' text, by file name. */
  output(): Record<string, string>;
  /** The installed command. */
  cli(args: string[]): Promise<RunResult>;
}

/** Writes (does not install) an app that depends on `tarball` and exactly `peers`. */
export function createApp(tarball: string, peers: Peers, prefix = 'cdk8s-linkerd-app'): PackedApp {
  const dir = isolatedDir(prefix);
  const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
  const dependencies: Record<string, string> = {
    'cdk8s-linkerd': `file:${tarball}`,
    ...Object.fromEntries(Object.entries(peers).filter(([, v]) => v !== undefined)),
    // the app's own Node types (it reads the certificates with node:fs), as `cdk8s init` gives
    '@types/node': rootPkg.devDependencies['@types/node'],
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'linkerd-app', version: '1.0.0', private: true, dependencies }, null, 2)}\n`);
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'main.ts'), appSource(plusOf(peers)));
  mkdirSync(join(dir, 'certs'));
  for (const f of ['ca.crt', 'issuer.crt', 'issuer.key'] as const) copyFileSync(identityFile(f), join(dir, 'certs', f));
  return {
    dir,
    peers,
    install: () => run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], dir),
    compile: () => run(process.execPath, [TSC, '-p', dir], dir),
    synth: () => run(process.execPath, [join('out', 'main.js')], dir),
    output: () => Object.fromEntries(readdirSync(join(dir, 'dist')).map((f) => [f, readFileSync(join(dir, 'dist', f), 'utf8')])),
    // the link npm made, run as `npx cdk8s-linkerd` runs it (its #! line picks node from PATH)
    cli: (args) => run(join(dir, 'node_modules', '.bin', 'cdk8s-linkerd'), args, dir),
  };
}

/** Bare module specifiers that the installed package's lib/ and bin/ require (node: built-ins left out). */
export function requiredModules(pkgDir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const scan = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) scan(p);
      else if (p.endsWith('.js')) {
        for (const m of readFileSync(p, 'utf8').matchAll(/\brequire\(\s*["']([^"'.][^"']*)["']\s*\)|\bimport\(\s*["']([^"'.][^"']*)["']\s*\)/g)) {
          const spec = m[1] ?? m[2];
          if (spec.startsWith('node:')) continue;
          found.set(spec, [...(found.get(spec) ?? []), relative(pkgDir, p).split(sep).join('/')]);
        }
      }
    }
  };
  for (const d of ['lib', 'bin', 'validators']) if (existsSync(join(pkgDir, d))) scan(join(pkgDir, d));
  return found;
}

/** The package a specifier belongs to: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
