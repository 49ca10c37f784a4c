/** The cdk8s-linkerd command as a user runs it: a real process, exit codes, output. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalize, scratchDir } from './support/render';

const bin = join(__dirname, '..', 'bin', 'cdk8s-linkerd.js');
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cdk8s-linkerd', () => {
  it('template prints the manifests like helm template', () => {
    const r = cli(['template', 'linkerd-crds', '-n', 'linkerd']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^---\n# Source: linkerd-crds\/templates\//);
    const docs = normalize(r.stdout);
    expect(docs.length).toBeGreaterThanOrEqual(10);
    expect(docs.every((d) => (d.metadata as unknown as { labels: Record<string, string> }).labels['linkerd.io/control-plane-ns'] === 'linkerd')).toBe(true);
  });

  it('reads values from stdin with -f -', () => {
    const r = cli(['validate', 'linkerd-crds', '-f', '-'], 'installGatewayAPI: false\n');
    expect(r).toMatchObject({ code: 0, stdout: 'linkerd-crds: values are valid\n' });
  });

  it('rejects bad values with one line per problem, exit 1, no stack trace', () => {
    const r = cli(['template', 'linkerd-crds', '--set', 'installGatewayAPI=true,bogus=1,linkerdVersion=']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n').sort()).toEqual([
      'error: linkerd-crds: bogus: unknown key (not a value of this chart)',
      expect.stringMatching(/^error: linkerd-crds: linkerdVersion: /),
    ]);
    // a refusal by a rule, once the schema passes: it points at the gateway-api-crds chart
    const rules = cli(['template', 'linkerd-crds', '--set', 'installGatewayAPI=true,enableTlsRoutes=true']);
    expect(rules.code).toBe(1);
    expect(rules.stderr.trim().split('\n')).toEqual(
      ['installGatewayAPI', 'enableTlsRoutes'].map(
        (key) => `error: linkerd-crds: ${key}: the Gateway API CRDs are not part of linkerd-crds: install the gateway-api-crds chart (Gateway API v1.5.1; Linkerd edge-26.8.3 needs v1.2.1 or later) before the control plane, and leave ${key} false`,
      ),
    );
  });

  it('reports unreadable and malformed values files', () => {
    const dir = scratchDir('cli');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'a: [1\n');
    expect(cli(['template', 'linkerd-crds', '-f', join(dir, 'missing.yaml')])).toMatchObject({ code: 1 });
    const r = cli(['template', 'linkerd-crds', '-f', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*bad\.yaml: not valid YAML/);
  });

  it('answers bad usage with exit 2', () => {
    expect(cli(['template', 'no-such-chart']).code).toBe(2);
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli(['template', 'linkerd-crds', '--no-such-flag']).code).toBe(2);
  });

  it('has --help on every command', () => {
    for (const cmd of ['template', 'validate', 'synth', 'charts', 'certs', 'argocd']) {
      const r = cli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: cdk8s-linkerd ${cmd}`);
    }
  });

  it('synth writes nothing when values are bad', () => {
    const dir = scratchDir('synth');
    const values = join(dir, 'values.yaml');
    writeFileSync(values, 'linkerd-crds:\n  installGatewayAPI: true\n');
    const out = join(dir, 'out');
    const r = cli(['synth', '-f', values, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('installGatewayAPI');
    expect(existsSync(out)).toBe(false);
  });

  it('synth and charts write every chart with progress lines', () => {
    const dir = scratchDir('out');
    const synth = cli(['synth', '-o', join(dir, 'dist')]);
    expect(synth.code).toBe(0);
    expect(synth.stderr).toMatch(/\[1\/\d+\] dist gateway-api-crds/);
    expect(readdirSync(join(dir, 'dist', 'linkerd-crds')).sort()).toEqual(['kustomization.yaml', 'linkerd-crds.yaml']);
    const charts = cli(['charts', '-o', join(dir, 'charts')]);
    expect(charts.code).toBe(0);
    expect(readdirSync(join(dir, 'charts', 'linkerd-crds')).sort()).toEqual(['.helmignore', 'Chart.yaml', 'README.md', 'templates', 'values.schema.json', 'values.yaml']);
  });
});
