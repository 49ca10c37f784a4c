/**
 * The CLI never destroys or hangs: every refusal is one line with exit code 1 and leaves the
 * file system as it was; writing commands keep files they did not write.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { writeManifest } from '../src/cli/manifest';
import { chartNamed } from '../src/charts';
import { DEFAULT_RELEASE, renderObjects, resolveValues, toManifest } from '../src/helm/chart';
import { recordName } from '../src/outputs';
import { framedAs } from './support/helm';
import { scratchDir } from './support/render';
import { IDENTITY_SET_FILE_FLAGS, IDENTITY_VALUES } from './fixtures/identity';

const bin = join(__dirname, '..', 'bin', 'cdk8s-linkerd.js');

function cli(args: string[], opts: { cwd?: string; node?: string[]; timeout?: number; stdout?: number } = {}) {
  const r = spawnSync(process.execPath, [...(opts.node ?? []), bin, ...args], {
    cwd: opts.cwd,
    encoding: 'utf8',
    timeout: opts.timeout ?? 60_000,
    maxBuffer: 1 << 26,
    stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The command in this process (faster than a process each; the same `run`). */
async function inProcess(args: string[]) {
  return { ...(await runCli(args)), signal: null };
}

/** Every entry under `dir`: type, mode and content (hashed), so that any change shows. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string) => {
    const st = lstatSync(p);
    const rel = relative(dir, p) || '.';
    if (st.isSymbolicLink()) out[rel] = `link -> ${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      out[rel] = `dir ${(st.mode & 0o777).toString(8)}`;
      for (const name of readdirSync(p)) walk(join(p, name));
    } else out[rel] = `file ${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
  };
  walk(dir);
  return out;
}

/** Exit code 1 and exactly one line on stderr, `error: …` matching `pattern`. */
function expectOneLineError(r: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(pattern);
}

describe('certs', () => {
  it('refuses to replace existing key material without --force, saying what is there; --force replaces it', async () => {
    const root = scratchDir('certs-twice');
    const dir = join(root, 'certs');
    expect((await inProcess(['certs', '-o', dir])).code).toBe(0);
    const before = snapshot(root);
    const again = await inProcess(['certs', '-o', dir]);
    expectOneLineError(again, /already holds ca\.crt, ca\.key, issuer\.crt, issuer\.key .*trust anchor.*--force/);
    expect(snapshot(root)).toEqual(before);

    // One file is enough to refuse, and it is named.
    const partial = join(root, 'partial');
    mkdirSync(partial);
    writeFileSync(join(partial, 'issuer.key'), 'mine\n');
    const p = snapshot(root);
    expectOneLineError(await inProcess(['certs', '-o', partial]), /already holds issuer\.key \(private key of an existing issuer\)/);
    expect(snapshot(root)).toEqual(p);

    const key = readFileSync(join(dir, 'ca.key'), 'utf8');
    const forced = await inProcess(['certs', '-o', dir, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'ca.key'), 'utf8')).not.toBe(key);
    expect(lstatSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(dir, 'issuer.key')).mode & 0o777).toBe(0o600);
  });

  it('never writes a key through a symbolic link, even with --force', async () => {
    const root = scratchDir('certs-link');
    const dir = join(root, 'certs');
    mkdirSync(dir);
    writeFileSync(join(root, 'elsewhere'), 'precious\n');
    symlinkSync(join(root, 'elsewhere'), join(dir, 'ca.key'));
    const before = snapshot(root);
    expectOneLineError(await inProcess(['certs', '-o', dir, '--force']), /ca\.key is not a regular file/);
    expect(snapshot(root)).toEqual(before);
  });
});

describe('synth, charts and argocd outputs', () => {
  it.runIf(process.platform === 'linux' && existsSync('/proc/self'))('synth -o /proc/nope: one line, exit 1, quickly (no spinning)', () => {
    const t = Date.now();
    const r = cli(['synth', '-o', '/proc/nope/dist'], { timeout: 30_000 });
    expect(r.signal).toBeNull();
    expectOneLineError(r, /cannot create the folder \/proc\/nope/);
    expect(Date.now() - t).toBeLessThan(30_000);
    expect(existsSync('/proc/nope')).toBe(false);
  });

  it('synth -o FILE/sub: one line, exit 1, nothing written', async () => {
    const root = scratchDir('synth-file');
    writeFileSync(join(root, 'FILE'), 'a file\n');
    const before = snapshot(root);
    expectOneLineError(await inProcess(['synth', '-o', join(root, 'FILE', 'sub')]), /FILE is a file, not a folder/);
    expect(snapshot(root)).toEqual(before);
  });

  it('synth into a folder where a generated file is a folder, or a symbolic link, writes nothing', async () => {
    const root = scratchDir('synth-conflict');
    const out = join(root, 'dist');
    mkdirSync(join(out, 'linkerd-crds', 'kustomization.yaml'), { recursive: true });
    let before = snapshot(root);
    expectOneLineError(await inProcess(['synth', '-o', out]), /kustomization\.yaml is a folder where cdk8s-linkerd synth writes a file; nothing was written/);
    expect(snapshot(root)).toEqual(before);

    const out2 = join(root, 'dist2');
    mkdirSync(join(out2, 'linkerd-crds'), { recursive: true });
    writeFileSync(join(root, 'precious'), 'mine\n');
    symlinkSync(join(root, 'precious'), join(out2, 'linkerd-crds', 'linkerd-crds.yaml'));
    before = snapshot(root);
    expectOneLineError(await inProcess(['synth', '-o', out2]), /linkerd-crds\.yaml is a symbolic link where cdk8s-linkerd synth writes a file/);
    expect(snapshot(root)).toEqual(before);
  });

  it('synth keeps files a user put in DIR/<chart>/, says so, and removes only stale files it wrote', async () => {
    const out = join(scratchDir('synth-keep'), 'dist');
    expect((await inProcess(['synth', '-o', out])).code).toBe(0);
    const generated = snapshot(out);
    expect(readdirSync(out)).toContain(recordName('synth'));

    writeFileSync(join(out, 'linkerd-crds', 'my-patch.yaml'), 'mine: true\n');
    mkdirSync(join(out, 'linkerd-viz', 'notes'));
    writeFileSync(join(out, 'linkerd-viz', 'notes', 'README'), 'mine\n');
    writeFileSync(join(out, 'top-level-file'), 'mine\n');
    // A file an earlier version wrote (listed in the record) that this one no longer writes.
    mkdirSync(join(out, 'linkerd-old'));
    writeFileSync(join(out, 'linkerd-old', 'linkerd-old.yaml'), 'stale\n');
    writeFileSync(join(out, recordName('synth')), `${readFileSync(join(out, recordName('synth')), 'utf8')}linkerd-old/linkerd-old.yaml\n`);
    const r = await inProcess(['synth', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('removed 1 stale generated file: linkerd-old/linkerd-old.yaml');
    expect(r.stderr).toMatch(/left alone 2 files that cdk8s-linkerd synth did not write: linkerd-crds\/my-patch\.yaml, linkerd-viz\/notes\/README/);
    expect(readFileSync(join(out, 'linkerd-crds', 'my-patch.yaml'), 'utf8')).toBe('mine: true\n');
    expect(readFileSync(join(out, 'linkerd-viz', 'notes', 'README'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(out, 'top-level-file'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(out, 'linkerd-old'))).toBe(false);
    const after = snapshot(out);
    for (const k of ['linkerd-crds/my-patch.yaml', 'linkerd-viz/notes', 'linkerd-viz/notes/README', 'top-level-file']) delete after[k];
    expect(after).toEqual(generated);
  });

  it('charts removes a template it no longer writes (stale) but keeps one a user added', async () => {
    const out = join(scratchDir('charts-keep'), 'charts');
    expect((await inProcess(['charts', '-o', out])).code).toBe(0);
    const generated = snapshot(out);
    mkdirSync(join(out, 'linkerd-crds', 'templates', 'old'));
    writeFileSync(join(out, 'linkerd-crds', 'templates', 'old', 'renamed.yaml'), 'stale\n');
    writeFileSync(join(out, recordName('charts')), `${readFileSync(join(out, recordName('charts')), 'utf8')}linkerd-crds/templates/old/renamed.yaml\n`);
    writeFileSync(join(out, 'linkerd-crds', 'templates', 'extra.yaml'), 'mine\n');
    const r = await inProcess(['charts', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'linkerd-crds', 'templates', 'old'))).toBe(false);
    expect(readFileSync(join(out, 'linkerd-crds', 'templates', 'extra.yaml'), 'utf8')).toBe('mine\n');
    const after = snapshot(out);
    delete after['linkerd-crds/templates/extra.yaml'];
    expect(after).toEqual(generated);
  });

  it('a record cannot make synth delete anything outside its folder, or through a link', async () => {
    const root = scratchDir('synth-record');
    const out = join(root, 'dist');
    expect((await inProcess(['synth', '-o', out])).code).toBe(0);
    writeFileSync(join(root, 'outside'), 'mine\n');
    mkdirSync(join(root, 'linked'));
    writeFileSync(join(root, 'linked', 'x.yaml'), 'mine\n');
    symlinkSync(join(root, 'linked'), join(out, 'link'));
    writeFileSync(join(out, recordName('synth')), `${readFileSync(join(out, recordName('synth')), 'utf8')}../outside\n${join(root, 'outside')}\nlink/x.yaml\n`);
    expect((await inProcess(['synth', '-o', out])).code).toBe(0);
    expect(readFileSync(join(root, 'outside'), 'utf8')).toBe('mine\n');
    expect(readFileSync(join(root, 'linked', 'x.yaml'), 'utf8')).toBe('mine\n');
  });

  it('argocd -o X points root.yaml at X/apps in the repository, keeps other files, and refuses when it cannot tell', () => {
    const repo = scratchDir('argocd-repo');
    mkdirSync(join(repo, '.git')); // a Git work tree, as far as the command is concerned
    writeFileSync(join(repo, 'README.md'), 'mine\n');
    const args = ['argocd', '--repo', 'https://git.example/mesh.git', '--revision', 'main'];
    const r = cli([...args, '--path', 'gitops/dist', '-o', 'gitops/argo'], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    const rootApp = load(readFileSync(join(repo, 'gitops', 'argo', 'root.yaml'), 'utf8')) as { spec: { source: { path: string } } };
    expect(rootApp.spec.source.path).toBe('gitops/argo/apps');
    const app = load(readFileSync(join(repo, 'gitops', 'argo', 'apps', 'linkerd-crds.yaml'), 'utf8')) as { spec: { source: { path: string } } };
    expect(app.spec.source.path).toBe('gitops/dist/linkerd-crds');

    // From a subfolder, an absolute -o: still its path in the work tree.
    mkdirSync(join(repo, 'sub'));
    expect(cli([...args, '-o', join(repo, 'deploy', 'argocd')], { cwd: join(repo, 'sub') }).code).toBe(0);
    expect((load(readFileSync(join(repo, 'deploy', 'argocd', 'root.yaml'), 'utf8')) as typeof rootApp).spec.source.path).toBe('deploy/argocd/apps');

    // -o . never deletes what is there.
    expect(cli([...args, '-o', '.'], { cwd: repo }).code).toBe(0);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('mine\n');
    expect((load(readFileSync(join(repo, 'root.yaml'), 'utf8')) as typeof rootApp).spec.source.path).toBe('apps');

    // Outside any work tree and the current folder: refused, nothing written; --apps-path says it.
    const outside = join(scratchDir('argocd-outside'), 'argo');
    const cwd = scratchDir('argocd-cwd');
    const before = snapshot(join(outside, '..'));
    expectOneLineError(cli([...args, '-o', outside], { cwd }), /neither in a Git work tree nor under the current folder.*--apps-path/);
    expect(snapshot(join(outside, '..'))).toEqual(before);
    expect(cli([...args, '-o', outside, '--apps-path', 'ops/argocd/apps'], { cwd }).code).toBe(0);
    expect((load(readFileSync(join(outside, 'root.yaml'), 'utf8')) as typeof rootApp).spec.source.path).toBe('ops/argocd/apps');
  });

  it('argocd refuses a --repo that is not a Git URL (and bad names), writing nothing; accepts the URL forms Argo CD clones', () => {
    const repo = scratchDir('argocd-url');
    mkdirSync(join(repo, '.git'));
    const before = snapshot(repo);
    const base = ['argocd', '--revision', 'main', '-o', 'argo'];
    expectOneLineError(cli([...base, '--repo', 'not-a-url'], { cwd: repo }), /--repo not-a-url: not a Git repository URL/);
    expectOneLineError(cli([...base, '--repo', 'https://'], { cwd: repo }), /--repo https:\/\/: not a Git repository URL/);
    expectOneLineError(cli([...base, '--repo', 'https://git.example/x.git', '--project', 'Not_A_Name'], { cwd: repo }), /--project Not_A_Name: not an AppProject name/);
    expectOneLineError(cli([...base, '--repo', 'https://git.example/x.git', '--path', '../up'], { cwd: repo }), /--path \.\.\/up: not a path inside the repository/);
    expect(snapshot(repo)).toEqual(before);
    for (const url of ['https://github.com/org/mesh.git', 'ssh://git@github.com/org/mesh.git', 'git@github.com:org/mesh.git']) {
      expect(cli(['argocd', '--revision', 'main', '-o', 'argo', '--repo', url], { cwd: repo }).code, url).toBe(0);
    }
  });
});

describe('a file the command did not write, at a path it writes', () => {
  const argocd = ['argocd', '--repo', 'https://git.example/mesh.git', '--revision', 'main', '--apps-path', 'argo/apps'];
  const cases: { command: string; args: (out: string) => string[]; mine: string[] }[] = [
    { command: 'synth', args: (out) => ['synth', '-o', out], mine: ['linkerd-viz/linkerd-viz.yaml', 'linkerd-crds/kustomization.yaml'] },
    { command: 'charts', args: (out) => ['charts', '-o', out], mine: ['linkerd-viz/Chart.yaml', 'linkerd-crds/values.yaml'] },
    { command: 'argocd', args: (out) => [...argocd, '-o', out], mine: ['root.yaml', 'apps/project.yaml'] },
  ];
  for (const { command, args, mine } of cases) {
    it(`${command}: refuses, naming every such file, and writes nothing; --force replaces them; a re-run over its own output needs no --force`, async () => {
      const root = scratchDir(`theirs-${command}`);
      const out = join(root, 'out');
      for (const rel of mine) {
        mkdirSync(join(out, rel, '..'), { recursive: true });
        writeFileSync(join(out, rel), `mine: ${rel}\n`);
      }
      const before = snapshot(root);
      const r = await inProcess(args(out));
      expectOneLineError(r, new RegExp(`did not write where it writes: ${[...mine].sort().map((m) => m.replace(/\./g, '\\.')).join(', ')}; nothing was written.*--force`));
      expect(snapshot(root)).toEqual(before);

      const forced = await inProcess([...args(out), '--force']);
      expect(forced.code, forced.stderr).toBe(0);
      for (const rel of mine) expect(readFileSync(join(out, rel), 'utf8')).not.toBe(`mine: ${rel}\n`);
      const generated = snapshot(root);

      // Its own earlier output: replaced without --force, even after an edit of a file it wrote.
      writeFileSync(join(out, mine[0]), 'edited\n');
      const again = await inProcess(args(out));
      expect(again.code, again.stderr).toBe(0);
      expect(snapshot(root)).toEqual(generated);
    });
  }

  it('synth: a folder without a record that already holds the very bytes it writes is taken as its own', async () => {
    const out = join(scratchDir('theirs-same'), 'dist');
    expect((await inProcess(['synth', '-o', out])).code).toBe(0);
    unlinkSync(join(out, recordName('synth')));
    const r = await inProcess(['synth', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('values flags', () => {
  it('--set-file with a missing file names the flag, the key and the file', async () => {
    const r = await inProcess(['template', 'linkerd-crds', '--set-file', 'some.key=/nonexistent/file.txt']);
    expectOneLineError(r, /^error: --set-file some\.key=\/nonexistent\/file\.txt: key some\.key: cannot read \/nonexistent\/file\.txt: no such file$/);
  });

  it('--set-json sets JSON values like Helm', async () => {
    const r = await inProcess(['template', 'linkerd-crds', '--set-json', 'installGatewayAPI=false,bogus={"a":[1]}']);
    expectOneLineError(r, /linkerd-crds: bogus: unknown key/);
    expect((await inProcess(['validate', 'linkerd-crds', '--set-json', 'installGatewayAPI=false'])).code).toBe(0);
    expectOneLineError(await inProcess(['validate', 'linkerd-crds', '--set-json', 'installGatewayAPI=nope']), /--set-json installGatewayAPI=nope: installGatewayAPI: not a JSON value/);
  });

  it('template streams the very bytes toManifest writes (in Helm 4\'s framing), long strings with every kind of escape included', () => {
    const chars = [0, 7, 9, 10, 13, 27, 34, 92, 0x7f, 0x85, 0xa0, 0xa1, 0x2028, 0x2029, 0xd800, 0xdc00, 0xfeff, 0xfffe, 0x1f600, 0x41, 0x20];
    const long = Array.from({ length: 70_000 }, (_, i) => String.fromCodePoint(chars[i % chars.length])).join('') + '\ud83d';
    const def = chartNamed('linkerd-control-plane');
    const user = { ...IDENTITY_VALUES, podAnnotations: { 'example.com/long': long, 'example.com/base60': `${'1:2:'.repeat(5000)}3` } };
    const objects = renderObjects(def, resolveValues(def, user), DEFAULT_RELEASE);
    let streamed = '';
    writeManifest(def.name, objects, (x) => (streamed += x));
    expect(framedAs(3, streamed) === toManifest(def.name, objects)).toBe(true);
  });

  it('a 32 MB --set-file annotation is refused within a 1 GB heap, naming the key and not echoing the value', () => {
    const dir = scratchDir('big-set-file');
    const big = join(dir, 'big.txt');
    const fd = openSync(big, 'w');
    const line = `${'A'.repeat(75)}\n`.repeat(1024);
    for (let i = 0; i < 32 * 1024 * 1024; i += line.length) writeSync(fd, line);
    closeSync(fd);
    const r = cli(
      ['template', 'linkerd-control-plane', ...IDENTITY_SET_FILE_FLAGS, '--set-file', `podAnnotations.example\\.com/big=${big}`],
      { node: ['--max-old-space-size=1024'], timeout: 300_000 },
    );
    // The API server takes at most 256 KiB of annotations per object: the values model refuses more.
    expect(r.code, r.stderr.slice(0, 500)).toBe(1);
    expect(r.stderr).toMatch(/^error: linkerd-control-plane: podAnnotations\.example\.com\/big: /);
    expect(r.stderr.length).toBeLessThan(2000);
  }, 320_000);
});


