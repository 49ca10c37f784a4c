/**
 * The day-2 commands without a cluster: `check --kubeconfig`, `diff` and `upgrade-plan` on bad
 * input and on a cluster that refuses the connection (one line each, their exit codes, nothing
 * written), and the pieces their cluster tests rely on: the unified diff kubectl users read, the
 * ids of the objects, and the restart reasons of a plan. The commands against a live cluster are
 * in test/cluster/check-live.test.ts, diff-upgrade-plan.test.ts and rotation.test.ts.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectId, unifiedDiff, type ObjectDiff } from '../src/check/live-diff';
import { restartsOf } from '../src/check/upgrade-plan';
import { IDENTITY_SET_FILE_FLAGS } from './fixtures/identity';
import { runCli } from './support/cli';
import { scratchDir } from './support/render';

const cli = runCli;

/** A kubeconfig for a server on 127.0.0.1 port 1, where nothing listens (the connection is refused). */
function refusedKubeconfig(): string {
  const dir = scratchDir('day2');
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster: {server: "https://127.0.0.1:1"}', 'contexts:', '- name: x', '  context: {cluster: c, user: u}', 'current-context: x', 'users:', '- name: u', '  user: {token: t}', ''].join('\n'),
  );
  return file;
}

describe('check --kubeconfig, diff and upgrade-plan without a cluster', () => {
  it('a cluster that refuses the connection is one line naming the server and the kubeconfig (check: exit 1; diff and upgrade-plan: exit 4)', async () => {
    const config = refusedKubeconfig();
    const line = `error: cannot reach the cluster at https://127.0.0.1:1 (context x of ${config}): ECONNREFUSED\n`;
    const check = await cli(['check', '--kubeconfig', config]);
    expect(check).toEqual({ code: 1, stdout: '', stderr: line });
    const diff = await cli(['diff', 'linkerd-crds', '--kubeconfig', config]);
    expect(diff).toEqual({ code: 4, stdout: '', stderr: line });
    const plan = await cli(['upgrade-plan', '--kubeconfig', config]);
    expect(plan).toEqual({ code: 4, stdout: '', stderr: line });
  });

  it('a kubeconfig that is missing, or a context it does not have, is named', async () => {
    const missing = join(scratchDir('day2'), 'nope');
    expect(await cli(['check', '--kubeconfig', missing])).toEqual({ code: 1, stdout: '', stderr: `error: --kubeconfig ${missing}: no such file\n` });
    const config = refusedKubeconfig();
    expect((await cli(['check', '--kubeconfig', config, '--context', 'prod'])).stderr).toBe(`error: --context prod: no such context in ${config} (contexts: x)\n`);
  });

  it('diff checks the values before it asks the cluster, naming the key; nothing is written', async () => {
    const dir = scratchDir('day2');
    const r = await cli(['diff', 'linkerd-control-plane', '--kubeconfig', join(dir, 'kubeconfig'), ...IDENTITY_SET_FILE_FLAGS, '--set', 'controllerReplicas=-1']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error: linkerd-control-plane: controllerReplicas: /);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('bad usage is exit 2 with one line', async () => {
    expect(await cli(['check', '--context', 'x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --context needs --kubeconfig FILE\n/) });
    expect(await cli(['upgrade-plan', '--to', '0.1.0'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: --to VERSION and --registry oci:\/\/HOST\/PATH go together/) });
    expect(await cli(['upgrade-plan', '--to', '0.1.0', '--registry', 'localhost:5000/linkerd'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/expected oci:\/\/HOST\[:PORT\]\/PATH/) });
    expect(await cli(['diff'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: diff takes \[NAME\] CHART/) });
    expect(await cli(['diff', 'linkerd-crds', '--dry-run'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown flag --dry-run/) });
  });

  it('--help documents each command and its exit codes', async () => {
    for (const command of ['diff', 'upgrade-plan', 'check']) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Exit codes: /);
    }
    expect((await cli(['check', '--help'])).stdout).toContain('--kubeconfig FILE');
    const main = await cli(['--help']);
    expect(main.stdout).toMatch(/^ {2}diff \[NAME\] <chart> /m);
    expect(main.stdout).toMatch(/^ {2}upgrade-plan /m);
  });
});

describe('the diff kubectl users read', () => {
  it('names objects as kubectl diff does: group.version.Kind.namespace.name', () => {
    expect(objectId({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' } })).toBe('apps.v1.Deployment.shop.web');
    expect(objectId({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'linkerd' } })).toBe('v1.ConfigMap.linkerd.c');
    expect(objectId({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'servers.policy.linkerd.io' } })).toBe('apiextensions.k8s.io.v1.CustomResourceDefinition.servers.policy.linkerd.io');
  });

  it('prints a unified diff with three lines of context, empty when nothing changes, and a new object from line 0', () => {
    const before = ['a: 1', 'b: 2', 'c: 3', 'd: 4', 'e: 5', 'f: 6', ''].join('\n');
    expect(unifiedDiff('v1.ConfigMap.ns.x', before, before)).toBe('');
    expect(unifiedDiff('v1.ConfigMap.ns.x', before, before.replace('e: 5', 'e: 50'))).toBe(
      ['diff -u -N live/v1.ConfigMap.ns.x merged/v1.ConfigMap.ns.x', '--- live/v1.ConfigMap.ns.x', '+++ merged/v1.ConfigMap.ns.x', '@@ -2,5 +2,5 @@', ' b: 2', ' c: 3', ' d: 4', '-e: 5', '+e: 50', ' f: 6', ''].join('\n'),
    );
    expect(unifiedDiff('v1.ConfigMap.ns.x', '', 'a: 1\n')).toContain('@@ -0,0 +1,1 @@\n+a: 1\n');
  });
});

describe('upgrade-plan: which workloads restart, and why', () => {
  const deployment = (annotations: Record<string, string>, image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'linkerd-destination', namespace: 'linkerd' },
    spec: { replicas: 1, template: { metadata: { annotations }, spec: { containers: [{ name: 'destination', image }] } } },
  });
  const change = (live: object, merged: object): ObjectDiff => ({ id: 'x', kind: 'Deployment', name: 'linkerd-destination', namespace: 'linkerd', change: 'changed', diff: '…', live: live as never, merged: merged as never });

  it('a checksum annotation, a pod-template field, or nothing when only the Deployment itself changes', () => {
    const base = deployment({ 'checksum/config': 'a' }, 'controller:edge-26.8.2');
    expect(restartsOf([change(base, deployment({ 'checksum/config': 'b' }, 'controller:edge-26.8.2'))])).toEqual([
      { workload: 'Deployment linkerd/linkerd-destination', reason: 'checksum checksum/config (configuration it mounts changed)' },
    ]);
    expect(restartsOf([change(base, deployment({ 'checksum/config': 'a' }, 'controller:edge-26.8.3'))])).toEqual([{ workload: 'Deployment linkerd/linkerd-destination', reason: 'pod template: spec.containers.0.image' }]);
    const scaled = { ...base, spec: { ...base.spec, replicas: 3 } };
    expect(restartsOf([change(base, scaled)])).toEqual([]);
  });
});
