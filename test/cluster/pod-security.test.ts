/**
 * Pod Security admission, judged by the API server: with cniEnabled=true every pod of the
 * control plane, viz and jaeger is admitted by namespaces that enforce "restricted"; in the
 * default mode only the pods that carry proxy-init (the control plane's own) need a privileged
 * namespace, as upstream. (No injector runs here, so viz and jaeger pods are as rendered.)
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHARTS_DIR, IDENTITY_FLAGS, deleteNamespace, eventually, getJson, helm, kubectl } from './support/cluster';

const NAMESPACES = ['linkerd', 'linkerd-viz', 'linkerd-jaeger'];
const WAIT = ['--server-side=true', '--wait=watcher', '--timeout=4m'];

async function namespace(name: string, level: 'restricted' | 'privileged'): Promise<void> {
  await kubectl(['create', 'namespace', name]).catch(() => undefined);
  await kubectl(['label', 'namespace', name, `pod-security.kubernetes.io/enforce=${level}`, '--overwrite']);
}

type Event = { reason: string; message: string; involvedObject: { kind: string; name: string } };
async function podSecurityRefusals(ns: string): Promise<Event[]> {
  const events = (await getJson<{ items: Event[] }>(['get', 'events', '-n', ns])).items;
  return events.filter((e) => e.reason === 'FailedCreate' && /violates PodSecurity/.test(e.message));
}

/** The containers a PodSecurity refusal names (`container "a" must ...`, `containers "a", "b" must ...`). */
function containersNamed(message: string): string[] {
  const names = [...message.matchAll(/containers? ((?:"[^"]+"(?:, )?)+)/g)].flatMap((m) => [...m[1].matchAll(/"([^"]+)"/g)].map((n) => n[1]));
  return [...new Set(names)].sort();
}

async function availableDeployments(ns: string): Promise<string[]> {
  return eventually(`Deployments in ${ns} Available`, 120, async () => {
    const ds = (await getJson<{ items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[] }>(['get', 'deployments', '-n', ns])).items;
    return ds.length && ds.every((d) => d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')) ? ds.map((d) => d.metadata.name) : undefined;
  });
}

async function uninstallAll(): Promise<void> {
  for (const [r, ns] of [['linkerd-jaeger', 'linkerd-jaeger'], ['linkerd-viz', 'linkerd-viz'], ['linkerd-control-plane', 'linkerd'], ['linkerd-crds', 'linkerd']]) {
    await helm(4, ['uninstall', r, '-n', ns, '--ignore-not-found', '--wait']).catch(() => undefined);
  }
  for (const ns of NAMESPACES) await deleteNamespace(ns);
}

describe('Pod Security admission', () => {
  afterEach(uninstallAll);

  it('with cniEnabled=true, namespaces enforcing "restricted" admit every pod of every chart', async () => {
    for (const ns of NAMESPACES) await namespace(ns, 'restricted');
    await helm(4, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd', ...WAIT]);
    await helm(4, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, '--set', 'cniEnabled=true', ...WAIT]);
    // The extensions' hook Jobs create pods too: a refused pod would make Helm time out.
    await helm(4, ['install', 'linkerd-viz', join(CHARTS_DIR, 'linkerd-viz'), '-n', 'linkerd-viz', ...WAIT]);
    await helm(4, ['install', 'linkerd-jaeger', join(CHARTS_DIR, 'linkerd-jaeger'), '-n', 'linkerd-jaeger', ...WAIT]);
    for (const ns of NAMESPACES) {
      const names = await availableDeployments(ns);
      expect(await podSecurityRefusals(ns)).toEqual([]);
      console.log(`${ns} (restricted): ${names.join(', ')} admitted`);
    }
  });

  it('in the default mode, the control plane needs a privileged namespace for proxy-init; viz and jaeger do not', async () => {
    for (const ns of NAMESPACES) await namespace(ns, 'restricted');
    await helm(4, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd', ...WAIT]);
    await helm(4, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', 'linkerd', ...IDENTITY_FLAGS, '--server-side=true']);
    const refused = await eventually('the control plane pods to be refused', 60, async () => {
      const r = await podSecurityRefusals('linkerd');
      return new Set(r.map((e) => e.involvedObject.name.replace(/-[a-z0-9]+$/, ''))).size >= 3 ? r : undefined;
    });
    // Refused for what proxy-init needs (NET_ADMIN, NET_RAW, running as root), and for no other container.
    for (const e of refused) expect(containersNamed(e.message), e.message).toEqual(['linkerd-init']);
    console.log(`linkerd (restricted): refused ${[...new Set(refused.map((e) => e.involvedObject.name))].join(', ')}: ${refused[0].message.slice(0, 200)}`);

    await namespace('linkerd', 'privileged');
    // The ReplicaSets retry with back-off; the pods are admitted once the namespace allows them.
    console.log(`linkerd (privileged): ${(await availableDeployments('linkerd')).join(', ')} admitted`);
    await helm(4, ['install', 'linkerd-viz', join(CHARTS_DIR, 'linkerd-viz'), '-n', 'linkerd-viz', ...WAIT]);
    await helm(4, ['install', 'linkerd-jaeger', join(CHARTS_DIR, 'linkerd-jaeger'), '-n', 'linkerd-jaeger', ...WAIT]);
    for (const ns of ['linkerd-viz', 'linkerd-jaeger']) {
      const names = await availableDeployments(ns);
      expect(await podSecurityRefusals(ns)).toEqual([]);
      console.log(`${ns} (restricted): ${names.join(', ')} admitted`);
    }
  });
});
