/**
 * Upgrades from older upstream releases, with live objects. A cluster that has run Linkerd for
 * years lists old versions in each CRD's `status.storedVersions`. For each release of
 * UPSTREAM_HISTORY (CRDs recorded by `npm run parity -- --record-history`, no network here):
 * its CRDs are installed as that release did (a Helm release `linkerd-crds`, the Link CRD in a
 * release `linkerd-multicluster`; or `kubectl apply` for the dist/ path), one object of every
 * kind is stored at that release's storage version, then our charts are `helm upgrade`d over
 * them (Helm 4 and Helm 3), or dist/ is applied server-side. Every object must still be
 * readable, with what was stored, at the old storage version and at ours.
 */
import { join } from 'node:path';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dump } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { allCrds } from '../../src/crds/index';
import { crdName, storageVersion } from '../../src/crds/definition';
import { linkCrd } from '../../src/crds/link';
import type { HelmMajor } from '../support/helm';
import { type HistoricCrd, historicCrdObject, historicRelease, storageVersionOf, UPSTREAM_HISTORY } from '../support/upstream-history';
import { CHARTS_DIR, DIST_DIR, deleteNamespace, getJson, helm, kubectl, removeLeftoverCrds } from './support/cluster';

const NS = 'upstream-objects';
const LINK_CRD = crdName(linkCrd);
const ours = new Map([...allCrds, linkCrd].map((d) => [crdName(d), d]));

/** One object of each kind, valid at every version upstream has stored it at. */
const SPECS: Record<string, { name?: string; spec: Record<string, unknown> }> = {
  AuthorizationPolicy: {
    spec: {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'clients' }],
    },
  },
  EgressNetwork: { spec: { trafficPolicy: 'Allow', networks: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] } },
  ExternalWorkload: {
    spec: {
      meshTLS: { identity: 'spiffe://root.linkerd.cluster.local/vm', serverName: 'vm.cluster.local' },
      workloadIPs: [{ ip: '192.0.2.10' }],
      ports: [{ port: 8080, name: 'http' }],
    },
  },
  HTTPLocalRateLimitPolicy: { spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' }, total: { requestsPerSecond: 100 } } },
  HTTPRoute: {
    spec: {
      parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web' }],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'GET' }] }],
    },
  },
  MeshTLSAuthentication: { spec: { identities: ['web.upstream-objects.serviceaccount.identity.linkerd.cluster.local'] } },
  NetworkAuthentication: { spec: { networks: [{ cidr: '10.0.0.0/8' }] } },
  Server: { spec: { podSelector: { matchLabels: { app: 'web' } }, port: 8080, proxyProtocol: 'HTTP/1' } },
  ServerAuthorization: { spec: { server: { name: 'web' }, client: { meshTLS: { serviceAccounts: [{ name: 'client' }] } } } },
  ServiceProfile: {
    name: `web.${NS}.svc.cluster.local`,
    spec: { routes: [{ name: 'GET /api', condition: { method: 'GET', pathRegex: '/api' }, isRetryable: true }] },
  },
  Link: {
    spec: {
      targetClusterName: 'west',
      targetClusterDomain: 'cluster.local',
      targetClusterLinkerdNamespace: 'linkerd',
      clusterCredentialsSecret: 'cluster-credentials-west',
      gatewayAddress: '203.0.113.10',
      gatewayPort: '4143',
      gatewayIdentity: 'linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local',
      probeSpec: { path: '/ready', port: '4191', period: '3s' },
      selector: { matchLabels: { 'mirror.linkerd.io/exported': 'true' } },
    },
  },
};

function object(crd: HistoricCrd, version: string): Record<string, unknown> {
  const o = SPECS[crd.names.kind];
  if (!o) throw new Error(`no test object for ${crd.names.kind}`);
  return { apiVersion: `${crd.group}/${version}`, kind: crd.names.kind, metadata: { name: o.name ?? 'web', namespace: NS }, spec: o.spec };
}

/** A chart holding a release's CRDs, to install them as its Helm release did. */
function oldChart(dir: string, name: string, tag: string, crds: HistoricCrd[]): string {
  const chart = join(dir, name);
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), dump({ apiVersion: 'v2', name, version: `0.0.0-${tag}`, appVersion: tag }));
  writeFileSync(join(chart, 'templates', 'crds.yaml'), crds.map((c) => dump(historicCrdObject(c))).join('---\n'));
  return chart;
}

interface CrdState {
  spec: { versions: { name: string; served: boolean; storage: boolean }[] };
  status: { storedVersions: string[] };
}

async function establish(names: string[]): Promise<void> {
  await kubectl(['wait', '--for=condition=Established', '--timeout=120s', ...names.map((n) => `crd/${n}`)]);
}

/** Every object read back at `version` of its CRD: the spec as stored. */
async function readBack(crds: HistoricCrd[], version: (c: HistoricCrd) => string): Promise<void> {
  const resources = crds.map((c) => `${c.names.plural}.${version(c)}.${c.group}`);
  const list = await getJson<{ items: { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> }[] }>(['get', resources.join(','), '-n', NS]);
  for (const c of crds) {
    const got = list.items.find((i) => i.kind === c.names.kind);
    expect(got, `${c.names.kind} readable as ${version(c)}`).toBeDefined();
    expect(got!.apiVersion).toBe(`${c.group}/${version(c)}`);
    expect(got!.spec, `${c.names.kind} at ${version(c)}`).toMatchObject(SPECS[c.names.kind].spec);
  }
}

type Path = { via: 'helm'; major: HelmMajor } | { via: 'dist' };
const PATHS: Path[] = [{ via: 'helm', major: 4 }, { via: 'helm', major: 3 }, { via: 'dist' }];
const label = (p: Path) => (p.via === 'helm' ? `helm upgrade (Helm ${p.major})` : 'kubectl apply --server-side of dist/');

describe.each(UPSTREAM_HISTORY.map((r) => r.tag))('upgrade from upstream %s with live objects', (tag) => {
  const release = historicRelease(tag);
  const policy = release.crds.filter((c) => c.name !== LINK_CRD);
  const link = release.crds.filter((c) => c.name === LINK_CRD);

  describe.each(PATHS.map((p) => [label(p), p] as const))('%s', (_label, path) => {
    const work = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-upstream-'));

    afterAll(async () => {
      if (path.via === 'helm') {
        await helm(path.major, ['uninstall', 'linkerd-multicluster', '-n', 'linkerd-multicluster', '--ignore-not-found']).catch(() => undefined);
        await helm(path.major, ['uninstall', 'linkerd-crds', '-n', 'linkerd', '--ignore-not-found']).catch(() => undefined);
      }
      for (const ns of [NS, 'linkerd-multicluster', 'linkerd']) await deleteNamespace(ns);
      await removeLeftoverCrds(() => undefined);
      rmSync(work, { recursive: true, force: true });
    });

    it(`stores one object of each kind at ${tag}'s storage versions`, async () => {
      for (const ns of [NS, 'linkerd', 'linkerd-multicluster']) await kubectl(['create', 'namespace', ns]);
      if (path.via === 'helm') {
        await helm(path.major, ['install', 'linkerd-crds', oldChart(work, 'linkerd-crds', tag, policy), '-n', 'linkerd']);
        await helm(path.major, ['install', 'linkerd-multicluster', oldChart(work, 'linkerd-multicluster', tag, link), '-n', 'linkerd-multicluster']);
      } else {
        // `linkerd install --crds | kubectl apply -f -`, as upstream's CLI path did.
        await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: release.crds.map(historicCrdObject) }));
      }
      await establish(release.crds.map((c) => c.name));
      await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: release.crds.map((c) => object(c, storageVersionOf(c))) }));
      for (const c of release.crds) {
        const crd = await getJson<CrdState>(['get', 'crd', c.name]);
        expect(crd.status.storedVersions, c.name).toEqual([storageVersionOf(c)]);
      }
    });

    it('upgrades to ours: every CRD accepted with the versions the objects were stored at', async () => {
      if (path.via === 'helm') {
        const crds = await helm(path.major, ['upgrade', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd']);
        expect(crds.stdout).toMatch(/STATUS: deployed/);
        // No load balancer controller in the test cluster; the gateway's Service is not what this test is about.
        const mc = await helm(path.major, ['upgrade', 'linkerd-multicluster', join(CHARTS_DIR, 'linkerd-multicluster'), '-n', 'linkerd-multicluster', '--set', 'gateway.serviceType=NodePort']);
        expect(mc.stdout).toMatch(/STATUS: deployed/);
      } else {
        await kubectl(['apply', '--server-side', '-k', join(DIST_DIR, 'linkerd-crds')]);
        await kubectl(['apply', '--server-side', '-k', join(DIST_DIR, 'linkerd-multicluster')]);
      }
      await establish(release.crds.map((c) => c.name));
      for (const c of release.crds) {
        const crd = await getJson<CrdState>(['get', 'crd', c.name]);
        const def = ours.get(c.name)!;
        expect(crd.spec.versions.find((v) => v.storage)?.name, c.name).toBe(storageVersion(def).name);
        expect(crd.status.storedVersions, c.name).toContain(storageVersionOf(c));
        for (const v of crd.status.storedVersions) expect(crd.spec.versions.find((x) => x.name === v)?.served, `${c.name} serves stored ${v}`).toBe(true);
      }
    });

    it(`reads every object back, as stored, at ${tag}'s storage version and at ours`, async () => {
      await readBack(release.crds, storageVersionOf);
      await readBack(release.crds, (c) => storageVersion(ours.get(c.name)!).name);
    });
  });
});
