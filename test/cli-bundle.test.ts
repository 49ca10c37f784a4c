/**
 * The command as the package runs it — lib/cdk8s-linkerd.js and lib/cdk8s-linkerd-commands.js,
 * bundled by scripts/build-cli.mjs — says what the sources say: the same stdout, stderr and exit
 * code for every chart, for bad input and for bad usage, and the same files from `synth`. The
 * webhook certificates each render generates (and the checksum over them) are the one difference.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { CHART_NAMES } from '../src/chart-registry';
import { writePrebuilt } from '../src/prebuild';
import { scratchDir } from './support/render';
import { REQUIRED_VALUES } from './fixtures/identity';

const root = join(__dirname, '..');
const execFileAsync = promisify(execFile);
const dir = scratchDir('cli-bundle');
/** A file of the test's folder. */
const at = (f: string) => join(dir, f);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The bundled command in a new process, as bin/cdk8s-linkerd.js runs it in the package. */
async function bundled(args: string[]): Promise<Result> {
  try {
    const r = await execFileAsync(process.execPath, [at('run.js'), ...args], { cwd: dir, maxBuffer: 1 << 28 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The sources' command, in this process. */
const sources = (args: string[]): Promise<Result> => runCli(args);


/** Certificates and keys generated at render time, and the checksum over them. */
const masked = (text: string) => text.replace(/^(\s*(?:tls\.crt|tls\.key|ca\.crt|caBundle|checksum\/config):) .*$/gm, '$1 <generated>');

/** Every file under `d` → its content, masked. */
function tree(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else out[relative(d, p)] = masked(readFileSync(p, 'utf8'));
  };
  walk(d);
  return out;
}

describe('the bundled command (lib/cdk8s-linkerd.js)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
    // The bundle reads the data the build computes (lib/prebuilt/): computed from these sources too.
    writePrebuilt(join(root, 'lib', 'prebuilt'));
    writeFileSync(at('run.js'), `require(${JSON.stringify(join(root, 'lib', 'cdk8s-linkerd.js'))}).run(process.argv.slice(2)).then((c) => { process.exitCode = c; });\n`);
    for (const name of CHART_NAMES) writeFileSync(at(`${name}.json`), JSON.stringify(REQUIRED_VALUES[name] ?? {}));
    writeFileSync(at('big-annotations.json'), JSON.stringify({ tapInjector: { service: { annotations: { a: 'x'.repeat(140_000), b: 'y'.repeat(140_000) } } } }));
    writeFileSync(at('bad.yaml'), 'clusterDomain: Cluster_Local!\nproxy:\n  logLevel: [1]\n');
    // A cluster that does not answer (nothing listens on port 1): the commands that talk to one load @kubernetes/client-node.
    const kubeconfig = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], 'current-context': 'c' };
    writeFileSync(at('kubeconfig'), JSON.stringify(kubeconfig));
  }, 120_000);

  for (const name of CHART_NAMES) {
    it(`template ${name}: the sources' output`, async () => {
      const args = ['template', name, '-n', 'linkerd', '-f', at(`${name}.json`)];
      const [b, s] = await Promise.all([bundled(args), sources(args)]);
      expect(b.code, b.stderr).toBe(0);
      expect({ ...b, stdout: masked(b.stdout) }).toEqual({ ...s, stdout: masked(s.stdout) });
      expect(b.stdout.length).toBeGreaterThan(1000);
    }, 60_000);
  }

  const cases: [string, string[]][] = [
    ['--version', ['--version']],
    ['--help', ['--help']],
    ['no command', []],
    ['bad values', ['template', 'linkerd-control-plane', '-f', at('linkerd-control-plane.json'), '-f', at('bad.yaml')]],
    // Refused by rules that the built package reads from lib/prebuilt/ (src/prebuild.ts): an owned key in a user map, a request above its limit, annotations too large.
    ['values refused by the chart\'s rules', ['template', 'linkerd-control-plane', '-f', at('linkerd-control-plane.json'), '--set', 'identity.podLabels.linkerd\\.io/control-plane-ns=x', '--set-string', 'controllerResources.cpu.request=2', '--set-string', 'controllerResources.cpu.limit=1']],
    ['annotations too large', ['template', 'linkerd-viz', '-f', at('big-annotations.json')]],
    ['a values file that is missing', ['template', 'linkerd-crds', '-f', at('missing.yaml')]],
    ['an unknown chart', ['template', 'linkerd-nope']],
    ['an unknown flag', ['template', 'linkerd-crds', '--nope']],
    ['an unknown command', ['nope']],
    ['validate', ['validate', 'linkerd-viz', '--set', 'prometheus.enabled=false']],
    ['--show-only', ['template', 'linkerd-jaeger', '-s', 'templates/namespace.yaml', '-s', 'templates/nothing*.yaml']],
    // The commands bundle loads @kubernetes/client-node from a bundle of its own (lib/cdk8s-linkerd-kube.js).
    ['check --kubeconfig, a cluster that does not answer', ['check', '--kubeconfig', at('kubeconfig')]],
    ['diff, a cluster that does not answer', ['diff', 'linkerd-viz', '--kubeconfig', at('kubeconfig')]],
  ];
  for (const [what, args] of cases) {
    it(`${what}: the same exit code, stdout and stderr`, async () => {
      const [b, s] = await Promise.all([bundled(args), sources(args)]);
      expect(b).toEqual(s);
    }, 60_000);
  }

  it('synth: the same files and lines', async () => {
    const [b, s] = await Promise.all([bundled(['synth', '-o', at('bundled')]), sources(['synth', '-o', at('sources')])]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toEqual(s.stderr.replaceAll(at('sources'), at('bundled')));
    const [tb, ts] = [tree(at('bundled')), tree(at('sources'))];
    expect(Object.keys(tb).length).toBeGreaterThan(10);
    expect(tb).toEqual(ts);
  }, 120_000);
});
