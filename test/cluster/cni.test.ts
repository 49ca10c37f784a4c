/**
 * linkerd2-cni as users install it, with Helm 4 (server-side apply, `--wait=watcher`) and Helm 3
 * (`--wait`): the plugin's DaemonSet installs into a namespace labelled as the Argo CD
 * Application and the chart README label it (privileged: hostPath), runs on every node, and
 * then a control plane with cniEnabled=true installs and waits in a namespace that enforces
 * "restricted", its pods carrying the network validator and no proxy-init. Then the repair
 * controller is turned on, and everything uninstalls, leaving nothing behind.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CNI_NAMESPACE_LABELS } from '../../src/k8s/namespace';
import type { HelmMajor } from '../support/helm';
import { CHARTS_DIR, IDENTITY_FLAGS, deleteNamespace, eventually, getJson, helm, inventory, kubectl } from './support/cluster';

const CNI = { name: 'linkerd2-cni', namespace: 'linkerd-cni' };
const CONTROL_PLANE_NS = 'linkerd';

function waitFlags(major: HelmMajor): string[] {
  return major === 4 ? ['--server-side=true', '--wait=watcher', '--timeout=5m'] : ['--wait', '--timeout=5m'];
}

type DaemonSet = { metadata: { generation: number }; spec: { template: { spec: { containers: { name: string }[] } } }; status?: { observedGeneration?: number; desiredNumberScheduled?: number; numberReady?: number; numberAvailable?: number; updatedNumberScheduled?: number } };
type Pod = { metadata: { name: string; deletionTimestamp?: string }; spec: { initContainers?: { name: string }[]; containers: { name: string }[]; nodeName?: string } };

async function nodeCount(): Promise<number> {
  return (await getJson<{ items: unknown[] }>(['get', 'nodes'])).items.length;
}

/** The DaemonSet rolled out: one ready, available, updated pod per node. */
async function expectRolledOut(): Promise<DaemonSet> {
  const nodes = await nodeCount();
  return eventually('the linkerd-cni DaemonSet on every node', 120, async () => {
    const ds = await getJson<DaemonSet>(['get', 'daemonset', 'linkerd-cni', '-n', CNI.namespace]);
    const s = ds.status ?? {};
    return s.observedGeneration === ds.metadata.generation && s.desiredNumberScheduled === nodes && s.numberReady === nodes && s.numberAvailable === nodes && s.updatedNumberScheduled === nodes ? ds : undefined;
  });
}

async function pods(ns: string, selector: string): Promise<Pod[]> {
  return (await getJson<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', selector])).items.filter((p) => !p.metadata.deletionTimestamp);
}

async function podSecurityRefusals(ns: string): Promise<string[]> {
  const events = (await getJson<{ items: { reason: string; message: string }[] }>(['get', 'events', '-n', ns])).items;
  return events.filter((e) => e.reason === 'FailedCreate' && /violates PodSecurity/.test(e.message)).map((e) => e.message);
}

describe.each([4, 3] as HelmMajor[])('linkerd2-cni with Helm %i', (major) => {
  let before: Set<string>;

  beforeAll(async () => {
    before = await inventory();
  });

  afterAll(async () => {
    for (const [r, ns] of [['linkerd-control-plane', CONTROL_PLANE_NS], ['linkerd-crds', CONTROL_PLANE_NS], [CNI.name, CNI.namespace]]) {
      await helm(major, ['uninstall', r, '-n', ns, '--ignore-not-found', '--wait']).catch(() => undefined);
    }
    for (const ns of [CONTROL_PLANE_NS, CNI.namespace]) await deleteNamespace(ns);
  });

  it('installs with --wait into its privileged namespace and runs on every node', async () => {
    await kubectl(['create', 'namespace', CNI.namespace]);
    await kubectl(['label', 'namespace', CNI.namespace, ...Object.entries(CNI_NAMESPACE_LABELS).map(([k, v]) => `${k}=${v}`), '--overwrite']);
    const out = await helm(major, ['install', CNI.name, join(CHARTS_DIR, CNI.name), '-n', CNI.namespace, ...waitFlags(major)]);
    expect(out.stdout).toMatch(/STATUS: deployed/);
    const ds = await expectRolledOut();
    expect(ds.spec.template.spec.containers.map((c) => c.name)).toEqual(['install-cni']);
    const running = await pods(CNI.namespace, 'k8s-app=linkerd-cni');
    expect(new Set(running.map((p) => p.spec.nodeName)).size).toBe(await nodeCount());
    expect(await podSecurityRefusals(CNI.namespace)).toEqual([]);
  });

  it('then a cniEnabled control plane installs with --wait where "restricted" is enforced, without proxy-init', async () => {
    await kubectl(['create', 'namespace', CONTROL_PLANE_NS]);
    await kubectl(['label', 'namespace', CONTROL_PLANE_NS, 'pod-security.kubernetes.io/enforce=restricted', '--overwrite']);
    await helm(major, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', CONTROL_PLANE_NS, ...waitFlags(major)]);
    const out = await helm(major, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', CONTROL_PLANE_NS, ...IDENTITY_FLAGS, '--set', 'cniEnabled=true', ...waitFlags(major)]);
    expect(out.stdout).toMatch(/STATUS: deployed/);
    const cp = await pods(CONTROL_PLANE_NS, 'linkerd.io/control-plane-component');
    expect(cp.length).toBeGreaterThanOrEqual(3);
    for (const p of cp) {
      const init = (p.spec.initContainers ?? []).map((c) => c.name);
      expect(init, p.metadata.name).toContain('linkerd-network-validator');
      expect(init, p.metadata.name).not.toContain('linkerd-init');
    }
    expect(await podSecurityRefusals(CONTROL_PLANE_NS)).toEqual([]);
  });

  it('upgrades to the repair controller with --wait (two containers on every node)', async () => {
    await helm(major, ['upgrade', CNI.name, join(CHARTS_DIR, CNI.name), '-n', CNI.namespace, '--set', 'repairController.enabled=true', ...waitFlags(major)]);
    const ds = await expectRolledOut();
    expect(ds.spec.template.spec.containers.map((c) => c.name)).toEqual(['install-cni', 'repair-controller']);
    const role = await getJson<{ rules: { verbs: string[] }[] }>(['get', 'clusterrole', 'linkerd-cni']);
    expect(role.rules.flatMap((r) => r.verbs)).toContain('delete');
  });

  it('uninstalls, leaving only the CRDs linkerd-crds made', async () => {
    for (const [r, ns] of [['linkerd-control-plane', CONTROL_PLANE_NS], ['linkerd-crds', CONTROL_PLANE_NS], [CNI.name, CNI.namespace]]) await helm(major, ['uninstall', r, '-n', ns, '--wait']);
    for (const ns of [CONTROL_PLANE_NS, CNI.namespace]) await deleteNamespace(ns);
    const after = await inventory();
    expect([...after].filter((o) => !before.has(o) && !/^CustomResourceDefinition\//.test(o))).toEqual([]);
    expect((await getJson<{ items: unknown[] }>(['get', 'clusterroles', '-l', 'linkerd.io/cni-resource=true'])).items).toEqual([]);
  });
});
