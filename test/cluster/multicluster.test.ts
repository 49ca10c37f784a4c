/**
 * linkerd-multicluster on a real API server: installed with Helm 4 and Helm 3 after the CRDs
 * and the control plane, waiting for every object; its Link CRD accepts a Link as the
 * `linkerd multicluster link-gen` output shapes it (built with our typed `Link`) and refuses
 * one the schema refuses; linkerd-multicluster-link installs for that Link with its credentials
 * Secret; upgraded to run a service mirror controller per entry of `controllers`; uninstalled
 * cleanly.
 */
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { afterAll, describe, expect, it } from 'vitest';
import { Link } from '../../src/crds/resources';
import type { HelmMajor } from '../support/helm';
import { CHARTS_DIR, IDENTITY_FLAGS, deleteNamespace, eventually, getJson, helm, kubectl, serverVerdict } from './support/cluster';

const NS = 'linkerd-multicluster';
const LINK = 'linkerd-multicluster-link-west';
const RELEASES = [
  { name: 'linkerd-crds', namespace: 'linkerd', flags: [] as string[] },
  { name: 'linkerd-control-plane', namespace: 'linkerd', flags: IDENTITY_FLAGS },
  // No load balancer controller in the test cluster: Helm's wait would hold on a LoadBalancer Service.
  { name: 'linkerd-multicluster', namespace: NS, flags: ['--set', 'gateway.serviceType=NodePort'] },
];

function waitFlags(major: HelmMajor): string[] {
  return major === 4 ? ['--server-side=true', '--wait=watcher', '--timeout=5m'] : ['--wait', '--timeout=5m'];
}

function link(name: string, spec: Record<string, unknown> = {}) {
  const chart = new Chart(new App(), 'links');
  new Link(chart, name, {
    metadata: { name, namespace: NS },
    spec: {
      targetClusterName: name,
      targetClusterDomain: 'cluster.local',
      targetClusterLinkerdNamespace: 'linkerd',
      clusterCredentialsSecret: `cluster-credentials-${name}`,
      gatewayAddress: '203.0.113.10',
      gatewayPort: '4143',
      gatewayIdentity: 'linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local',
      probeSpec: { path: '/ready', port: '4191', period: '3s', failureThreshold: '3', timeout: '30s' },
      selector: { matchLabels: { 'mirror.linkerd.io/exported': 'true' } },
      remoteDiscoverySelector: { matchLabels: { 'mirror.linkerd.io/exported': 'remote-discovery' } },
      ...spec,
    },
  });
  return Testing.synth(chart)[0];
}

describe.each([4, 3] as HelmMajor[])('linkerd-multicluster, Helm %i', (major) => {
  afterAll(async () => {
    await helm(major, ['uninstall', LINK, '-n', NS, '--ignore-not-found', '--wait']).catch(() => undefined);
    await kubectl(['delete', 'links.multicluster.linkerd.io', '--all', '-n', NS, '--ignore-not-found']).catch(() => undefined);
    for (const r of [...RELEASES].reverse()) await helm(major, ['uninstall', r.name, '-n', r.namespace, '--ignore-not-found', '--wait']).catch(() => undefined);
    for (const ns of [NS, 'linkerd']) await deleteNamespace(ns);
  });

  it('installs after the control plane, waiting for every object', async () => {
    for (const r of RELEASES) {
      const out = await helm(major, ['install', r.name, join(CHARTS_DIR, r.name), '-n', r.namespace, '--create-namespace', ...r.flags, ...waitFlags(major)]);
      expect(out.stdout).toMatch(/STATUS: deployed/);
    }
    const deployments = (await getJson<{ items: { metadata: { name: string } }[] }>(['get', 'deployments', '-n', NS])).items.map((d) => d.metadata.name).sort();
    expect(deployments).toEqual(['linkerd-gateway', 'linkerd-local-service-mirror']);
    // The remote access token Secret is filled in by the token controller.
    await eventually('the remote access token', 60, async () => {
      const s = await getJson<{ data?: Record<string, string> }>(['get', 'secret', 'linkerd-service-mirror-remote-access-default-token', '-n', NS]);
      return s.data?.token ? true : undefined;
    });
  });

  it('has a Link CRD that accepts a Link and refuses a bad one', async () => {
    expect(await serverVerdict(link('west'))).toEqual({ accepted: true, message: '' });
    await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(link('west')));
    const stored = await getJson<{ apiVersion: string; spec: { targetClusterName: string } }>(['get', 'links.multicluster.linkerd.io', 'west', '-n', NS]);
    expect(stored.apiVersion).toBe('multicluster.linkerd.io/v1alpha3');
    expect(stored.spec.targetClusterName).toBe('west');
    const bad = link('east') as { spec: Record<string, unknown> };
    bad.spec.selector = { matchExpressions: [{ key: 'a', operator: 'Equals' }] };
    const verdict = await serverVerdict(bad);
    expect(verdict.accepted).toBe(false);
    expect(verdict.message).toMatch(/operator/);
  });

  it('installs linkerd-multicluster-link for the Link, with the credentials Secret it reads', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cluster-credentials-west', namespace: NS }, type: 'mirror.linkerd.io/remote-kubeconfig', stringData: { kubeconfig: 'apiVersion: v1\nkind: Config\n' } };
    await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(secret));
    const out = await helm(major, ['install', LINK, join(CHARTS_DIR, 'linkerd-multicluster-link'), '-n', NS, '--set', 'targetClusterName=west', ...waitFlags(major)]);
    expect(out.stdout).toMatch(/STATUS: deployed/);
    const services = (await getJson<{ items: { metadata: { name: string } }[] }>(['get', 'services', '-n', NS])).items.map((x) => x.metadata.name);
    expect(services).toContain('probe-gateway-west');
    // The service mirror may read exactly that Secret.
    const can = await kubectl(['auth', 'can-i', 'get', 'secret/cluster-credentials-west', '-n', NS, `--as=system:serviceaccount:${NS}:linkerd-service-mirror-west`]);
    expect(can.stdout.trim()).toBe('yes');
  });

  it('upgrades linkerd-multicluster to run a service mirror controller per entry of controllers', async () => {
    const controllers = [{ link: { ref: { name: 'west' } } }, { link: { ref: { name: 'south' } }, replicas: 2, gateway: { enabled: false } }];
    const mc = RELEASES[RELEASES.length - 1];
    const out = await helm(major, ['upgrade', mc.name, join(CHARTS_DIR, mc.name), '-n', NS, ...mc.flags, '--set-json', `controllers=${JSON.stringify(controllers)}`, ...waitFlags(major)]);
    expect(out.stdout).toMatch(/STATUS: deployed/);
    const deployments = await getJson<{ items: { metadata: { name: string }; status: { availableReplicas?: number } }[] }>(['get', 'deployments', '-n', NS]);
    const available = Object.fromEntries(deployments.items.map((d) => [d.metadata.name, d.status.availableReplicas ?? 0]));
    expect(available).toMatchObject({ 'controller-west': 1, 'controller-south': 2 });
    const services = (await getJson<{ items: { metadata: { name: string } }[] }>(['get', 'services', '-n', NS])).items.map((x) => x.metadata.name);
    expect(services).toContain('probe-west');
    expect(services).not.toContain('probe-south');
    // Each controller reads its own link's credentials, and no other's.
    const canI = async (sa: string, secret: string) => (await kubectl(['auth', 'can-i', 'get', `secret/${secret}`, '-n', NS, `--as=system:serviceaccount:${NS}:${sa}`]).catch((e: Error) => ({ stdout: /\nno$/.test(e.message) ? 'no' : e.message }))).stdout.trim();
    expect(await canI('controller-west', 'cluster-credentials-west')).toBe('yes');
    expect(await canI('controller-west', 'cluster-credentials-south')).toBe('no');
  });
});
