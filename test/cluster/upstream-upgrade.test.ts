/**
 * Upgrades from older upstream releases, with live objects. A cluster that has run Linkerd for
 * years lists old versions in each CRD's `status.storedVersions`. For each release of
 * UPSTREAM_HISTORY (CRDs recorded by `npm run parity -- --record-history`, no network here):
 * its CRDs are installed as that release did (a Helm release `linkerd-crds`, the Link CRD in a
 * release `linkerd-multicluster`; or `kubectl apply` for the dist/ path), one object of every
 * kind is stored at that release's storage version, then our charts are `helm upgrade`d over
 * them (Helm 4 and Helm 3), or dist/ is applied server-side. Every object must still be
 * readable, with what was stored, at the old storage version and at every version ours serves.
 * The dist/ path then hands its objects to Helm the way docs/parity.md {#adopt-into-helm} says
 * (Helm refuses objects it did not create until they carry its ownership metadata).
 * Each case removes what it installed (`helm uninstall`, `kubectl delete -k`), so the next one
 * starts from a cluster without them.
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

/**
 * What the API server returns of `value` read at a version with `schema`: without a conversion
 * webhook (upstream has none) it keeps the stored fields and prunes those the version's schema
 * does not declare (e.g. ExternalWorkload v1beta1's `meshTLS` read as v1alpha1, which calls it `meshTls`).
 */
function pruned(schema: Record<string, unknown> | undefined, value: unknown): unknown {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields'] === true) return value;
  if (Array.isArray(value)) return value.map((x) => pruned(schema.items as Record<string, unknown> | undefined, x));
  if (value === null || typeof value !== 'object') return value;
  const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const extra = schema.additionalProperties;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      if (props[k]) return [[k, pruned(props[k], v)]];
      if (extra && typeof extra === 'object') return [[k, pruned(extra as Record<string, unknown>, v)]];
      return extra === true ? [[k, v]] : [];
    }),
  );
}

/** Every object read back at `version` of its CRD: the spec as stored, less what that version's schema (`schemaOf`, default: all kept) does not declare. */
async function readBack(crds: HistoricCrd[], version: (c: HistoricCrd) => string, schemaOf: (c: HistoricCrd) => Record<string, unknown> | undefined = () => undefined): Promise<void> {
  const resources = crds.map((c) => `${c.names.plural}.${version(c)}.${c.group}`);
  const list = await getJson<{ items: { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> }[] }>(['get', resources.join(','), '-n', NS]);
  for (const c of crds) {
    const got = list.items.find((i) => i.kind === c.names.kind);
    expect(got, `${c.names.kind} readable as ${version(c)}`).toBeDefined();
    expect(got!.apiVersion).toBe(`${c.group}/${version(c)}`);
    const spec = schemaOf(c) ? pruned(((schemaOf(c)!.properties ?? {}) as Record<string, Record<string, unknown>>).spec, SPECS[c.names.kind].spec) : SPECS[c.names.kind].spec;
    expect(got!.spec, `${c.names.kind} at ${version(c)}`).toMatchObject(spec as Record<string, unknown>);
  }
}

/** Every object read back at every version our CRD serves, with the fields that version's schema declares. */
async function readEveryServed(crds: HistoricCrd[]): Promise<void> {
  const served = (c: HistoricCrd) => ours.get(c.name)!.versions.filter((v) => v.served);
  const most = Math.max(...crds.map((c) => served(c).length));
  for (let i = 0; i < most; i++) {
    const some = crds.filter((c) => served(c).length > i);
    await readBack(some, (c) => served(c)[i].name, (c) => served(c)[i].schema as unknown as Record<string, unknown>);
  }
}

/** docs/parity.md {#adopt-into-helm}: the objects `kubectl apply -k dist/<chart>` made, labelled and annotated as Helm's own. */
async function adoptIntoHelm(chart: string, namespace: string): Promise<void> {
  const file = join(DIST_DIR, chart, `${chart}.yaml`);
  await kubectl(['label', '-f', file, 'app.kubernetes.io/managed-by=Helm', '--overwrite']);
  await kubectl(['annotate', '-f', file, `meta.helm.sh/release-name=${chart}`, `meta.helm.sh/release-namespace=${namespace}`, '--overwrite']);
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
      // Uninstalled as each path's user would: the Helm releases, and what dist/ applied.
      const major = path.via === 'helm' ? path.major : 4;
      await helm(major, ['uninstall', 'linkerd-multicluster', '-n', 'linkerd-multicluster', '--ignore-not-found']).catch(() => undefined);
      await helm(major, ['uninstall', 'linkerd-crds', '-n', 'linkerd', '--ignore-not-found']).catch(() => undefined);
      if (path.via === 'dist') {
        for (const f of ['linkerd-multicluster', 'linkerd-crds']) await kubectl(['delete', '-k', join(DIST_DIR, f), '--ignore-not-found', '--wait=true', '--timeout=180s']).catch(() => undefined);
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

    it(`reads every object back, as stored, at ${tag}'s storage version and at every version ours serves`, async () => {
      await readBack(release.crds, storageVersionOf);
      await readBack(release.crds, (c) => storageVersion(ours.get(c.name)!).name);
      await readEveryServed(release.crds);
    });

    if (path.via === 'dist') {
      it('hands the dist/ objects to Helm with the ownership metadata docs/parity.md gives, and every object stays readable', async () => {
        // Helm creates nothing it would have to take over silently: the first object it meets is named.
        const refused = await helm(4, ['upgrade', '--install', 'linkerd-multicluster', join(CHARTS_DIR, 'linkerd-multicluster'), '-n', 'linkerd-multicluster']).then(
          () => undefined,
          (e: Error) => e.message,
        );
        expect(refused).toMatch(/exists and cannot be imported into the current release: invalid ownership metadata/);
        for (const chart of ['linkerd-crds', 'linkerd-multicluster']) {
          const ns = chart === 'linkerd-crds' ? 'linkerd' : 'linkerd-multicluster';
          await adoptIntoHelm(chart, ns);
          // The values dist/ was rendered from (the defaults), so Helm changes nothing it takes over.
          const out = await helm(4, ['upgrade', '--install', chart, join(CHARTS_DIR, chart), '-n', ns]);
          expect(out.stdout).toMatch(/STATUS: deployed/);
        }
        await readBack(release.crds, storageVersionOf);
        await readEveryServed(release.crds);
      });
    }
  });
});
