/**
 * linkerd-multicluster: the construct (wired to the control plane, values validated), the
 * typed Link custom resource, and the facts linked clusters rely on (gateway identity,
 * remote access token, who may reach the gateway).
 */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { Link } from '../src/crds/resources';
import { ValuesError } from '../src/helm/chart';
import { linkerdMulticlusterChart } from '../src/multicluster/chart';
import { LinkerdMesh } from '../src/mesh/mesh';
import { LinkerdMulticluster } from '../src/multicluster/construct';
import { ourObjects, type K8sDoc } from './support/render';
import { IDENTITY_VALUES } from './fixtures/identity';

type Doc = K8sDoc & { spec?: any; metadata: K8sDoc['metadata'] & { annotations?: Record<string, string> } }; // eslint-disable-line @typescript-eslint/no-explicit-any
const release = { name: 'linkerd-multicluster', namespace: 'mc' };
const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);

describe('linkerd-multicluster', () => {
  it('names the gateway identity from the namespace, the control plane namespace and the trust domain', () => {
    const docs = ourObjects(linkerdMulticlusterChart, { linkerdNamespace: 'mesh', identityTrustDomain: 'example.org' }, release) as Doc[];
    expect(find(docs, 'Service', 'linkerd-gateway')?.metadata.annotations?.['mirror.linkerd.io/gateway-identity']).toBe('linkerd-gateway.mc.serviceaccount.identity.mesh.example.org');
  });

  it('gives linked clusters a token Secret bound to the remote access ServiceAccount', () => {
    const docs = ourObjects(linkerdMulticlusterChart, { remoteMirrorServiceAccountName: 'east-reader' }, release) as Doc[];
    const secret = find(docs, 'Secret', 'east-reader-token') as Doc & { type?: string };
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(secret.metadata.annotations?.['kubernetes.io/service-account.name']).toBe('east-reader');
    expect(find(docs, 'ClusterRoleBinding', 'east-reader')?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'east-reader' });
  });

  it('the construct takes the control plane namespace and trust domain', () => {
    const app = new App();
    const controlPlane = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: { ...IDENTITY_VALUES, clusterDomain: 'east.local' }, namespace: 'mesh' });
    const mc = new LinkerdMulticluster(app, 'linkerd-multicluster', { controlPlane });
    const service = find(Testing.synth(mc) as Doc[], 'Service', 'linkerd-gateway');
    expect(service?.metadata.annotations?.['mirror.linkerd.io/gateway-identity']).toBe('linkerd-gateway.linkerd-multicluster.serviceaccount.identity.mesh.east.local');
  });

  it('the construct rejects bad values, naming the key', () => {
    expect(() => new LinkerdMulticluster(new App(), 'mc', { values: { gateway: { serviceType: 'External' as 'ClusterIP' } } })).toThrow(ValuesError);
    expect(() => new LinkerdMulticluster(new App(), 'mc', { values: { gateway: { serviceType: 'External' as 'ClusterIP' } } })).toThrow(/gateway\.serviceType/);
  });
});

describe('LinkerdMesh', () => {
  it('installs linkerd-multicluster only when asked, wired to the control plane', () => {
    const without = new LinkerdMesh(new App(), 'mesh', { controlPlane: IDENTITY_VALUES, viz: false });
    expect(without.multicluster).toBeUndefined();
    const app = new App();
    const mesh = new LinkerdMesh(app, 'mesh', { controlPlane: IDENTITY_VALUES, viz: false, multicluster: { gateway: { serviceType: 'NodePort' } }, namespaces: { controlPlane: 'mesh', multicluster: 'mc' }, clusterDomain: 'east.local' });
    const service = find(Testing.synth(mesh.multicluster!) as Doc[], 'Service', 'linkerd-gateway');
    expect(service?.spec.type).toBe('NodePort');
    expect(service?.metadata.namespace).toBe('mc');
    expect(service?.metadata.annotations?.['mirror.linkerd.io/gateway-identity']).toBe('linkerd-gateway.mc.serviceaccount.identity.mesh.east.local');
  });
});

describe('Link', () => {
  const spec = {
    targetClusterName: 'west',
    targetClusterDomain: 'cluster.local',
    targetClusterLinkerdNamespace: 'linkerd',
    clusterCredentialsSecret: 'cluster-credentials-west',
    gatewayAddress: '203.0.113.10',
    gatewayPort: '4143',
    gatewayIdentity: 'linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local',
    probeSpec: { path: '/ready', port: '4191', period: '3s', failureThreshold: '3', timeout: '30s' },
    selector: { matchExpressions: [{ key: 'mirror.linkerd.io/exported', operator: 'In' as const, values: ['true'] }] },
    remoteDiscoverySelector: { matchLabels: { 'mirror.linkerd.io/exported': 'remote-discovery' } },
  };

  it('is a multicluster.linkerd.io/v1alpha3 object', () => {
    const chart = new Chart(new App(), 'links');
    new Link(chart, 'west', { metadata: { name: 'west', namespace: 'linkerd-multicluster' }, spec });
    expect(Testing.synth(chart)[0]).toMatchObject({ apiVersion: 'multicluster.linkerd.io/v1alpha3', kind: 'Link', spec: { targetClusterName: 'west' } });
  });

  it('refuses a spec the CRD refuses, naming the field', () => {
    const chart = new Chart(new App(), 'links');
    const bad = { ...spec, selector: { matchExpressions: [{ key: 'a', operator: 'Equals' as 'In' }] } };
    expect(() => new Link(chart, 'west', { metadata: { name: 'west' }, spec: bad })).toThrow(/operator/);
    expect(() => new Link(chart, 'west2', { metadata: { name: 'west2' }, spec: { ...spec, gatewayPort: 4143 as unknown as string } })).toThrow(/gatewayPort/);
  });
});
