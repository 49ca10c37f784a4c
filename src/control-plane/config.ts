/**
 * linkerd-config: the values the control plane was installed with, which the proxy
 * injector reads to build every injected proxy (so injected workloads get the same proxy
 * configuration as the control plane's own pods). Private keys are removed from it.
 * Facts follow upstream edge-26.8.3 (config.yaml, config-rbac.yaml).
 */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { quantityText } from '../k8s/resources';
import { componentLabels, createdBy, type CpValues } from './metadata';

/** Where linkerd-config keeps the values: YAML text inside the ConfigMap (tests compare it as data). */
export const LINKERD_CONFIG_VALUES = { kind: 'ConfigMap', name: 'linkerd-config', key: 'values' } as const;

export class Config extends Component {
  constructor(scope: Construct, id: string, v: CpValues) {
    super(scope, id, 'config.yaml');
    const ns = v.release.namespace;
    // Never publish private keys: the issuer's and the webhooks'.
    // The proxy injector reads these values into Go string fields: a quantity given as a YAML
    // number (`cpu: 1`) would fail that read, and with it every injection; it is written as a string.
    const quantities = Object.fromEntries(
      (['proxy.resources', 'policyController.resources'] as const).flatMap((section) =>
        (['cpu', 'memory', 'ephemeral-storage'] as const).flatMap((kind) =>
          (['limit', 'request'] as const).map((field) => {
            const path = `${section}.${kind}.${field}` as 'proxy.resources.cpu.limit';
            return [path, quantityText(v, v.ref(path))];
          }),
        ),
      ),
    );
    const values = v.valuesView(['identity.issuer.tls.keyPEM', 'profileValidator.keyPEM', 'proxyInjector.keyPEM', 'policyValidator.keyPEM'], {
      identityTrustDomain: v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain')),
      ...quantities,
    });
    new K8sObject(this, 'config', {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: LINKERD_CONFIG_VALUES.name, namespace: ns, labels: componentLabels(v, 'controller'), annotations: createdBy(v) },
      data: {
        // Upstream's fixed marker, read by `linkerd check`.
        'linkerd-crds-chart-version': 'linkerd-crds-1.0.0-edge',
        [LINKERD_CONFIG_VALUES.key]: v.fmt`${v.trim(v.toYaml(values))}\n`,
      },
    });

    const labels = { ...v.owned({ 'linkerd.io/control-plane-ns': ns }), ...v.spreadMap(v.ref('commonLabels')) };
    new K8sObject(this, 'reader-role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { labels, annotations: createdBy(v), name: 'ext-namespace-metadata-linkerd-config', namespace: ns },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] }],
    });
    v.when('configReaders', () => {
      new K8sObject(this, 'reader-binding', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'linkerd-config-reader', namespace: ns, labels: { 'app.kubernetes.io/part-of': 'Linkerd', ...labels } },
        roleRef: { kind: 'Role', name: 'ext-namespace-metadata-linkerd-config', apiGroup: 'rbac.authorization.k8s.io' },
        subjects: v.entries(v.ref('configReaders'), (_i, reader) => {
          const r = reader as { name: string; namespace: string };
          return { kind: 'ServiceAccount', name: v.get(r, 'name'), namespace: v.get(r, 'namespace') };
        }),
      });
    });
  }
}
