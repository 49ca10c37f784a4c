/**
 * A real Argo CD (v3.2.11, built from Go modules; scripts/cluster/argocd.ts) syncs this
 * repository as a user's Git server serves it: the app of apps of dist/argocd, the Lua health
 * checks of dist/argocd/argocd-cm-patch.yaml judging Linkerd's kinds, and bad commits.
 *
 * The test cluster runs no controller but Kubernetes' own, so the test plays three of them where
 * Argo CD waits for their work (support/argocd.ts): cert-manager (the Issuers and Certificates of
 * dist/linkerd-certificates), the tap API server and a cloud load balancer.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_DIR, KUBECONFIG, kubectlPath } from '../../scripts/cluster/cluster';
import { toolDir, toolPath } from '../../scripts/cluster/tools';
import { clusterInfo, downArgoCd, upArgoCd } from '../../scripts/cluster/argocd';
import { SYNC_WAVES } from '../../src/argocd';
import { NS, app, playControllers, refresh, settled, workTree, type App } from './support/argocd';
import { ROOT, deleteNamespace, eventually, getJson, kubectl } from './support/cluster';

const WORK = join(CLUSTER_DIR, 'argocd', 'work');
const { git, push } = workTree(WORK);

async function apps(): Promise<App[]> {
  return (await getJson<{ items: App[] }>(['get', 'applications.argoproj.io', '-n', NS])).items;
}

/** resourceVersion of every object the Application manages, as the server has it. */
async function liveVersions(a: App): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of a.status?.resources ?? []) {
    const type = r.group ? `${r.kind}.${r.group}` : r.kind;
    const o = await getJson<{ metadata: { resourceVersion: string } }>(['get', type, r.name, ...(r.namespace ? ['-n', r.namespace] : [])]);
    out.set(`${r.kind}/${r.namespace ?? ''}/${r.name}`, o.metadata.resourceVersion);
  }
  return out;
}

describe('a real Argo CD syncs the repository', () => {
  let gitUrl = '';
  const children = Object.keys(SYNC_WAVES);

  beforeAll(async () => {
    await upArgoCd((l) => console.log(`[argocd] ${l}`));
    // dist/linkerd-certificates expects cert-manager and trust-manager: their CRDs, as a user has them installed.
    for (const sub of ['cert-manager', 'trust-manager']) await kubectl(['apply', '--server-side', '-f', join(toolDir('crds'), sub)]);
    gitUrl = clusterInfo().gitUrl!;
    // The user's repository: this project's dist/ and charts/ (as committed), pushed to the Git server.
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    git(['init', '--quiet', '--initial-branch=main']);
    git(['remote', 'add', 'origin', gitUrl]);
    for (const d of ['dist', 'charts']) cpSync(join(ROOT, d), join(WORK, d), { recursive: true });
    push('dist/ and charts/ of cdk8s-linkerd');
  });

  afterAll(async () => {
    // The root Application's finalizer deletes the children, whose finalizers prune what they made.
    await kubectl(['delete', 'applications.argoproj.io', '--all', '-n', NS, '--wait=true', '--timeout=300s']).catch((e: Error) => console.log(e.message));
    // No server behind the tap APIService: while it is registered, discovery fails and no namespace can finish deleting.
    await kubectl(['delete', 'apiservice', 'v1alpha1.tap.linkerd.io', '--ignore-not-found']).catch((e: Error) => console.log(e.message));
    for (const ns of ['linkerd', 'linkerd-viz', 'linkerd-jaeger', 'linkerd-multicluster', 'linkerd-cni', 'linkerd-health']) await deleteNamespace(ns).catch(() => undefined);
    await downArgoCd((l) => console.log(`[argocd] ${l}`));
  });

  it('info --json names the kubeconfig, the Git server, the OCI registry and Argo CD\'s namespace', async () => {
    const out = JSON.parse(execFileSync('npx', ['tsx', join(ROOT, 'scripts/cluster/cluster.ts'), 'info', '--json'], { encoding: 'utf8' })) as Record<string, unknown>;
    expect(out).toMatchObject({ gitUrl, argocdNamespace: NS });
    expect(String(out.kubeconfig)).toMatch(/kubeconfig$/);
    // The registry answers the OCI distribution API on loopback.
    expect(String(out.registry)).toMatch(/^127\.0\.0\.1:\d+$/);
    expect((await fetch(`http://${String(out.registry)}/v2/`)).status).toBe(200);
    // The release the wrapper module pins, not the source's placeholder v99.99.99.
    const version = execFileSync(toolPath('argocd'), ['version', '--client', '--short'], { encoding: 'utf8', env: { ...process.env, ARGOCD_BINARY_NAME: 'argocd' } });
    expect(version).toMatch(/v3\.2\.11\b/);
  });

  it('the app of apps, applied as a user applies it, brings every child to Synced and Healthy in sync-wave order', async () => {
    // cdk8s-linkerd argocd --repo <the Git server>, committed and pushed.
    execFileSync(process.execPath, [join(ROOT, 'bin', 'cdk8s-linkerd.js'), 'argocd', '--repo', gitUrl, '--revision', 'main', '-o', join(WORK, 'dist', 'argocd')], { cwd: WORK, encoding: 'utf8' });
    push('Argo CD Applications for this repository');
    await kubectl(['-n', NS, 'patch', 'configmap', 'argocd-cm', '--patch-file', join(WORK, 'dist', 'argocd', 'argocd-cm-patch.yaml')]);
    await kubectl(['apply', '-f', join(WORK, 'dist', 'argocd', 'root.yaml')]);

    // Every change of every Application, as the API server streams it (a poll could miss a state):
    // the order in which the children first became Healthy, which is what the root Application
    // waits for between waves (the Application health check of argocd-cm-patch.yaml), and the
    // order in which they were first also Synced (printed; Argo CD's cache can report a synced
    // CRD as missing for a while, so a wave may be Healthy before it is shown Synced).
    const order: string[] = [];
    const syncedOrder: string[] = [];
    const watch = spawn(kubectlPath(), ['--kubeconfig', KUBECONFIG, 'get', 'applications.argoproj.io', '-n', NS, '--watch', '-o', 'jsonpath={.metadata.name} {.status.sync.status} {.status.health.status}{"\\n"}'], { stdio: ['ignore', 'pipe', 'ignore'] });
    createInterface({ input: watch.stdout }).on('line', (line) => {
      const [name, sync, health] = line.split(' ');
      if (!children.includes(name) || health !== 'Healthy') return;
      if (!order.includes(name)) order.push(name);
      if (sync === 'Synced' && !syncedOrder.includes(name)) syncedOrder.push(name);
    });
    await eventually('every child Application to be Synced and Healthy', 1400, async () => {
      await playControllers();
      const list = await apps();
      const root = list.find((a) => a.metadata.name === 'linkerd');
      return order.length === children.length && list.filter((a) => children.includes(a.metadata.name)).every(settled) && root && settled(root) ? true : undefined;
    }).finally(() => watch.kill()).catch(async (e: Error) => {
      const list = await apps();
      throw new Error(`${e.message}\nhealthy in order: ${order.join(', ')}\n${list.map((a) => `${a.metadata.name}: ${a.status?.sync?.status}/${a.status?.health?.status} ${a.status?.health?.message ?? ''} ${(a.status?.conditions ?? []).map((c) => `${c.type}: ${c.message}`).join('; ')} ${a.status?.operationState?.message ?? ''}`).join('\n')}`);
    });
    console.log(`children first Healthy in this order: ${order.map((n) => `${n} (wave ${SYNC_WAVES[n]})`).join(', ')}`);
    console.log(`children first Synced and Healthy in this order: ${syncedOrder.map((n) => `${n} (wave ${SYNC_WAVES[n]})`).join(', ')}`);
    const waves = order.map((n) => SYNC_WAVES[n]);
    expect(waves).toEqual([...waves].sort((a, b) => a - b));
  }, 1_500_000);

  it('stays Synced through two hard refreshes: no perpetual diff', async () => {
    for (const round of [1, 2]) {
      // Every Application at once: Argo CD regenerates and compares them side by side.
      const refreshed = await Promise.all(['linkerd', ...children].map((name) => refresh(name, 'hard')));
      for (const a of refreshed) {
        const outOfSync = (a.status?.resources ?? []).filter((r) => r.status !== 'Synced').map((r) => `${r.kind}/${r.namespace ?? ''}/${r.name}: ${r.status}`);
        expect({ round, name: a.metadata.name, sync: a.status?.sync?.status, outOfSync }).toEqual({ round, name: a.metadata.name, sync: 'Synced', outOfSync: [] });
      }
    }
  }, 1_500_000);

  it('judges Linkerd\'s kinds with the health checks of argocd-cm-patch.yaml', async () => {
    // Objects of every Linkerd kind with a status, and one without, synced by an Application.
    const ns = 'linkerd-health';
    const objects = healthObjects(ns);
    mkdirSync(join(WORK, 'health'), { recursive: true });
    writeFileSync(join(WORK, 'health', 'objects.yaml'), objects.map((o) => JSON.stringify(o)).join('\n---\n'));
    push('objects for the health checks');
    await kubectl(['apply', '-f', '-'], JSON.stringify(healthApp(gitUrl, ns)));
    await eventually('the health objects to be synced', 300, async () => ((await app('linkerd-health')).status?.sync?.status === 'Synced' ? true : undefined));

    const verdict = async (kind: string, name: string) =>
      eventually(`Argo CD's verdict on ${kind} ${name}`, 180, async () => (await app('linkerd-health')).status?.resources?.find((r) => r.kind === kind && r.name === name)?.health);
    // Each case: the status the test writes, and the verdict Argo CD must reach.
    for (const c of HEALTH_CASES) {
      await kubectl(['patch', c.resource, c.name, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: c.status })]);
      await refresh('linkerd-health', 'normal');
      const h = await eventually(`${c.kind} ${c.name} to be judged ${c.want}`, 180, async () => {
        const got = await verdict(c.kind, c.name);
        return got.status === c.want ? got : undefined;
      }).catch(async (e: Error) => {
        throw new Error(`${e.message}; last verdict: ${JSON.stringify(await verdict(c.kind, c.name))}`);
      });
      console.log(`${c.kind} ${c.name}: ${h.status} (${h.message ?? ''})`);
      expect(h.status, c.why).toBe(c.want);
    }
    const server = await verdict('Server', 'web');
    expect(server.status).toBe('Healthy');
  });

  it('a commit with invalid YAML in dist/ leaves the Application in a comparison error naming the file, changes nothing, and the next good commit heals it', async () => {
    const before = await app('linkerd-jaeger');
    expect(settled(before)).toBe(true);
    const versions = await liveVersions(before);
    const file = join(WORK, 'dist', 'linkerd-jaeger', 'linkerd-jaeger.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(/^(kind: ServiceAccount)$/m, '$1\n  badIndent: [unclosed'));
    push('a broken manifest');
    const broken = await eventually('a comparison error', 300, async () => {
      const a = await refresh('linkerd-jaeger', 'normal');
      return (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError');
    });
    console.log(`ComparisonError: ${broken.message}`);
    // The file, and where in it: kustomize's YAML parser names the line of the bad key.
    expect(broken.message).toContain('linkerd-jaeger.yaml');
    expect(broken.message).toMatch(/yaml: line \d+: mapping values are not allowed/);
    expect(await liveVersions(before)).toEqual(versions);

    writeFileSync(file, good);
    const fixed = push('the manifest repaired');
    await eventually('the Application to heal', 300, async () => {
      const a = await refresh('linkerd-jaeger', 'normal');
      return settled(a) && a.status?.sync?.revision === fixed && !(a.status?.conditions ?? []).some((c) => c.type === 'ComparisonError') ? true : undefined;
    });
    expect(await liveVersions(before)).toEqual(versions);
  });
});

/** An Application of the test's health objects (project default, like a user's own). */
function healthApp(repoURL: string, namespace: string): object {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'linkerd-health', namespace: NS, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: 'main', path: 'health' },
      destination: { server: 'https://kubernetes.default.svc', namespace },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
    },
  };
}

function healthObjects(ns: string): object[] {
  const meta = (name: string) => ({ name, namespace: ns });
  return [
    { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'Server', metadata: meta('web'), spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http' } },
    { apiVersion: 'policy.linkerd.io/v1beta3', kind: 'HTTPRoute', metadata: meta('web'), spec: { parentRefs: [{ group: 'policy.linkerd.io', kind: 'Server', name: 'web' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }] }] } },
    { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'EgressNetwork', metadata: meta('internet'), spec: { trafficPolicy: 'Allow' } },
    { apiVersion: 'policy.linkerd.io/v1alpha1', kind: 'HTTPLocalRateLimitPolicy', metadata: meta('web'), spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' }, total: { requestsPerSecond: 100 } } },
    {
      apiVersion: 'workload.linkerd.io/v1beta1',
      kind: 'ExternalWorkload',
      metadata: meta('vm'),
      spec: { meshTLS: { identity: 'spiffe://root.linkerd.cluster.local/vm', serverName: 'vm.linkerd-health.cluster.local' }, ports: [{ name: 'http', port: 80 }], workloadIPs: [{ ip: '192.0.2.10' }] },
    },
    {
      apiVersion: 'multicluster.linkerd.io/v1alpha3',
      kind: 'Link',
      metadata: meta('west'),
      spec: { targetClusterName: 'west', targetClusterDomain: 'cluster.local', clusterCredentialsSecret: 'cluster-credentials-west', gatewayAddress: '192.0.2.20', gatewayPort: '4143', gatewayIdentity: 'linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local', probeSpec: { path: '/ready', port: '4191', period: '3s' }, selector: { matchLabels: { 'mirror.linkerd.io/exported': 'true' } }, remoteDiscoverySelector: { matchLabels: { 'mirror.linkerd.io/exported': 'remote-discovery' } } },
    },
  ];
}

const now = '2026-01-01T00:00:00Z';
const cond = (type: string, status: string, extra: Record<string, unknown> = {}) => ({ type, status, reason: status === 'True' ? type : `Not${type}`, message: `${type} ${status}`, lastTransitionTime: now, ...extra });
const parent = (conditions: object[]) => ({ parents: [{ parentRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' }, controllerName: 'linkerd.io/policy-controller', conditions }] });

interface HealthCase {
  kind: string;
  resource: string;
  name: string;
  status: object;
  want: 'Healthy' | 'Progressing' | 'Degraded';
  why: string;
}

const HEALTH_CASES: HealthCase[] = [
  { kind: 'HTTPRoute', resource: 'httproutes.policy.linkerd.io', name: 'web', status: parent([cond('Accepted', 'True'), cond('ResolvedRefs', 'True')]), want: 'Healthy', why: 'accepted, references resolved, no observedGeneration (as Linkerd writes it)' },
  { kind: 'HTTPRoute', resource: 'httproutes.policy.linkerd.io', name: 'web', status: parent([cond('Accepted', 'True', { observedGeneration: 1 }), cond('ResolvedRefs', 'False', { observedGeneration: 1 })]), want: 'Degraded', why: 'a backend does not resolve' },
  { kind: 'HTTPRoute', resource: 'httproutes.policy.linkerd.io', name: 'web', status: parent([cond('Accepted', 'True', { observedGeneration: 0 }), cond('ResolvedRefs', 'True', { observedGeneration: 0 })]), want: 'Progressing', why: 'the conditions are about an older generation' },
  { kind: 'EgressNetwork', resource: 'egressnetworks.policy.linkerd.io', name: 'internet', status: { conditions: [cond('Accepted', 'True')] }, want: 'Healthy', why: 'accepted' },
  { kind: 'EgressNetwork', resource: 'egressnetworks.policy.linkerd.io', name: 'internet', status: { conditions: [cond('Accepted', 'False')] }, want: 'Degraded', why: 'refused by the policy controller' },
  { kind: 'HTTPLocalRateLimitPolicy', resource: 'httplocalratelimitpolicies.policy.linkerd.io', name: 'web', status: { conditions: [cond('Accepted', 'Unknown')], targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' } }, want: 'Progressing', why: 'not decided yet' },
  { kind: 'HTTPLocalRateLimitPolicy', resource: 'httplocalratelimitpolicies.policy.linkerd.io', name: 'web', status: { conditions: [cond('Accepted', 'True')], targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' } }, want: 'Healthy', why: 'accepted' },
  { kind: 'ExternalWorkload', resource: 'externalworkloads.workload.linkerd.io', name: 'vm', status: { conditions: [cond('Ready', 'False')] }, want: 'Degraded', why: 'the workload is not ready' },
  { kind: 'ExternalWorkload', resource: 'externalworkloads.workload.linkerd.io', name: 'vm', status: { conditions: [cond('Ready', 'True')] }, want: 'Healthy', why: 'ready' },
  {
    kind: 'Link',
    resource: 'links.multicluster.linkerd.io',
    name: 'west',
    status: { mirrorServices: [{ controllerName: 'linkerd.io/service-mirror', remoteRef: { kind: 'Service', name: 'web', namespace: 'shop' }, conditions: [cond('Mirrored', 'False')] }] },
    want: 'Degraded',
    why: 'a Service could not be mirrored',
  },
  {
    kind: 'Link',
    resource: 'links.multicluster.linkerd.io',
    name: 'west',
    status: { mirrorServices: [{ controllerName: 'linkerd.io/service-mirror', remoteRef: { kind: 'Service', name: 'web', namespace: 'shop' }, conditions: [cond('Mirrored', 'True')] }] },
    want: 'Healthy',
    why: 'every Service mirrored',
  },
];
