/**
 * `cdk8s-linkerd template` takes the flags Helm users reach for, with Helm's meaning, compared
 * with real `helm template` (Helm 3 and 4): --output-dir (and the --release-name switch),
 * --show-only, --kube-version, --api-versions and the release name's rule. A flag it does not
 * take gets one line naming the closest flag.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { run } from '../src/cli/main';
import { HELM_MAJORS, framedAs, helmBinary, type HelmMajor } from './support/helm';
import { scratchDir } from './support/render';

const execFileAsync = promisify(execFile);
const chartsDir = join(__dirname, '..', 'charts');

async function ours(args: string[]) {
  const r = await runCli(['template', ...args]);
  return { ok: r.code === 0, ...r };
}

/** `helm template` with `args` (the chart given as a name of charts/, replaced by its folder). */
async function helm(major: HelmMajor, args: string[], cwd?: string) {
  const full = args.map((a) => (/^linkerd[-a-z0-9]*$/.test(a) && readdirSync(chartsDir).includes(a) ? join(chartsDir, a) : a));
  try {
    const r = await execFileAsync(helmBinary(major), ['template', ...full], { cwd, maxBuffer: 1 << 28 });
    return { ok: true, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return { ok: false, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Every file under `dir` → its content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) walk(join(p, n));
    else out[relative(dir, p)] = readFileSync(p, 'utf8');
  };
  walk(dir);
  return out;
}

describe('--output-dir', () => {
  // Helm 3 orders webhook configurations among unknown kinds (test/byte-identical.test.ts), so
  // a chart with one is compared with Helm 4 only. Helm 3 writes no blank line after a document (framedAs).
  const cases: { chart: string; majors: HelmMajor[]; name?: string; extra?: string[] }[] = [
    { chart: 'linkerd-crds', majors: HELM_MAJORS },
    { chart: 'linkerd-multicluster', majors: HELM_MAJORS, name: 'mc', extra: ['--release-name'] },
    { chart: 'linkerd2-cni', majors: HELM_MAJORS, name: 'cni', extra: ['-n', 'linkerd-cni'] },
  ];
  for (const { chart, majors, name, extra = [] } of cases) {
    for (const major of majors) {
      it(`${chart} ${extra.join(' ')}: the same files and 'wrote' lines as Helm ${major}`, async () => {
        const root = scratchDir(`outdir-${chart}`);
        const args = (dir: string) => [...(name ? [name] : []), chart, '--output-dir', dir, ...extra];
        const h = await helm(major, args('helm'), root);
        expect(h.ok, h.stderr).toBe(true);
        const cwd = process.cwd();
        process.chdir(root);
        try {
          const o = await ours(args('ours'));
          expect(o.ok, o.stderr).toBe(true);
          expect(o.stdout).toBe(h.stdout.replaceAll('wrote helm/', 'wrote ours/'));
        } finally {
          process.chdir(cwd);
        }
        const theirs = tree(join(root, 'helm'));
        expect(Object.keys(theirs).length).toBeGreaterThan(0);
        if (name && extra.includes('--release-name')) expect(Object.keys(theirs).every((f) => f.startsWith(`${name}/${chart}/templates/`))).toBe(true);
        expect(Object.fromEntries(Object.entries(tree(join(root, 'ours'))).map(([f, text]) => [f, framedAs(major, text)]))).toEqual(theirs);
      });
    }
  }

  it('keeps a file there that is not a rendered template, writing nothing, unless --force; replaces its own output', async () => {
    const dir = join(scratchDir('outdir-keep'), 'out');
    mkdirSync(join(dir, 'linkerd-crds', 'templates', 'policy'), { recursive: true });
    writeFileSync(join(dir, 'linkerd-crds', 'templates', 'policy', 'server.yaml'), 'mine\n');
    const r = await ours(['linkerd-crds', '--output-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --output-dir .*server\.yaml is not a rendered template \(pass --force to replace it\); nothing was written\n$/);
    expect(Object.keys(tree(dir))).toEqual([join('linkerd-crds', 'templates', 'policy', 'server.yaml')]);
    expect((await ours(['linkerd-crds', '--output-dir', dir, '--force'])).ok).toBe(true);
    const first = tree(dir);
    expect(first[join('linkerd-crds', 'templates', 'policy', 'server.yaml')]).toMatch(/^---\n# Source: linkerd-crds\/templates\/policy\/server\.yaml\n/);
    expect((await ours(['linkerd-crds', '--output-dir', dir])).ok).toBe(true);
    expect(tree(dir)).toEqual(first);
  });
});

describe('--show-only', () => {
  const picks = [
    ['-s', 'templates/policy/server.yaml'],
    ['--show-only', 'templates/policy/http*.yaml', '--show-only', 'templates/serviceprofile.yaml'],
    ['-s', 'templates/[sw]*.yaml'],
  ];
  for (const major of HELM_MAJORS) {
    it.each(picks.map((p) => [p.join(' '), p] as const))(`linkerd-crds %s: what Helm ${major} prints`, async (_, pick) => {
      const h = await helm(major, ['linkerd-crds', ...pick]);
      expect(h.ok, h.stderr).toBe(true);
      const o = await ours(['linkerd-crds', ...pick]);
      expect(o.ok, o.stderr).toBe(true);
      expect(framedAs(major, o.stdout)).toBe(h.stdout);
    });

    it(`a template the chart does not have: refused, as by Helm ${major}`, async () => {
      expect((await helm(major, ['linkerd-crds', '-s', 'templates/nope.yaml'])).ok).toBe(false);
      const o = await ours(['linkerd-crds', '-s', 'templates/nope.yaml']);
      expect(o.code).toBe(1);
      expect(o.stderr).toBe('error: --show-only templates/nope.yaml: no such template in the chart (templates are named templates/<file>.yaml)\n');
    });
  }
});

describe('release name, --kube-version, --api-versions', () => {
  const cases: { args: string[]; ok: boolean }[] = [
    { args: ['Bad_Name', 'linkerd-crds'], ok: false },
    { args: ['a'.repeat(53), 'linkerd-crds'], ok: true },
    { args: ['a'.repeat(54), 'linkerd-crds'], ok: false },
    { args: ['my.release-1', 'linkerd-crds'], ok: true },
    { args: ['-release', 'linkerd-crds'], ok: false },
    { args: ['linkerd-crds', '--kube-version', '1.29'], ok: false },
    { args: ['linkerd-crds', '--kube-version', '1.31'], ok: true },
    { args: ['linkerd-crds', '--kube-version', 'v1.37.2'], ok: true },
    { args: ['linkerd-crds', '--kube-version', 'v1.30.9'], ok: false },
    { args: ['linkerd-crds', '--kube-version', 'foo'], ok: false },
    { args: ['linkerd-crds', '--api-versions', 'example.com/v1', '-a', 'a/v1,b/v2'], ok: true },
  ];
  for (const major of HELM_MAJORS) {
    it.each(cases.map((c) => [c.args.join(' '), c] as const))(`%s: accepted or refused as by Helm ${major}, the same output when accepted`, async (_, c) => {
      // `--` keeps a name starting with '-' a name for Helm's parser; ours gives it as a name too.
      const args = c.args[0].startsWith('-') ? ['--', ...c.args] : c.args;
      const h = await helm(major, args);
      expect(h.ok, h.stderr).toBe(c.ok);
      const o = await ours(c.args[0].startsWith('-') ? [`--release-name=${c.args[0]}`, c.args[1]] : c.args);
      expect(o.ok, o.stderr).toBe(c.ok);
      if (c.ok) expect(framedAs(major, o.stdout)).toBe(h.stdout);
      else expect(o.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    });
  }

  // Helm renders any namespace; the API server takes DNS-1123 labels only, and the templates write the
  // namespace unquoted inside names: the command refuses the others first (docs/parity.md).
  it.each([['Linkerd'], ['a#b'], ['a: b'], ['-x'], ['a'.repeat(64)], ['a.b']])('namespace %s: refused in one line naming it (the API server would refuse it)', async (ns) => {
    const r = await ours(['linkerd-crds', `--namespace=${ns}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: namespace ${JSON.stringify(ns)}: not a namespace the API server accepts (a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)\n`);
  });

  it.each([['123'], ['null'], ['no'], ['a'.repeat(63)], ['mesh-1']])('namespace %s: a DNS-1123 label, rendered as by Helm', async (ns) => {
    const [h, o] = await Promise.all([helm(4, ['linkerd-jaeger', '-n', ns]), ours(['linkerd-jaeger', '-n', ns])]);
    expect(o.ok, o.stderr).toBe(true);
    expect(framedAs(4, o.stdout)).toBe(h.stdout);
  });

  it('--release-name NAME is checked by the same rule', async () => {
    const r = await ours(['linkerd-crds', '--release-name', 'Bad_Name']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: release name "Bad_Name": not a release name/);
  });
});

describe('flags the command does not take', () => {
  it.each([
    [['template', 'linkerd-crds', '-o', 'x'], '-o', '--output-dir'],
    [['template', 'linkerd-crds', '--ouput-dir', 'x'], '--ouput-dir', '--output-dir'],
    [['template', 'linkerd-crds', '--show-onyl', 'x'], '--show-onyl', '--show-only'],
    [['template', 'linkerd-crds', '--kube-verison=1.33'], '--kube-verison', '--kube-version'],
    [['synth', '--focre'], '--focre', '--force'],
    [['certs', '-o', 'x', '--trust-domian', 'a'], '--trust-domian', '--trust-domain'],
  ])('%j: one line naming the closest flag, exit 2', async (argv, bad, closest) => {
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: ${argv[0]}: unknown flag ${bad}; the closest is ${closest} ('cdk8s-linkerd ${argv[0]} --help' lists them)\n`);
  });

  it('a flag without its value: one line', async () => {
    let stderr = '';
    expect(await run(['template', 'linkerd-crds', '--namespace'], { stdout: () => {}, stderr: (s) => (stderr += s), readFile: (p) => readFileSync(p, 'utf8') })).toBe(2);
    expect(stderr).toBe('error: template: --namespace needs a value (--namespace VALUE)\n');
  });
});
