/**
 * The charts as Argo CD Helm sources, from a Git repository (scripts/cluster/argocd.ts): each
 * chart becomes Synced and Healthy; the control plane and viz with their `values-gitops.yaml`
 * (webhook certificates from cert-manager, so two renders give the same objects) stay Synced
 * through hard refreshes without a pod restarting; a values change committed to Git changes
 * exactly the objects it should and rolls only their pods; a values file the schema refuses
 * leaves the Application in a comparison error and the cluster as it was.
 *
 * As in argocd.test.ts, the test plays the controllers this cluster lacks (support/argocd.ts):
 * cert-manager, the tap API server and a cloud load balancer.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_DIR } from '../../scripts/cluster/cluster';
import { clusterInfo, downArgoCd, upArgoCd } from '../../scripts/cluster/argocd';
import { releaseCharts } from '../../scripts/release';
import { toolDir } from '../../scripts/cluster/tools';
import { CNI_NAMESPACE_LABELS } from '../../src/k8s/namespace';
import { CHART_VERSION } from '../../src/version';
import { identityPem } from '../fixtures/identity';
import { NS, app, playControllers, refresh, settled, workTree } from './support/argocd';
import { ROOT, deleteNamespace, eventually, getJson, kubectl } from './support/cluster';

/** Where `npm run release` puts the charts in the registry: oci://<registry>/linkerd/<chart>. */
const REPOSITORY = 'linkerd';
const WORK = join(CLUSTER_DIR, 'argocd', 'work-helm');
const VALUES = 'helm-values/linkerd-control-plane.yaml';
// A repository of its own: each push replaces whatever an earlier file pushed.
const { git, push } = workTree(WORK, { force: true });

async function waitSettled(names: string[]): Promise<void> {
  await eventually(`${names.join(', ')} to be Synced and Healthy`, 1200, async () => {
    await playControllers();
    const apps = await Promise.all(names.map(app));
    return apps.every(settled) ? true : undefined;
  }).catch(async (e: Error) => {
    const apps = await Promise.all(names.map(app));
    throw new Error(`${e.message}\n${apps.map((a) => `${a.metadata.name}: ${a.status?.sync?.status}/${a.status?.health?.status} ${a.status?.health?.message ?? ''} ${(a.status?.conditions ?? []).map((c) => `${c.type}: ${c.message}`).join('; ')}`).join('\n')}`);
  });
}

/** resourceVersion of every object an Application manages. */
async function liveVersions(name: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of (await app(name)).status?.resources ?? []) {
    const type = r.group ? `${r.kind}.${r.group}` : r.kind;
    const o = await getJson<{ metadata: { resourceVersion: string } }>(['get', type, r.name, ...(r.namespace ? ['-n', r.namespace] : [])]);
    out.set(`${r.kind}/${r.name}`, o.metadata.resourceVersion);
  }
  return out;
}

/** Pod name → owning workload, for the namespaces of the charts. */
async function pods(namespaces: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ns of namespaces) {
    const list = await getJson<{ items: { metadata: { name: string; uid: string; labels?: Record<string, string>; deletionTimestamp?: string } }[] }>(['get', 'pods', '-n', ns]);
    for (const p of list.items.filter((i) => !i.metadata.deletionTimestamp)) out.set(`${ns}/${p.metadata.name}`, p.metadata.uid);
  }
  return out;
}

interface Chart {
  chart: string;
  namespace: string;
  valueFiles?: string[];
  serverSide?: boolean;
}

const CHARTS: Chart[] = [
  { chart: 'linkerd-crds', namespace: 'linkerd', serverSide: true },
  { chart: 'linkerd2-cni', namespace: 'linkerd-cni' },
  { chart: 'linkerd-control-plane', namespace: 'linkerd', valueFiles: ['values-gitops.yaml', `../../${VALUES}`] },
  { chart: 'linkerd-viz', namespace: 'linkerd-viz', valueFiles: ['values-gitops.yaml'], serverSide: true },
  { chart: 'linkerd-jaeger', namespace: 'linkerd-jaeger' },
  { chart: 'linkerd-multicluster', namespace: 'linkerd-multicluster' },
];
const NAMESPACES = [...new Set(CHARTS.map((c) => c.namespace))];

function helmApp(c: Chart, repoURL: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: `helm-${c.chart}`, namespace: NS, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: 'main', path: `charts/${c.chart}`, helm: { releaseName: c.chart, ...(c.valueFiles ? { valueFiles: c.valueFiles } : {}) } },
      destination: { server: 'https://kubernetes.default.svc', namespace: c.namespace },
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ['CreateNamespace=true', ...(c.serverSide ? ['ServerSideApply=true'] : [])],
        ...(c.chart === 'linkerd2-cni' ? { managedNamespaceMetadata: { labels: CNI_NAMESPACE_LABELS } } : {}),
      },
    },
  };
}

/**
 * The registry's credentials template, as a user registers an OCI registry that holds many charts
 * (`argocd repocreds add oci://<registry>/linkerd --type oci`): every Application whose repoURL
 * starts with it uses it. This registry speaks plain HTTP on loopback, hence insecureOCIForceHttp.
 */
function ociRepoCreds(registry: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'linkerd-charts-oci', namespace: NS, labels: { 'argocd.argoproj.io/secret-type': 'repo-creds' } },
    stringData: { type: 'oci', url: `oci://${registry}/${REPOSITORY}`, insecureOCIForceHttp: 'true' },
  };
}

describe('the charts as Argo CD Helm sources from Git and from an OCI registry', () => {
  let gitUrl = '';
  let registry = '';
  const values: Record<string, unknown> = { identityTrustAnchorsPEM: identityPem('ca.crt') };
  /** What the values file in Git holds now. */
  let currentValues = values;
  const writeValues = (v: Record<string, unknown>) => {
    currentValues = v;
    writeFileSync(join(WORK, VALUES), dump(v));
  };

  beforeAll(async () => {
    await upArgoCd((l) => console.log(`[argocd] ${l}`));
    gitUrl = clusterInfo().gitUrl!;
    registry = clusterInfo().registry!;
    // The charts published as a release publishes them (npm run release), to the cluster's registry.
    const published = await releaseCharts({ registry, repository: REPOSITORY, plainHttp: true });
    console.log(`published ${published.map((r) => `${r.ref}:${CHART_VERSION}`).join(', ')}`);
    await kubectl(['apply', '-f', '-'], JSON.stringify(ociRepoCreds(registry)));
    for (const sub of ['cert-manager', 'trust-manager']) await kubectl(['apply', '--server-side', '-f', join(toolDir('crds'), sub)]);
    await kubectl(['-n', NS, 'patch', 'configmap', 'argocd-cm', '--patch-file', join(ROOT, 'dist', 'argocd', 'argocd-cm-patch.yaml')]);
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(join(WORK, 'helm-values'), { recursive: true });
    git(['init', '--quiet', '--initial-branch=main']);
    git(['remote', 'add', 'origin', gitUrl]);
    cpSync(join(ROOT, 'charts'), join(WORK, 'charts'), { recursive: true });
    writeValues(values);
    push('charts/ of cdk8s-linkerd, and the control plane\'s values');
  });

  afterAll(async () => {
    await kubectl(['delete', 'applications.argoproj.io', '--all', '-n', NS, '--wait=true', '--timeout=300s']).catch((e: Error) => console.log(e.message));
    // No server behind the tap APIService: while it is registered, discovery fails and no namespace can finish deleting.
    await kubectl(['delete', 'apiservice', 'v1alpha1.tap.linkerd.io', '--ignore-not-found']).catch((e: Error) => console.log(e.message));
    for (const ns of NAMESPACES) await deleteNamespace(ns).catch(() => undefined);
    await downArgoCd((l) => console.log(`[argocd] ${l}`));
  }, 1_500_000);

  it('each chart becomes Synced and Healthy (CRDs first)', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(helmApp(CHARTS[0], gitUrl)));
    await waitSettled(['helm-linkerd-crds']);
    for (const c of CHARTS.slice(1)) await kubectl(['apply', '-f', '-'], JSON.stringify(helmApp(c, gitUrl)));
    await waitSettled(CHARTS.map((c) => `helm-${c.chart}`));
  }, 1_500_000);

  it('stays Synced through two hard refreshes, and no pod restarts', async () => {
    const before = await pods(NAMESPACES);
    for (const round of [1, 2]) {
      const refreshed = await Promise.all(CHARTS.map((c) => refresh(`helm-${c.chart}`, 'hard')));
      for (const [i, a] of refreshed.entries()) {
        const outOfSync = (a.status?.resources ?? []).filter((r) => r.status !== 'Synced').map((r) => `${r.kind}/${r.name}`);
        expect({ round, chart: CHARTS[i].chart, sync: a.status?.sync?.status, outOfSync }).toEqual({ round, chart: CHARTS[i].chart, sync: 'Synced', outOfSync: [] });
      }
    }
    expect(await pods(NAMESPACES)).toEqual(before);
  }, 1_500_000);

  it('syncs a values change committed to Git: only the objects it concerns change, only their pods roll', async () => {
    const name = 'helm-linkerd-control-plane';
    const versions = await liveVersions(name);
    const before = await pods(NAMESPACES);
    writeValues({ ...values, identity: { issuer: { issuanceLifetime: '12h0m0s' } } });
    const commit = push('identity: certificates for 12 hours');
    await eventually('the change to be synced', 300, async () => {
      const a = await refresh(name, 'normal');
      return a.status?.sync?.revision === commit && settled(a) ? true : undefined;
    });
    await waitSettled([name]);
    const after = await liveVersions(name);
    const changed = [...after].filter(([k, v]) => versions.get(k) !== v).map(([k]) => k).sort();
    // The values (linkerd-config holds them) and the one Deployment whose flags carry the lifetime.
    expect(changed).toEqual(['ConfigMap/linkerd-config', 'Deployment/linkerd-identity']);
    const now = await pods(NAMESPACES);
    const gone = [...before.keys()].filter((p) => !now.has(p));
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.filter((p) => !p.startsWith('linkerd/linkerd-identity-'))).toEqual([]);
  }, 1_500_000);

  it('a values file the schema refuses leaves a comparison error naming the file and the key; nothing changes; the next commit heals it', async () => {
    const name = 'helm-linkerd-control-plane';
    const versions = await liveVersions(name);
    writeValues({ ...values, identity: { issuer: { issuanceLifetime: '12h0m0s' } }, controllerLogLevel: 'loud' });
    push('a log level the schema refuses');
    const error = await eventually('a comparison error', 300, async () => {
      const a = await refresh(name, 'normal');
      return (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError');
    });
    console.log(`ComparisonError: ${error.message}`);
    expect(error.message).toContain('controllerLogLevel');
    expect(error.message).toContain(VALUES);
    expect(await liveVersions(name)).toEqual(versions);

    writeValues({ ...values, identity: { issuer: { issuanceLifetime: '12h0m0s' } } });
    const fixed = push('the log level repaired');
    await eventually('the Application to heal', 300, async () => {
      const a = await refresh(name, 'normal');
      return a.status?.sync?.revision === fixed && settled(a) && !(a.status?.conditions ?? []).some((c) => c.type === 'ComparisonError') ? true : undefined;
    });
    expect(await liveVersions(name)).toEqual(versions);
  }, 1_500_000);

  it('the control plane with the HA preset becomes Synced and Healthy and stays Synced through two hard refreshes', async () => {
    const name = 'helm-linkerd-control-plane';
    // HA makes the webhooks fail closed: as upstream documents, its namespace is exempt from them.
    await kubectl(['label', 'namespace', 'linkerd', 'config.linkerd.io/admission-webhooks=disabled', '--overwrite']);
    await kubectl(['patch', 'applications.argoproj.io', name, '-n', NS, '--type=json', '-p', JSON.stringify([{ op: 'replace', path: '/spec/source/helm/valueFiles', value: ['values-gitops.yaml', 'values-ha.yaml', `../../${VALUES}`] }])]);
    await eventually('3 replicas of the destination controller', 600, async () => {
      await playControllers();
      const d = await getJson<{ spec: { replicas: number }; status?: { readyReplicas?: number } }>(['get', 'deployment', 'linkerd-destination', '-n', 'linkerd']);
      return d.spec.replicas === 3 && d.status?.readyReplicas === 3 ? true : undefined;
    });
    await waitSettled([name]);
    const before = await pods(['linkerd']);
    for (const _round of [1, 2]) expect((await refresh(name, 'hard')).status?.sync?.status).toBe('Synced');
    expect(await pods(['linkerd'])).toEqual(before);
  }, 1_500_000);

  it('each chart from the OCI registry (Argo CD OCI source at the released version) is Synced and Healthy, and changes no object the Git source made', async () => {
    const names = CHARTS.map((c) => `helm-${c.chart}`);
    const versions = new Map(await Promise.all(names.map(async (n) => [n, await liveVersions(n)] as const)));
    const before = await pods(NAMESPACES);
    for (const c of CHARTS) {
      const name = `helm-${c.chart}`;
      const current = (await getJson<{ spec: { source: { helm: { valueFiles?: string[] } } } }>(['get', 'applications.argoproj.io', name, '-n', NS])).spec.source.helm;
      // The chart's own presets stay value files; the user's values from Git become valuesObject.
      const valueFiles = (current.valueFiles ?? []).filter((f) => !f.startsWith('../'));
      const userValues = (current.valueFiles ?? []).some((f) => f.startsWith('../')) ? { valuesObject: currentValues } : {};
      const source = { repoURL: `oci://${registry}/${REPOSITORY}/${c.chart}`, targetRevision: CHART_VERSION, path: '.', helm: { releaseName: c.chart, ...(valueFiles.length ? { valueFiles } : {}), ...userValues } };
      await kubectl(['patch', 'applications.argoproj.io', name, '-n', NS, '--type=merge', '-p', JSON.stringify({ spec: { source } })]);
    }
    await eventually('every Application to compare against its OCI source', 600, async () => {
      const apps = await Promise.all(names.map((n) => refresh(n, 'normal')));
      return apps.every((a) => settled(a) && (a.status as { sync?: { comparedTo?: { source?: { repoURL?: string } } } }).sync?.comparedTo?.source?.repoURL?.startsWith('oci://')) ? true : undefined;
    }).catch(async (e: Error) => {
      const apps = await Promise.all(names.map(app));
      throw new Error(`${e.message}\n${apps.map((a) => `${a.metadata.name}: ${a.status?.sync?.status}/${a.status?.health?.status} ${(a.status?.conditions ?? []).map((c) => `${c.type}: ${c.message}`).join('; ')}`).join('\n')}`);
    });
    for (const n of names) {
      const a = await app(n);
      // The revision of an OCI source is the manifest digest Argo CD resolved the version to.
      expect({ n, revision: a.status?.sync?.revision }).toEqual({ n, revision: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
      expect({ n, live: await liveVersions(n) }).toEqual({ n, live: versions.get(n) });
    }
    for (const _round of [1, 2]) {
      const refreshed = await Promise.all(names.map((n) => refresh(n, 'hard')));
      expect(refreshed.map((a) => [a.metadata.name, a.status?.sync?.status])).toEqual(names.map((n) => [n, 'Synced']));
    }
    expect(await pods(NAMESPACES)).toEqual(before);
  }, 1_500_000);
});
