/**
 * The charts as users install them: real Helm 4 (server-side apply) and Helm 3 against a real
 * API server, in install order, then upgrades to the HA preset and to CNI mode, a rollback and
 * an uninstall that leaves only what Helm keeps by design.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HelmMajor } from '../support/helm';
import { CHARTS_DIR, IDENTITY_FLAGS, deleteNamespace, eventually, getJson, helm, inventory, kubectl } from './support/cluster';

interface Release {
  name: string;
  namespace: string;
  flags: string[];
}
const RELEASES: Release[] = [
  // the Gateway API before the control plane, whose policy controller watches its routes
  { name: 'gateway-api-crds', namespace: 'linkerd', flags: [] },
  { name: 'linkerd-crds', namespace: 'linkerd', flags: [] },
  { name: 'linkerd-control-plane', namespace: 'linkerd', flags: IDENTITY_FLAGS },
  { name: 'linkerd-viz', namespace: 'linkerd-viz', flags: [] },
  { name: 'linkerd-jaeger', namespace: 'linkerd-jaeger', flags: [] },
];
const NAMESPACES = [...new Set(RELEASES.map((r) => r.namespace))];
const CONTROL_PLANE = RELEASES.find((r) => r.name === 'linkerd-control-plane')!;

/** Helm 4 applies server-side; both wait for readiness (and hooks) within a bounded time. */
function waitFlags(major: HelmMajor): string[] {
  return major === 4 ? ['--server-side=true', '--wait=watcher', '--timeout=5m'] : ['--wait', '--timeout=5m'];
}

type Deployment = { metadata: { name: string }; spec: { replicas: number }; status?: { conditions?: { type: string; status: string }[]; availableReplicas?: number; updatedReplicas?: number } };

async function deployments(ns: string): Promise<Deployment[]> {
  return (await getJson<{ items: Deployment[] }>(['get', 'deployments', '-n', ns])).items;
}

/** Every Deployment of the namespace Available with all its replicas updated. */
async function expectAvailable(ns: string, replicas?: number): Promise<string[]> {
  return eventually(`Deployments in ${ns} to be Available`, 120, async () => {
    const ds = await deployments(ns);
    const ready = ds.every(
      (d) => d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') && d.status.availableReplicas === d.spec.replicas && d.status.updatedReplicas === d.spec.replicas,
    );
    if (!ready || ds.length === 0) return undefined;
    if (replicas !== undefined) expect(ds.map((d) => [d.metadata.name, d.spec.replicas])).toEqual(ds.map((d) => [d.metadata.name, replicas]));
    return ds.map((d) => d.metadata.name);
  });
}

async function revision(release: Release, major: HelmMajor): Promise<number> {
  const list = JSON.parse((await helm(major, ['list', '-n', release.namespace, '-o', 'json', '--filter', `^${release.name}$`])).stdout) as { revision: string; status: string }[];
  expect(list).toHaveLength(1);
  expect(list[0].status).toBe('deployed');
  return Number(list[0].revision);
}

describe.each([4, 3] as HelmMajor[])('Helm %i', (major) => {
  let before: Set<string>;

  beforeAll(async () => {
    before = await inventory();
  });

  afterAll(async () => {
    // Leave a clean cluster for the next suite even when a step failed.
    for (const r of [...RELEASES].reverse()) await helm(major, ['uninstall', r.name, '-n', r.namespace, '--ignore-not-found', '--wait']).catch(() => undefined);
    for (const ns of NAMESPACES) await deleteNamespace(ns);
  });

  it('installs gateway-api-crds, linkerd-crds, linkerd-control-plane, linkerd-viz and linkerd-jaeger in order, waiting for each', async () => {
    for (const r of RELEASES) {
      const out = await helm(major, ['install', r.name, join(CHARTS_DIR, r.name), '-n', r.namespace, '--create-namespace', ...r.flags, ...waitFlags(major)]);
      expect(out.stdout).toMatch(/STATUS: deployed/);
      console.log(`helm${major} install ${r.name}: deployed`);
    }
  });

  it('has every Deployment Available, the heartbeat CronJob, and the post-install hooks run and cleaned up', async () => {
    for (const ns of NAMESPACES) console.log(`${ns}: ${(await expectAvailable(ns)).join(', ')}`);
    const cronjobs = (await getJson<{ items: { metadata: { name: string } }[] }>(['get', 'cronjobs', '-n', 'linkerd'])).items.map((c) => c.metadata.name);
    expect(cronjobs).toEqual(['linkerd-heartbeat']);
    // The namespace-metadata hooks ran to completion (Helm waited for them) and were deleted (hook-succeeded).
    for (const ns of ['linkerd-viz', 'linkerd-jaeger']) {
      const jobs = (await getJson<{ items: unknown[] }>(['get', 'jobs', '-n', ns])).items;
      expect(jobs, `hook Jobs left in ${ns}`).toEqual([]);
      const hooks = (await helm(major, ['get', 'hooks', ns, '-n', ns])).stdout;
      expect(hooks).toMatch(/^kind: "?Job"?$/m);
    }
  });

  it('upgrades the control plane to the HA preset (3 replicas each, PodDisruptionBudgets)', async () => {
    // With the HA preset the webhooks fail closed; as upstream documents for HA, the control
    // plane's own namespace is exempt, or its pods could not be created while the injector restarts.
    await kubectl(['label', 'namespace', 'linkerd', 'config.linkerd.io/admission-webhooks=disabled', '--overwrite']);
    const from = await revision(CONTROL_PLANE, major);
    await helm(major, ['upgrade', CONTROL_PLANE.name, join(CHARTS_DIR, CONTROL_PLANE.name), '-n', 'linkerd', ...IDENTITY_FLAGS, '-f', join(CHARTS_DIR, CONTROL_PLANE.name, 'values-ha.yaml'), ...waitFlags(major)]);
    expect(await revision(CONTROL_PLANE, major)).toBe(from + 1);
    await expectAvailable('linkerd', 3);
    const pdbs = (await getJson<{ items: { metadata: { name: string } }[] }>(['get', 'pdb', '-n', 'linkerd'])).items.map((p) => p.metadata.name);
    expect(pdbs.length).toBeGreaterThanOrEqual(3);
  });

  it('upgrades the control plane to cniEnabled=true (no proxy-init in its pods)', async () => {
    await helm(major, ['upgrade', CONTROL_PLANE.name, join(CHARTS_DIR, CONTROL_PLANE.name), '-n', 'linkerd', ...IDENTITY_FLAGS, '--set', 'cniEnabled=true', ...waitFlags(major)]);
    await expectAvailable('linkerd', 1);
    const pods = (await getJson<{ items: { metadata: { name: string; deletionTimestamp?: string }; spec: { initContainers?: { name: string }[] } }[] }>(['get', 'pods', '-n', 'linkerd', '-l', 'linkerd.io/control-plane-component'])).items.filter((p) => !p.metadata.deletionTimestamp);
    expect(pods.length).toBeGreaterThan(0);
    for (const p of pods) expect((p.spec.initContainers ?? []).map((c) => c.name), p.metadata.name).not.toContain('linkerd-init');
  });

  it('rolls the control plane back to its first revision', async () => {
    await helm(major, ['rollback', CONTROL_PLANE.name, '1', '-n', 'linkerd', ...(major === 4 ? ['--wait=watcher', '--timeout=5m'] : ['--wait', '--timeout=5m'])]);
    const values = JSON.parse((await helm(major, ['get', 'values', CONTROL_PLANE.name, '-n', 'linkerd', '-o', 'json'])).stdout) as Record<string, unknown>;
    expect(values.cniEnabled).toBeUndefined();
    expect(values.controllerReplicas).toBeUndefined();
    await expectAvailable('linkerd', 1);
  });

  it('uninstalls everything, leaving only the CRDs and the namespaces Helm created', async () => {
    for (const r of [...RELEASES].reverse()) await helm(major, ['uninstall', r.name, '-n', r.namespace, '--wait']);
    for (const ns of NAMESPACES) await deleteNamespace(ns);
    const after = await inventory();
    const left = [...after].filter((o) => !before.has(o));
    // linkerd-crds' CRDs are templates (as upstream), so Helm deletes them too; gateway-api-crds
    // keeps its CRDs (helm.sh/resource-policy: keep), and with them the APIServices the API server
    // registers for their group. What else may remain is what the cluster itself creates.
    expect(left.filter((o) => !/^(CustomResourceDefinition\/|APIService\/\/[^/]*\.gateway\.networking\.k8s\.io$)/.test(o))).toEqual([]);
    const gone = [...before].filter((o) => !after.has(o) && !/^(Pod|ReplicaSet|Job)\//.test(o));
    expect(gone).toEqual([]);
  });
});
