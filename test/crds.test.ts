/** The CRD set, its schemas and the typed custom-resource constructs. */
import { App, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { crdName, storageVersion } from '../src/crds/definition';
import { allCrds } from '../src/crds/index';
import { InvalidCustomResourceError, Server, ServiceProfile } from '../src/crds/resources';
import { validateCustomResource } from '../src/crds/validate';
import { examples } from './fixtures/custom-resources';

/**
 * Facts of upstream's linkerd-crds chart at edge-26.8.3 with default values:
 * CRD name → [version, served, storage] (read off `helm template charts/linkerd-crds`).
 */
const UPSTREAM_CRDS: Record<string, [string, boolean, boolean][]> = {
  'authorizationpolicies.policy.linkerd.io': [['v1alpha1', true, true]],
  'egressnetworks.policy.linkerd.io': [['v1alpha1', true, true]],
  'httplocalratelimitpolicies.policy.linkerd.io': [['v1alpha1', true, true]],
  'httproutes.policy.linkerd.io': [
    ['v1alpha1', true, false],
    ['v1beta1', true, false],
    ['v1beta2', true, false],
    ['v1beta3', true, true],
  ],
  'meshtlsauthentications.policy.linkerd.io': [['v1alpha1', true, true]],
  'networkauthentications.policy.linkerd.io': [['v1alpha1', true, true]],
  'serverauthorizations.policy.linkerd.io': [
    ['v1alpha1', true, false],
    ['v1beta1', true, true],
  ],
  'servers.policy.linkerd.io': [
    ['v1alpha1', true, false],
    ['v1beta1', true, false],
    ['v1beta2', true, false],
    ['v1beta3', true, true],
  ],
  'serviceprofiles.linkerd.io': [
    ['v1alpha1', true, false],
    ['v1alpha2', true, true],
  ],
  'externalworkloads.workload.linkerd.io': [
    ['v1alpha1', true, false],
    ['v1beta1', true, true],
  ],
};

describe('the CRD set', () => {
  it('equals upstream edge-26.8.3: names, versions, served and storage flags', () => {
    const ours = Object.fromEntries(allCrds.map((d) => [crdName(d), d.versions.map((v) => [v.name, v.served, v.storage])]));
    expect(ours).toEqual(UPSTREAM_CRDS);
  });

  it('is namespaced, with one storage version each', () => {
    for (const d of allCrds) {
      expect(d.scope).toBe('Namespaced');
      expect(() => storageVersion(d)).not.toThrow();
    }
  });
});

describe('custom resources against our CRD schemas', () => {
  it('has examples for every kind', () => {
    expect(new Set(examples.map((e) => e.kind))).toEqual(new Set(allCrds.map((d) => d.kind)));
  });

  for (const ex of examples) {
    const def = allCrds.find((d) => d.kind === ex.kind && ex.apiVersion.startsWith(`${d.group}/`));
    const version = ex.apiVersion.split('/')[1];
    it.each(ex.valid.map((spec, i) => [i, spec] as const))(`${ex.kind} example %i is valid`, (_i, spec) => {
      expect(def).toBeDefined();
      expect(validateCustomResource(def!, version, { apiVersion: ex.apiVersion, kind: ex.kind, metadata: { name: 'x' }, spec })).toEqual([]);
    });
    it(`${ex.kind}: with unknown fields rejected, the examples still pass and a stray field fails`, () => {
      const doc = (spec: Record<string, unknown>) => ({ apiVersion: ex.apiVersion, kind: ex.kind, metadata: { name: 'x' }, spec });
      for (const spec of ex.valid) {
        expect(validateCustomResource(def!, version, doc(spec), { unknownFields: 'reject' })).toEqual([]);
        expect(validateCustomResource(def!, version, doc({ ...spec, bogusField: 1 }), { unknownFields: 'reject' })).toEqual([
          `spec.bogusField: unknown field (not in the ${ex.kind} ${version} schema)`,
        ]);
        // The API server prunes unknown fields, so the default (for rendered objects) lets them pass.
        expect(validateCustomResource(def!, version, doc({ ...spec, bogusField: 1 }))).toEqual([]);
      }
    });
    it.each(ex.invalid.map((c) => [c.why, c.spec] as const))(`${ex.kind} is rejected: %s`, (_why, spec) => {
      expect(validateCustomResource(def!, version, { apiVersion: ex.apiVersion, kind: ex.kind, metadata: { name: 'x' }, spec }).length).toBeGreaterThan(0);
    });
  }
});

describe('typed custom-resource constructs', () => {
  it('synthesize at the storage version', () => {
    const chart = new Chart(new App(), 'app');
    new Server(chart, 'web-http', {
      metadata: { name: 'web-http', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocol: 'HTTP/1' },
    });
    expect(Testing.synth(chart)).toEqual([
      {
        apiVersion: 'policy.linkerd.io/v1beta3',
        kind: 'Server',
        metadata: { name: 'web-http', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocol: 'HTTP/1' },
      },
    ]);
  });

  it('reject a wrong-typed spec with the field path', () => {
    const chart = new Chart(new App(), 'app');
    expect(
      () =>
        new ServiceProfile(chart, 'sp', {
          metadata: { name: 'web.shop.svc.cluster.local' },
          // @ts-expect-error isRetryable must be a boolean
          spec: { routes: [{ name: 'GET /', condition: { method: 'GET' }, isRetryable: 'yes' }] },
        }),
    ).toThrow(InvalidCustomResourceError);
    expect(
      () =>
        new Server(chart, 'bad', {
          metadata: { name: 'bad' },
          // @ts-expect-error port must be a number or a name
          spec: { podSelector: {}, port: { number: 80 } },
        }),
    ).toThrow(/spec\.port: must be an integer or a string/);
  });

  it('reject unknown spec fields, at any depth, naming the path', () => {
    const chart = new Chart(new App(), 'app');
    expect(
      () =>
        new Server(chart, 'typo', {
          metadata: { name: 'typo' },
          // @ts-expect-error proxyProtocl is not a Server field
          spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocl: 'HTTP/1' },
        }),
    ).toThrow(/spec\.proxyProtocl: unknown field/);
    expect(
      () =>
        new ServiceProfile(chart, 'deep', {
          metadata: { name: 'web.shop.svc.cluster.local' },
          // @ts-expect-error pathRegexp is spelt pathRegex
          spec: { routes: [{ name: 'GET /', condition: { method: 'GET', pathRegexp: '/' } }] },
        }),
    ).toThrow(/spec\.routes\.0\.condition\.pathRegexp: unknown field/);
  });
});
