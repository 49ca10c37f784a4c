/**
 * linkerd-control-plane beyond the shared chart suite (test/charts/): our additions,
 * per-component proxy overrides, webhook certificates given or external (compared without
 * masking), and the certificate checks with one message per fault.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, type GeneratedIdentity } from '../src/certs/identity';
import { App, Testing } from 'cdk8s';
import { linkerdControlPlaneChart } from '../src/control-plane/chart';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { controlPlaneValues } from '../src/control-plane/values';
import { ValuesError, resolveValues } from '../src/helm/chart';
import { gitopsValues } from '../src/control-plane/presets';
import { coalesce, defaultsOf, validateValues } from '../src/values/model';
import { expectReproducibleWithoutKeys, schemaProblems } from './support/chart-suite';
import { thirdPartyProblems } from './support/third-party-schema';
import { expectHelmEquivalent, ourObjects } from './support/render';

const release = { name: 'linkerd-control-plane', namespace: 'linkerd' };
let id: GeneratedIdentity;
let other: GeneratedIdentity;
beforeAll(async () => {
  id = await generateIdentity();
  other = await generateIdentity();
});
const certs = () => ({
  identityTrustAnchorsPEM: id.caCrtPEM,
  identity: { issuer: { tls: { crtPEM: id.issuerCrtPEM, keyPEM: id.issuerKeyPEM } } },
});

/** Webhook certificates given as values: then nothing is generated and nothing is masked. */
const givenWebhookCerts = () => {
  const given = { crtPEM: id.issuerCrtPEM, keyPEM: id.issuerKeyPEM, caBundle: id.caCrtPEM };
  return { proxyInjector: given, profileValidator: given, policyValidator: given };
};
const certManagerWebhooks = () => {
  const external = (name: string) => ({ externalSecret: true, injectCaFrom: `linkerd/${name}` });
  return { proxyInjector: external('linkerd-proxy-injector'), profileValidator: external('linkerd-sp-validator'), policyValidator: external('linkerd-policy-validator') };
};

const expectEquivalent = (user: Record<string, unknown>, mask = true) => expectHelmEquivalent(linkerdControlPlaneChart, user, { release, mask });

describe('linkerd-control-plane: Helm and cdk8s-linkerd render the same objects', () => {
  it.each([
    ['our additions', { identity: { podLabels: { team: 'mesh' }, priorityClassName: 'system-cluster-critical', topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'linkerd.io/control-plane-component': 'identity' } } }] } }],
    ['proxy overrides for identity', { identityProxyResources: { cpu: { limit: '1' }, cores: 2 }, commonLabels: { env: 'prod' }, podAnnotations: { a: 'b' }, identity: { podAnnotations: { a: 'c' } } }],
  ])('for %s, valid against Kubernetes 1.31', async (_name, user) => {
    const values = coalesce(user as Record<string, unknown>, certs());
    await expectEquivalent(values);
    expect(schemaProblems(ourObjects(linkerdControlPlaneChart, values, release))).toEqual([]);
  });

  it('byte for byte in everything but nothing when webhook certificates are given', async () => {
    await expectEquivalent(coalesce(givenWebhookCerts(), certs()), false);
  });

  it('for cert-manager-managed webhook certificates', async () => {
    await expectEquivalent(coalesce(certManagerWebhooks(), certs()), false);
  });

});

describe('values-gitops.yaml', () => {
  it('renders the same bytes twice, through Helm 3, Helm 4 and the CLI, and holds no key', async () => {
    await expectReproducibleWithoutKeys(linkerdControlPlaneChart, { ...gitopsValues, identityTrustAnchorsPEM: id.caCrtPEM }, release);
  });
});

describe('cert-manager and trust-manager', () => {
  type Doc = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: Record<string, unknown> } & Record<string, unknown>;
  const render = (namespace: string) => ourObjects(linkerdControlPlaneChart, { ...gitopsValues, identityTrustAnchorsPEM: id.caCrtPEM }, { ...release, namespace }) as Doc[];

  it('issues every Secret the control plane mounts, and injects the CA the webhooks are served with', () => {
    const docs = render('mesh');
    const certificates = docs.filter((d) => d.kind === 'Certificate');
    const secretsIssued = new Set(certificates.map((c) => c.spec?.secretName as string));
    const mounted = JSON.stringify(docs.filter((d) => d.kind === 'Deployment')).match(/"secretName":"([^"]+)"/g)?.map((m) => m.split('"')[3]) ?? [];
    expect(mounted.length).toBeGreaterThanOrEqual(4);
    for (const name of mounted) expect(secretsIssued, name).toContain(name);
    const webhooks = docs.filter((d) => d.kind.endsWith('WebhookConfiguration'));
    expect(webhooks).toHaveLength(3);
    for (const w of webhooks) {
      const from = w.metadata.annotations?.['cert-manager.io/inject-ca-from'] ?? '';
      const [ns, name] = from.split('/');
      expect(ns).toBe('mesh');
      const cert = certificates.find((c) => c.metadata.name === name);
      expect(cert, from).toBeDefined();
      const service = ((w.webhooks as { clientConfig: { service: { name: string } } }[])[0]).clientConfig.service.name;
      expect(cert?.spec?.dnsNames).toEqual([`${service}.mesh.svc`]);
      expect(JSON.stringify(w)).not.toContain('caBundle');
    }
    const identityIssuer = certificates.find((c) => c.metadata.name === 'linkerd-identity-issuer');
    expect(identityIssuer?.spec).toMatchObject({ isCA: true, commonName: 'identity.mesh.cluster.local', privateKey: { algorithm: 'ECDSA', size: 256 } });
    const bundle = docs.find((d) => d.kind === 'Bundle');
    expect(bundle?.metadata).toMatchObject({ name: 'linkerd-identity-trust-roots' });
    expect(bundle?.metadata.namespace).toBeUndefined();
    expect(bundle?.spec).toMatchObject({ target: { configMap: { key: 'ca-bundle.crt' }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mesh' } } } });
    expect(docs.filter((d) => d.kind === 'Secret' || (d.kind === 'ConfigMap' && d.metadata.name === 'linkerd-identity-trust-roots'))).toEqual([]);
    expect(schemaProblems(docs as never)).toEqual([]);
  });

  it('checks these kinds against their projects\u2019 schemas (a wrong one fails)', () => {
    const cert = render('linkerd').find((d) => d.kind === 'Certificate') as Doc;
    expect(thirdPartyProblems(cert as never)).toEqual([]);
    expect(thirdPartyProblems({ ...cert, spec: { ...cert.spec, duration: 48 } } as never)).not.toEqual([]);
    expect(thirdPartyProblems({ ...cert, spec: { ...cert.spec, issuerRef: undefined } } as never)).not.toEqual([]);
  });

  it('uses the given issuer for the webhooks instead of its own CA', () => {
    const docs = ourObjects(
      linkerdControlPlaneChart,
      { ...gitopsValues, identityTrustAnchorsPEM: id.caCrtPEM, certManager: { webhooks: { enabled: true, issuerRef: { name: 'corp', kind: 'ClusterIssuer' } } } },
      release,
    ) as Doc[];
    expect(docs.filter((d) => d.kind === 'Issuer')).toEqual([]);
    const webhookCerts = docs.filter((d) => d.kind === 'Certificate' && d.metadata.name !== 'linkerd-identity-issuer');
    expect(webhookCerts.map((c) => (c.spec?.issuerRef as { name: string }).name)).toEqual(['corp', 'corp', 'corp']);
  });
});

describe('LinkerdControlPlane construct', () => {
  it('synthesizes the control plane into a cdk8s app', () => {
    const app = new App();
    const cp = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: { ...certs(), controllerReplicas: 2 } });
    const objects = Testing.synth(cp) as { kind: string; metadata: { name: string; namespace?: string }; spec?: { replicas?: number } }[];
    expect(objects).toHaveLength(41);
    // First its namespace, so that `kubectl apply -f` of the synthesized file works on a fresh cluster; none with namespaceObject: false.
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'linkerd' } });
    expect((Testing.synth(new LinkerdControlPlane(new App(), 'cp', { values: certs(), namespaceObject: false })) as { kind: string }[]).filter((o) => o.kind === 'Namespace')).toEqual([]);
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'linkerd-identity')?.spec?.replicas).toBe(2);
    expect(objects.filter((o) => o.metadata.namespace).every((o) => o.metadata.namespace === 'linkerd')).toBe(true);
  });

  it('refuses bad values, naming the key', () => {
    expect(() => new LinkerdControlPlane(new App(), 'cp', { values: { ...certs(), proxy: { logFormat: 'xml' as never } } })).toThrow(/proxy\.logFormat: expected one of/);
    expect(() => new LinkerdControlPlane(new App(), 'cp', { values: { ...certs(), identityTrustAnchorsPEM: other.caCrtPEM } })).toThrow(/identity\.issuer\.tls\.crtPEM: not signed by the trust anchor/);
  });
});

describe('linkerd-control-plane: certificate faults are rejected, naming the key', () => {
  const keysOf = (user: Record<string, unknown>) => {
    try {
      resolveValues(linkerdControlPlaneChart, user);
      return [];
    } catch (e) {
      expect(e).toBeInstanceOf(ValuesError);
      return (e as ValuesError).problems.map((p) => p.key);
    }
  };
  it('missing trust anchors or issuer', () => {
    expect(keysOf({})).toEqual(['identityTrustAnchorsPEM', 'identity.issuer.tls.crtPEM', 'identity.issuer.tls.keyPEM']);
  });
  it('an issuer from another trust anchor', () => {
    expect(keysOf({ ...certs(), identityTrustAnchorsPEM: other.caCrtPEM })).toEqual(['identity.issuer.tls.crtPEM']);
  });
  it('a key of another issuer', () => {
    expect(keysOf(coalesce(certs(), { identity: { issuer: { tls: { keyPEM: other.issuerKeyPEM } } } }))).toEqual(['identity.issuer.tls.keyPEM']);
  });
  it('no issuer needed with an external CA', () => {
    expect(keysOf({ identityTrustAnchorsPEM: id.caCrtPEM, identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } } })).toEqual([]);
  });
  it('contradictory webhook certificate settings', () => {
    expect(keysOf({ ...certs(), proxyInjector: { externalSecret: true, injectCaFrom: 'a/b', injectCaFromSecret: 'a/c' } })).toEqual(['proxyInjector.injectCaFromSecret']);
    expect(keysOf({ ...certs(), proxyInjector: { externalSecret: true } })).toEqual(['proxyInjector.externalSecret']);
    expect(keysOf({ ...certs(), proxyInjector: { injectCaFrom: 'a/b' } })).toEqual(['proxyInjector.externalSecret']);
    expect(keysOf({ ...certs(), proxyInjector: { crtPEM: 'x' } })).toEqual(['proxyInjector.keyPEM']);
  });
  it('schema faults still come first', () => {
    expect(validateValues(controlPlaneValues, coalesce(defaultsOf(controlPlaneValues), { identity: { issuer: { scheme: 'x509' } } })).map((p) => p.key)).toEqual([
      'identity.issuer.scheme',
    ]);
  });
});

describe('quantities given as YAML numbers', () => {
  it('stay numbers in container resources and become strings in linkerd-config, which the proxy injector reads into string fields', async () => {
    const user = { ...certs(), proxy: { resources: { cpu: { request: 0.1, limit: 1 }, memory: { request: 20971520 } } } };
    const docs = ourObjects(linkerdControlPlaneChart, user, release);
    type Pod = { spec: { template: { spec: { initContainers?: { name: string; resources: unknown }[]; containers: { name: string; resources: unknown }[] } } } };
    const identity = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'linkerd-identity') as unknown as Pod;
    const pod = identity.spec.template.spec;
    const proxy = [...(pod.initContainers ?? []), ...pod.containers].find((c) => c.name === 'linkerd-proxy');
    expect(proxy?.resources).toEqual({ limits: { cpu: 1 }, requests: { cpu: 0.1, memory: 20971520 } });
    const config = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'linkerd-config') as unknown as { data: { values: string } };
    const { load } = await import('js-yaml');
    const values = load(config.data.values) as { proxy: { resources: { cpu: { request: unknown; limit: unknown }; memory: { request: unknown } } } };
    // As Helm prints a float64 (which Kubernetes reads as the same quantity).
    expect(values.proxy.resources).toMatchObject({ cpu: { request: '0.1', limit: '1' }, memory: { request: '2.097152e+07' } });
    expect(schemaProblems(docs)).toEqual([]);
  });
});
