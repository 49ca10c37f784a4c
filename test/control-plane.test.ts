/**
 * linkerd-control-plane (work in progress: identity so far): Helm 3/4 and cdk8s-linkerd
 * render the same objects, the objects are valid Kubernetes, and certificate faults are
 * rejected with the key named.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity, type GeneratedIdentity } from '../src/certs/identity';
import { linkerdControlPlaneChart, checkControlPlaneValues } from '../src/control-plane/chart';
import { controlPlaneValues, type ControlPlaneValues } from '../src/control-plane/values';
import { ValuesError, resolveValues } from '../src/helm/chart';
import { coalesce, defaultsOf, validateValues } from '../src/values/model';
import { arbitraryValues } from './support/arbitrary';
import { schemaProblems } from './support/chart-suite';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, maskGenerated, normalize, ourObjects, ourRender, pool, writeValues } from './support/render';

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

async function expectEquivalent(user: Record<string, unknown>, mask = true) {
  const norm = (docs: ReturnType<typeof normalize>) => (mask ? maskGenerated(docs) : docs);
  const ours = norm(ourRender(linkerdControlPlaneChart, user, release));
  const file = writeValues(user);
  for (const major of HELM_MAJORS) {
    const helm = await helmTemplate(major, chartDir(linkerdControlPlaneChart), ['-f', file], release);
    expect(helm.ok, `helm ${major}: ${helm.stderr}`).toBe(true);
    expect(norm(normalize(helm.stdout)), `helm ${major} for ${JSON.stringify(user).slice(0, 400)}`).toEqual(ours);
  }
  return ours;
}

/**
 * Random webhook settings are mostly contradictory (the chart rejects them); keep each
 * sample's choices but make them consistent, so the samples exercise rendering.
 */
function repairWebhooks(user: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(user);
  for (const section of ['proxyInjector', 'profileValidator', 'policyValidator']) {
    const w = out[section] as Record<string, unknown> | undefined;
    if (!w) continue;
    if (w.injectCaFrom && w.injectCaFromSecret) delete w.injectCaFromSecret;
    const injects = Boolean(w.injectCaFrom || w.injectCaFromSecret);
    if (injects) {
      delete w.caBundle;
      w.externalSecret = true;
    }
    if (w.externalSecret && !w.caBundle && !injects) w.externalSecret = false;
    if (Boolean(w.crtPEM) !== Boolean(w.keyPEM)) {
      delete w.crtPEM;
      delete w.keyPEM;
    }
  }
  return out;
}

/** upstream's values-ha.yaml at edge-26.8.3, as data. */
const controllerResources = { cpu: { limit: '', request: '100m' }, memory: { limit: '250Mi', request: '50Mi' } };
const ha = {
  enablePodDisruptionBudget: true,
  deploymentStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
  enablePodAntiAffinity: true,
  proxy: { resources: { cpu: { request: '100m' }, memory: { limit: '250Mi', request: '20Mi' } } },
  controllerReplicas: 3,
  controllerResources,
  identityResources: { cpu: controllerResources.cpu, memory: { limit: '250Mi', request: '10Mi' } },
  webhookFailurePolicy: 'Fail',
  highAvailability: true,
};

describe('linkerd-control-plane: Helm and cdk8s-linkerd render the same objects', () => {
  it.each([
    ['defaults', {}],
    ['upstream values-ha.yaml', ha],
    ['the CNI plugin', { cniEnabled: true }],
    ['an external CA (cert-manager)', { identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } } }],
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

  it('for 60 random valid values files', async () => {
    const defaults = defaultsOf(controlPlaneValues);
    const samples = fc
      .sample(arbitraryValues(controlPlaneValues), { numRuns: 200, seed: 11 })
      .map((user) => coalesce(repairWebhooks(user), certs()))
      .filter((user) => checkControlPlaneValues(coalesce(defaults, user) as ControlPlaneValues).length === 0)
      .slice(0, 60);
    expect(samples.length).toBe(60);
    await pool(samples, 4, (user) => expectEquivalent(user));
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
