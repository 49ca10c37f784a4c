/**
 * Every object of every chart and variant, of dist/ and of the Argo CD output, against the
 * Kubernetes 1.31 and 1.35 APIs (unknown fields rejected) and the custom resources against
 * their CRDs; and proof that the 1.35 check can fail.
 */
import { describe, expect, it } from 'vitest';
import { argoCdObjects } from '../src/argocd';
import { renderObjects, resolveValues } from '../src/helm/chart';
import { distFolders } from '../src/outputs';
import { schemaProblems } from './support/chart-suite';
import { kube135Problems } from './support/kube-schema-135';
import { MATRIX } from './support/matrix';
import type { K8sDoc } from './support/render';

describe('Kubernetes 1.31 and 1.35 schemas', () => {
  for (const { chart, release, variants } of MATRIX) {
    it.each(Object.keys(variants))(`${chart.name}: %s`, (variant) => {
      const docs = renderObjects(chart, resolveValues(chart, variants[variant]), release).map((o) => o.object as K8sDoc);
      expect(docs.length).toBeGreaterThan(0);
      expect(schemaProblems(docs)).toEqual([]);
    });
  }

  it('dist/ and the Argo CD objects', () => {
    const folders = distFolders();
    const docs = folders.flatMap((f) => f.objects.map((o) => o.object as K8sDoc));
    const argo = argoCdObjects({ repo: 'https://git.example/x.git', revision: 'main' }, folders);
    expect(schemaProblems([...docs, argo.root, argo.project, ...argo.applications] as K8sDoc[])).toEqual([]);
  });

  it('rejects an unknown field at any depth and a wrong type (Kubernetes 1.35)', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 'b', livenessProbe: { httpGet: { port: 80, pth: '/' } } }] } } },
    };
    expect(kube135Problems(deployment)).toEqual(['Deployment/x.spec.template.spec.containers[0].livenessProbe.httpGet.pth: unknown field (V1HTTPGetAction)']);
    expect(kube135Problems({ ...deployment, spec: { ...deployment.spec, replicas: 'two' } })).toContain('Deployment/x.spec.replicas: expected number, got "two"');
    expect(kube135Problems({ apiVersion: 'example.com/v1', kind: 'Widget' })).toBeUndefined();
  });
});
