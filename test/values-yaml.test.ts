/**
 * Values files are read exactly as Helm reads them (src/values/yaml.ts): the same values as
 * the pinned Helm 3 and Helm 4 binaries for every file in test/fixtures/yaml/reader/ (Helm 4
 * where they differ: several documents in a file), the same refusals, and the same rendered
 * objects for the fixtures in test/fixtures/yaml/ through `helm template` and the CLI.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { chartNamed } from '../src/charts';
import { DEFAULT_RELEASE } from '../src/helm/chart';
import { run, userValues } from '../src/cli/main';
import { decodeValuesBytes, readValuesYaml } from '../src/values/yaml';
import { HELM_MAJORS, type HelmMajor } from './support/helm';
import { chartDir, helmTemplate, maskGenerated, normalize, pool, scratchDir, type K8sDoc } from './support/render';
import { IDENTITY_SET_FILE_FLAGS } from './fixtures/identity';

const execFileAsync = promisify(execFile);
const bin = join(__dirname, '..', 'bin', 'cdk8s-linkerd.js');
const FIXTURES = join(__dirname, 'fixtures', 'yaml');
const READER = join(FIXTURES, 'reader');
const REFUSED = join(READER, 'refused');

/** A chart that prints the values Helm read, as JSON. */
let echoChart: string | undefined;
function echo(): string {
  if (!echoChart) {
    const dir = join(scratchDir('values-echo'), 'echo');
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: echo\nversion: 0.1.0\n');
    writeFileSync(join(dir, 'templates', 'values.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndata:\n  json: {{ toJson .Values | quote }}\n');
    echoChart = dir;
  }
  return echoChart;
}

type Read = { ok: true; values: unknown } | { ok: false; error: string };

async function helmValues(major: HelmMajor, file: string): Promise<Read> {
  const r = await helmTemplate(major, echo(), ['-f', file]);
  if (!r.ok) return { ok: false, error: r.stderr.trim() };
  const doc = normalize(r.stdout)[0] as unknown as { data: { json: string } };
  return { ok: true, values: JSON.parse(doc.data.json) };
}

function ourValues(file: string): Read {
  try {
    return { ok: true, values: readValuesYaml(decodeValuesBytes(readFileSync(file))) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Key order does not matter (Go's maps have none). */
const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sorted(x)])) : v;

const yamlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
const multiDocument = (file: string) => /^---/m.test(readFileSync(file, 'utf8'));

describe('the values reader agrees with Helm', () => {
  it.each(yamlFiles(READER))('%s: the same values as Helm 4 (and Helm 3 for one document)', async (name) => {
    const file = join(READER, name);
    const ours = ourValues(file);
    expect(ours.ok, ours.ok ? '' : ours.error).toBe(true);
    for (const major of HELM_MAJORS) {
      const helm = await helmValues(major, file);
      expect(helm.ok, helm.ok ? '' : helm.error).toBe(true);
      if (!helm.ok || !ours.ok) continue;
      if (major === 3 && multiDocument(file)) continue; // Helm 3 reads only the first document; we follow Helm 4
      expect(sorted(ours.values), `Helm ${major}`).toEqual(sorted(helm.values));
    }
  });

  it.each(yamlFiles(REFUSED))('%s: refused, as Helm refuses it, with one line', async (name) => {
    const file = join(REFUSED, name);
    const ours = ourValues(file);
    expect(ours.ok).toBe(false);
    if (!ours.ok) expect(ours.error.split('\n')).toHaveLength(1);
    for (const major of HELM_MAJORS) {
      if (major === 3 && multiDocument(file)) continue;
      expect((await helmValues(major, file)).ok, `Helm ${major}`).toBe(false);
    }
  });

  it('Helm 3 reads only the first document of a file; the CLI follows Helm 4, which merges them', async () => {
    const file = join(READER, 'documents-merge.yaml');
    const h3 = await helmValues(3, file);
    const h4 = await helmValues(4, file);
    expect(h3).not.toEqual(h4);
    expect(sorted((ourValues(file) as { values: unknown }).values)).toEqual(sorted((h4 as { values: unknown }).values));
  });

  it('limits aliases as go-yaml does: a file that is no bomb but mostly aliases is refused, one just below the limit is not', async () => {
    const dir = scratchDir('aliases');
    const list = (n: number) => `[${Array(n).fill('1').join(',')}]`;
    const files = {
      // 300 aliases of a 1001-node list: 99.6 % of the nodes come from aliases (Helm's limit: 99 %).
      refused: `x: &x ${list(1000)}\nl:\n${'  - *x\n'.repeat(300)}`,
      // 150 aliases of a 101-node list: 98.4 %.
      accepted: `x: &x ${list(100)}\nl:\n${'  - *x\n'.repeat(150)}`,
    };
    for (const [name, text] of Object.entries(files)) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, text);
      const ours = ourValues(file);
      for (const major of HELM_MAJORS) {
        const helm = await helmValues(major, file);
        expect(helm.ok, `Helm ${major} ${name}`).toBe(name === 'accepted');
        if (helm.ok && ours.ok) expect(ours.values).toEqual(helm.values);
      }
      expect(ours.ok, name).toBe(name === 'accepted');
    }
  });

  it('refuses an alias bomb in well under 2 s, in the reader and in the command, as Helm does', async () => {
    const file = join(REFUSED, 'alias-bomb.yaml');
    const text = readFileSync(file, 'utf8');
    let t = performance.now();
    expect(() => readValuesYaml(text)).toThrow(/excessive aliasing/);
    expect(performance.now() - t).toBeLessThan(2000);
    let stderr = '';
    t = performance.now();
    const code = await run(['template', 'linkerd-crds', '-f', file], { stdout: () => {}, stderr: (s) => (stderr += s), readFile: (p) => readFileSync(p, 'utf8') });
    expect(performance.now() - t).toBeLessThan(2000);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: .*alias-bomb\.yaml: not valid YAML: line 3: document contains excessive aliasing.*\n$/);
    for (const major of HELM_MAJORS) expect((await helmValues(major, file)).ok).toBe(false);
  });

  it('is the reader of synth -f map files too', async () => {
    const dir = scratchDir('synth-yaml');
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'linkerd-crds:\n  installGatewayAPI: off\n  installGatewayAPI: no\n');
    let stderr = '';
    const io = { stdout: () => {}, stderr: (s: string) => (stderr += s), readFile: (p: string) => readFileSync(p, 'utf8') };
    expect(await run(['synth', '-f', values, '-o', join(dir, 'out')], io), stderr).toBe(0);
    writeFileSync(values, 'a: &a [*a]\n');
    expect(await run(['synth', '-f', values, '-o', join(dir, 'out2')], io)).toBe(1);
    expect(stderr).toContain('contains itself');
  });
});

describe('--set, --set-string, --set-file and --set-json give the values Helm gives', () => {
  const dir = scratchDir('set-flags');
  const base = join(dir, 'base.yaml');
  writeFileSync(base, 'l: [a, b, c]\nm: {x: 1}\ns: str\n');
  writeFileSync(join(dir, 'f1.txt'), 'hi\n');
  writeFileSync(join(dir, 'f2.txt'), 'there\n');
  const f1 = join(dir, 'f1.txt');
  const f2 = join(dir, 'f2.txt');
  const cases: [string, string[], boolean][] = [
    ['a list item from a values file', ['-f', base, '--set', 'l[1]=X'], true],
    ['a key added to a map from a values file', ['-f', base, '--set', 'm.y=2'], true],
    ['{} (a list of one empty string)', ['--set', 'a={}'], true],
    ['lists with --set-string and --set-file', ['--set-string', 'a={x,y}', '--set-file', `b={${f1},${f2}}`], true],
    ['text after }', ['--set', 'a={x}b=1'], true],
    ['typing', ['--set', 'a=-0,b=+7,c=-01,d=007,e=0,f=TRUE,g=Null,h=1e3,i=9223372036854775808,j='], true],
    ['JSON values', ['--set-json', 'a={"x":1},b=[1,2] , c=null,d='], true],
    ['a JSON value in a list', ['--set-json', 'a.b[1]={"q":true}'], true],
    ['--set-json before --set, whatever the order of the flags', ['-f', base, '--set', 'm.w=2', '--set-json', 'm={"z":1}'], true],
    ['a map key under a string from a file', ['-f', base, '--set', 's.a=1'], false],
    ['a list index on a map from a file', ['-f', base, '--set', 'm[0]=1'], false],
    ['JSON followed by junk', ['--set-json', 'a=1x'], false],
    ['not JSON', ['--set-json', 'a=bad'], false],
    ['an empty key in a path', ['--set', 'a..b=1'], false],
    ['a key without a value', ['--set', 'a.b'], false],
  ];
  const flagsOf = (args: string[]) => {
    const flags: Record<string, string[]> = {};
    for (let i = 0; i < args.length; i += 2) (flags[args[i] === '-f' ? 'values' : args[i].slice(2)] ??= []).push(args[i + 1]);
    return flags;
  };
  const io = { stdout: () => {}, stderr: () => {}, readFile: (p: string) => readFileSync(p, 'utf8') };

  it.each(cases)('%s', async (_, args, ok) => {
    let ours: Read;
    try {
      ours = { ok: true, values: userValues(io, flagsOf(args)) };
    } catch (e) {
      ours = { ok: false, error: (e as Error).message };
    }
    expect(ours.ok, ours.ok ? '' : ours.error).toBe(ok);
    for (const major of HELM_MAJORS) {
      const r = await helmTemplate(major, echo(), args);
      expect(r.ok, `Helm ${major}: ${r.stderr}`).toBe(ok);
      if (r.ok && ours.ok) expect(sorted(ours.values), `Helm ${major}`).toEqual(sorted(JSON.parse((normalize(r.stdout)[0] as unknown as { data: { json: string } }).data.json)));
    }
  });
});

/** What each rendering fixture is about, checked on the CLI's objects (so the case cannot pass by accident). */
const find = (docs: K8sDoc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const podAnnotations = (docs: K8sDoc[]) => find(docs, 'Deployment', 'linkerd-destination').spec.template.metadata.annotations;
const podLabels = (docs: K8sDoc[]) => find(docs, 'Deployment', 'linkerd-destination').spec.template.metadata.labels;
const POINT: Record<string, (docs: K8sDoc[]) => void> = {
  'octal.yaml': (docs) => {
    expect(find(docs, 'Deployment', 'linkerd-destination').spec.replicas).toBe(8);
    expect(find(docs, 'Deployment', 'linkerd-destination').spec.revisionHistoryLimit).toBe(3);
  },
  'booleans.yaml': (docs) => {
    expect(find(docs, 'PodDisruptionBudget', 'linkerd-dst')).toBeDefined();
    expect(docs.some((d) => d.kind === 'CronJob')).toBe(false);
  },
  'timestamps.yaml': (docs) => expect(podAnnotations(docs)).toMatchObject({ 'example.com/released': '2001-12-14', 'example.com/at': '2001-12-14T21:59:43.10-05:00', 'example.com/tagged': '2001-12-14' }),
  'signed-float.yaml': (docs) => {
    const pod = find(docs, 'Deployment', 'linkerd-destination').spec.template.spec;
    const proxy = [...pod.containers, ...(pod.initContainers ?? [])].find((c: { name: string }) => c.name === 'linkerd-proxy');
    expect(proxy.resources).toMatchObject({ limits: { cpu: 0.5, memory: 1000 }, requests: { memory: 1000 } });
  },
  'duplicate-key.yaml': (docs) => expect(JSON.stringify(find(docs, 'Deployment', 'linkerd-destination'))).toContain('-log-level=warn'),
  'custom-tags.yaml': (docs) => expect(podAnnotations(docs)).toMatchObject({ 'example.com/count': '10', 'example.com/str': '010', 'example.com/hello': 'hello' }),
  'merge-keys.yaml': (docs) => expect(podLabels(docs)).toMatchObject({ 'example.com/team': 'platform', 'example.com/tier': 'infra' }),
  'keys.yaml': (docs) => expect(podLabels(docs)).toMatchObject({ '1': 'one', true: 'yes', '16': 'hex', '1.5': 'float' }),
  'multi-document.yaml': (docs) => {
    expect(podAnnotations(docs)).toMatchObject({ 'example.com/first': '1', 'example.com/second': '2' });
    expect(JSON.stringify(find(docs, 'Deployment', 'linkerd-destination'))).toContain('-log-level=warn');
  },
};

describe('values files with YAML 1.1 cases render the same objects through Helm and the CLI', () => {
  const files = yamlFiles(FIXTURES);
  it('has a point for every fixture', () => expect(files).toEqual(Object.keys(POINT).sort()));

  it.each(files)('%s', async (name) => {
    const file = join(FIXTURES, name);
    const args = ['-f', file, ...IDENTITY_SET_FILE_FLAGS];
    const cli = await execFileAsync(process.execPath, [bin, 'template', 'linkerd-control-plane', '-n', DEFAULT_RELEASE.namespace, '--release-name', DEFAULT_RELEASE.name, ...args], { maxBuffer: 1 << 28 }).catch(
      (e: { stdout: string; stderr: string; code: number }) => e,
    );
    expect(cli.stderr).toBe('');
    const ours = maskGenerated(normalize(cli.stdout));
    POINT[name](ours);
    const dir = chartDir(chartNamed('linkerd-control-plane'));
    const helm = await pool(HELM_MAJORS, 2, (major) => helmTemplate(major, dir, args));
    HELM_MAJORS.forEach((major, i) => {
      expect(helm[i].ok, helm[i].stderr).toBe(true);
      const theirs = maskGenerated(normalize(helm[i].stdout));
      if (major === 3 && multiDocument(file)) expect(theirs).not.toEqual(ours);
      else expect(theirs, `Helm ${major}`).toEqual(ours);
    });
  });
});


