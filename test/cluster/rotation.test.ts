/**
 * A trust-anchor rotation planned by `cdk8s-linkerd certs rotate`, applied phase by phase to a
 * real API server, with Helm 4 (`helm upgrade --reuse-values -f PHASE/values.yaml`) and through
 * dist/ (`synth -f PHASE/synth-values.yaml`, applied server-side): each phase upgrades cleanly,
 * and `check --kubeconfig` says which phase the cluster is in, down to the workloads still to
 * restart in phase 3.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolDir } from '../../scripts/cluster/tools';
import { IDENTITY_DIR } from '../fixtures/identity';
import { scratchDir } from '../support/render';
import { cli } from './support/cli';
import { CHARTS_DIR, IDENTITY_FLAGS, KUBECONFIG, deleteNamespace, eventually, getJson, helm, kubectl } from './support/cluster';

const wait = ['--server-side=true', '--wait=watcher', '--timeout=4m'];
const rotation = async () => {
  const r = await cli(['check', '--kubeconfig', KUBECONFIG, '-n', 'linkerd', '-o', 'json']);
  const report = JSON.parse(r.stdout) as { findings: { check: string; message: string }[] };
  return { code: r.code, messages: report.findings.filter((f) => f.check === 'cluster-rotation').map((f) => f.message) };
};

/** A Deployment whose pods look injected by the control plane in `linkerd` (kwok runs nothing). */
const meshed = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web', 'linkerd.io/control-plane-ns': 'linkerd' }, annotations: { 'linkerd.io/proxy-version': 'edge-26.8.3' } }, spec: { containers: [{ name: 'app', image: 'example.invalid/app:1' }] } },
  },
};

/** Every pod of these Deployments was created after `since` (a rollout restart has finished). */
async function restarted(since: Date, namespaces: string[]): Promise<void> {
  for (const ns of namespaces) await kubectl(['rollout', 'restart', 'deployment', '-n', ns]);
  await eventually('every restarted pod', 180, async () => {
    const pods = (await getJson<{ items: { metadata: { creationTimestamp: string; deletionTimestamp?: string } }[] }>(['get', 'pods', '-A', '-l', 'linkerd.io/control-plane-ns=linkerd'])).items;
    return pods.every((p) => new Date(p.metadata.creationTimestamp) > since && !p.metadata.deletionTimestamp) ? true : undefined;
  });
}

async function planRotation(): Promise<string> {
  const out = join(scratchDir('rotation'), 'rotation');
  const r = await cli(['certs', 'rotate', '--from', IDENTITY_DIR, '-o', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

describe('certs rotate, phase by phase, with Helm 4', () => {
  let out: string;
  beforeAll(async () => {
    out = await planRotation();
    await helm(4, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd', '--create-namespace', ...wait]);
    await helm(4, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, ...wait]);
    await kubectl(['create', 'namespace', 'shop']);
    await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(meshed));
  });

  afterAll(async () => {
    await deleteNamespace('shop');
    for (const r of ['linkerd-control-plane', 'linkerd-crds']) await helm(4, ['uninstall', r, '-n', 'linkerd', '--ignore-not-found', '--wait']).catch(() => undefined);
    await deleteNamespace('linkerd');
  });

  const upgrade = (phase: string) => helm(4, ['upgrade', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', '--reuse-values', '-f', join(out, phase, 'values.yaml'), ...wait]);

  it('before: no rotation in progress', async () => {
    expect(await rotation()).toEqual({ code: 0, messages: [] });
  });

  it('phase 1 (both anchors trusted) upgrades, and check says phase 1', async () => {
    expect((await upgrade('1-trust-both-anchors')).stdout).toMatch(/STATUS: deployed/);
    const r = await rotation();
    expect(r.messages).toEqual([expect.stringMatching(/^rotation phase 1 of 4: 2 trust anchors, the issuer still signed by an older one; next: the new issuer \(phase 2\)/)]);
    expect(r.code).toBe(3);
  });

  it('phase 2 (the new issuer) upgrades, and check names the workloads still to restart (phase 3)', async () => {
    expect((await upgrade('2-new-issuer')).stdout).toMatch(/STATUS: deployed/);
    const r = await rotation();
    expect(r.messages).toEqual([expect.stringMatching(/^rotation phase 2 of 4: the new issuer is in place \(since .*\); phase 3: restart \d+ workloads whose pods started before it: .*Deployment shop\/web/)]);
  });

  it('phase 3 (every meshed workload restarted) is seen as done', async () => {
    await restarted(new Date(Date.now() - 1000), ['shop', 'linkerd']);
    const r = await rotation();
    expect(r.messages).toEqual(['rotation phase 3 of 4 done: every meshed pod started after the new issuer; next: remove the old trust anchor (phase 4)']);
  });

  it('phase 4 (the old anchor removed) upgrades, and check finds no rotation and nothing wrong', async () => {
    expect((await upgrade('4-remove-old-anchor')).stdout).toMatch(/STATUS: deployed/);
    const r = await rotation();
    expect(r).toEqual({ code: 0, messages: [] });
  });
});

describe('certs rotate, phase by phase, through dist/ (synth -f PHASE/synth-values.yaml, applied server-side)', () => {
  let out: string;
  /** The folders applied (cluster-scoped objects outlive the namespace: they are deleted by folder). */
  const applied: string[] = [];
  const crdDir = toolDir('crds');
  const apply = (dir: string) => {
    applied.push(dir);
    return kubectl(['apply', '--server-side', '--field-manager=gitops', '-k', dir]);
  };
  /** What cert-manager, trust-manager and the out-of-band issuer Secret of ROTATION.md would write (no controller runs here). */
  async function controllersWrite(anchorsPem: string, issuerCrt: string, issuerKey: string) {
    await kubectl(['create', 'configmap', 'linkerd-identity-trust-roots', '-n', 'linkerd', `--from-literal=ca-bundle.crt=${anchorsPem}`, '--dry-run=client', '-o', 'yaml'])
      .then((r) => kubectl(['apply', '--server-side', '--field-manager=trust-manager', '-f', '-'], r.stdout));
    await kubectl(['create', 'secret', 'tls', 'linkerd-identity-issuer', '-n', 'linkerd', `--cert=${issuerCrt}`, `--key=${issuerKey}`, '--dry-run=client', '-o', 'yaml'])
      .then((r) => kubectl(['apply', '--server-side', '--field-manager=kubectl', '-f', '-'], r.stdout));
  }
  const synth = async (phase: string) => {
    const dir = join(scratchDir('rotation-dist'), phase);
    const r = await cli(['synth', '-f', join(out, phase, 'synth-values.yaml'), '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    return dir;
  };

  beforeAll(async () => {
    out = await planRotation();
    for (const sub of ['cert-manager', 'trust-manager']) await kubectl(['apply', '--server-side', '-f', join(crdDir, sub)]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/certificates.cert-manager.io', 'crd/issuers.cert-manager.io', 'crd/bundles.trust.cert-manager.io']);
    await kubectl(['create', 'namespace', 'linkerd']);
  });

  afterAll(async () => {
    for (const dir of [...applied].reverse()) await kubectl(['delete', '-k', dir, '--ignore-not-found', '--wait=true', '--timeout=180s']).catch(() => undefined);
    await deleteNamespace('linkerd');
    await kubectl(['delete', '--ignore-not-found', '-f', join(crdDir, 'cert-manager'), '-f', join(crdDir, 'trust-manager')]).catch(() => undefined);
  });

  it('each phase is applied server-side without a conflict, and check says the phase', async () => {
    const phases = readdirSync(out).filter((f) => /^\d-/.test(f) && f !== '3-restart-workloads').sort();
    expect(phases).toEqual(['1-trust-both-anchors', '2-new-issuer', '4-remove-old-anchor']);
    const current = { crt: join(IDENTITY_DIR, 'issuer.crt'), key: join(IDENTITY_DIR, 'issuer.key') };
    const next = { crt: join(out, 'new', 'issuer.crt'), key: join(out, 'new', 'issuer.key') };
    const expected: Record<string, RegExp | undefined> = { '1-trust-both-anchors': /^rotation phase 1 of 4/, '2-new-issuer': /^rotation phase (2|3) of 4/, '4-remove-old-anchor': undefined };
    for (const phase of phases) {
      const dir = await synth(phase);
      if (phase === phases[0]) {
        await apply(join(dir, 'linkerd-crds'));
        await kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', join(dir, 'linkerd-crds', 'linkerd-crds.yaml')]);
      }
      for (const folder of ['linkerd-certificates', 'linkerd-control-plane']) {
        const applied = (await apply(join(dir, folder))).stdout.split('\n').filter(Boolean);
        expect(applied.every((l) => / serverside-applied$/.test(l)), applied.join('\n')).toBe(true);
      }
      const values = readFileSync(join(out, phase, 'values.yaml'), 'utf8');
      const anchors = (await import('yaml')).parse(values) as { identityTrustAnchorsPEM: string };
      await controllersWrite(anchors.identityTrustAnchorsPEM, phase === '1-trust-both-anchors' ? current.crt : next.crt, phase === '1-trust-both-anchors' ? current.key : next.key);
      const r = await rotation();
      const want = expected[phase];
      if (want) expect(r.messages, phase).toEqual([expect.stringMatching(want)]);
      else expect(r.messages, phase).toEqual([]);
      console.log(`${phase}: ${r.messages[0] ?? 'no rotation in progress'}`);
    }
  });
});
