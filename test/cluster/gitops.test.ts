/**
 * The GitOps path: every dist/ folder applied server-side in the Argo CD wave order, as Argo CD
 * would (ServerSideApply; no CreateNamespace: dist/ holds each namespace as a Namespace object),
 * on a cluster that has none of the namespaces; Pod Security admits every pod its namespace's
 * labels allow; a second apply changes nothing and `kubectl diff` is empty, so an Argo CD
 * Application of dist/ settles instead of syncing forever.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolDir } from '../../scripts/cluster/tools';
import { DIST_DIR, deleteNamespace, eventually, kubectl, parseManifests } from './support/cluster';

interface Wave {
  folder: string;
  namespace: string;
  wave: number;
}

/** The folders and their order, read from the Argo CD Applications that dist/argocd holds. */
function waves(): Wave[] {
  const apps = readdirSync(join(DIST_DIR, 'argocd', 'apps'))
    .map((f) => load(readFileSync(join(DIST_DIR, 'argocd', 'apps', f), 'utf8')) as { kind: string; metadata: { annotations?: Record<string, string> }; spec: { source?: { path: string }; destination?: { namespace: string } } })
    .filter((a) => a.kind === 'Application');
  return apps
    .map((a) => ({ folder: a.spec.source!.path.split('/').pop()!, namespace: a.spec.destination!.namespace, wave: Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0) }))
    .sort((a, b) => a.wave - b.wave || a.folder.localeCompare(b.folder));
}

const MANAGER = ['--server-side', '--field-manager=argocd-controller'];

/** resourceVersion of every object a folder holds, as the server has it. */
/**
 * Each object of a folder as the cluster holds it, less what the cluster's own controllers write
 * (status, the status managers' entries, and so the resourceVersion): a write of ours changes it,
 * a controller reporting status (a ValidatingAdmissionPolicy's type checking, say) does not.
 */
async function versions(folder: string): Promise<Map<string, string>> {
  type Item = { kind: string; status?: unknown; metadata: { namespace?: string; name: string; resourceVersion?: string; managedFields?: { subresource?: string }[] } };
  const out = await kubectl(['get', '-k', join(DIST_DIR, folder), '-o', 'json']);
  const items = JSON.parse(out.stdout) as { items?: Item[] } & Item;
  const list = items.items ?? [items];
  const ours = ({ status: _status, metadata: { resourceVersion: _rv, managedFields, ...metadata }, ...o }: Item) =>
    JSON.stringify({ ...o, metadata: { ...metadata, managedFields: managedFields?.filter((m) => m.subresource !== 'status') } });
  return new Map(list.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, ours(o)]));
}

/** The objects a dist/ folder holds. */
function folderObjects(folder: string) {
  return parseManifests(readFileSync(join(DIST_DIR, folder, `${readdirSync(join(DIST_DIR, folder)).find((f) => f !== 'kustomization.yaml')}`), 'utf8'));
}

describe('dist/ applied server-side in Argo CD wave order', () => {
  const order = waves();
  const crdDir = toolDir('crds');

  beforeAll(async () => {
    // dist/linkerd-certificates holds cert-manager and trust-manager objects: their CRDs first,
    // from the releases pinned in scripts/cluster/modules/crds (their modules ship the manifests).
    for (const sub of ['cert-manager', 'trust-manager']) await kubectl(['apply', '--server-side', '-f', join(crdDir, sub)]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/certificates.cert-manager.io', 'crd/issuers.cert-manager.io', 'crd/bundles.trust.cert-manager.io']);
  });

  afterAll(async () => {
    for (const w of [...order].reverse()) await kubectl(['delete', '-k', join(DIST_DIR, w.folder), '--ignore-not-found', '--wait=true', '--timeout=180s']).catch(() => undefined);
    for (const ns of new Set(order.map((w) => w.namespace))) await deleteNamespace(ns);
    await kubectl(['delete', '--ignore-not-found', '-f', join(crdDir, 'cert-manager'), '-f', join(crdDir, 'trust-manager')]).catch(() => undefined);
  });

  it('has the waves CRDs, certificates and the CNI plugin, control plane, extensions (viz, jaeger, multicluster)', () => {
    expect(order.map((w) => `${w.wave}:${w.folder}`)).toEqual(['0:gateway-api-crds', '0:linkerd-crds', '1:linkerd-certificates', '1:linkerd2-cni', '2:linkerd-control-plane', '3:linkerd-jaeger', '3:linkerd-multicluster', '3:linkerd-viz']);
  });

  it('applies every folder to a cluster without its namespaces, waiting for CRDs to be established before the objects that use them', async () => {
    const existing = (await kubectl(['get', 'namespaces', '-o', 'name'])).stdout;
    for (const w of new Set(order.map((x) => x.namespace))) expect(existing, `namespace ${w} before dist/ is applied`).not.toContain(`namespace/${w}\n`);
    for (const w of order) {
      const out = await kubectl(['apply', ...MANAGER, '-k', join(DIST_DIR, w.folder)]);
      const applied = out.stdout.split('\n').filter(Boolean);
      expect(applied.every((l) => / serverside-applied$/.test(l)), out.stdout).toBe(true);
      console.log(`wave ${w.wave} ${w.folder}: ${applied.length} objects applied`);
      if (w.folder === 'linkerd-crds') await kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', join(DIST_DIR, w.folder, 'linkerd-crds.yaml')]);
      // A Namespace object of the folder is the namespace as the cluster holds it: its labels (Pod Security, Linkerd's) are set.
      for (const ns of folderObjects(w.folder).filter((o) => o.kind === 'Namespace')) {
        const live = JSON.parse((await kubectl(['get', 'namespace', ns.metadata.name, '-o', 'json'])).stdout) as { metadata: { labels: Record<string, string> } };
        expect(live.metadata.labels, ns.metadata.name).toMatchObject(ns.metadata.labels ?? {});
      }
    }
  });

  it('has every ReplicaSet\u2019s pods admitted by its namespace\u2019s Pod Security level', async () => {
    const namespaces = [...new Set(order.map((w) => w.namespace))];
    type Rs = { metadata: { namespace: string; name: string }; spec: { replicas?: number }; status: { replicas?: number; conditions?: { type: string; message?: string }[] } };
    const short = await eventually('every ReplicaSet to have created its pods', 180, async () => {
      const sets = namespaces.length ? (JSON.parse((await kubectl(['get', 'replicasets', '-A', '-o', 'json'])).stdout) as { items: Rs[] }).items.filter((r) => namespaces.includes(r.metadata.namespace)) : [];
      const failing = sets.filter((r) => (r.status.replicas ?? 0) < (r.spec.replicas ?? 1) || r.status.conditions?.some((c) => c.type === 'ReplicaFailure'));
      return sets.length > 0 && failing.length === 0 ? sets : undefined;
    }).catch(async (e: Error) => {
      const events = await kubectl(['get', 'events', '-A', '--field-selector', 'reason=FailedCreate', '-o', 'custom-columns=NS:.metadata.namespace,OBJ:.involvedObject.name,MSG:.message', '--no-headers']);
      throw new Error(`${e.message}\n${events.stdout}`);
    });
    console.log(`${short.length} ReplicaSets in ${namespaces.length} namespaces: every pod admitted`);
  });

  it('changes nothing when applied a second time, and kubectl diff is empty', async () => {
    for (const w of order) {
      const before = await versions(w.folder);
      await kubectl(['apply', ...MANAGER, '-k', join(DIST_DIR, w.folder)]);
      const after = await versions(w.folder);
      const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
      expect(changed, `${w.folder}: objects the second apply changed`).toEqual([]);
      const objects = parseManifests(readFileSync(join(DIST_DIR, w.folder, `${readdirSync(join(DIST_DIR, w.folder)).find((f) => f !== 'kustomization.yaml')}`), 'utf8'));
      expect(after.size).toBe(objects.length);
      // kubectl diff exits 1 when there is a difference (and the helper then throws).
      const diff = await kubectl(['diff', ...MANAGER, '-k', join(DIST_DIR, w.folder)]);
      expect(diff.stdout).toBe('');
    }
  });
});
