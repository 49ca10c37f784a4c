/**
 * A harness chart that renders the proxy containers alone, from the control-plane values:
 * once as a workload gets them, once as the identity pod gets them (the control plane's own
 * identityProxySettings, with its per-component resource overrides).
 */
import { Component, K8sObject } from '../../src/helm/object';
import { identityProxySettings } from '../../src/control-plane/identity';
import { controlPlaneValues } from '../../src/control-plane/values';
import { proxyContainer, proxyInitContainer, proxyInitVolume, proxyVolumes } from '../../src/proxy/containers';
import type { HelmValues } from '../../src/helm/values';
import { proxySettingsFromValues } from '../../src/control-plane/proxy-settings';
import type { ProxySettings } from '../../src/proxy/settings';
import { testChart } from './test-chart';

function pod<V>(settings: ProxySettings, v: HelmValues<V>) {
  return {
    initContainers: [proxyInitContainer(v, settings)],
    containers: [proxyContainer(v, settings)],
    volumes: [...proxyVolumes(v, settings), proxyInitVolume(v, settings)],
  };
}

export const proxyHarnessChart = testChart({
  name: 'proxy-harness',
  description: 'Renders the proxy containers from the control-plane values (tests only).',
  values: controlPlaneValues,
  build(chart, v) {
    const base = proxySettingsFromValues(v);
    const identityLike = identityProxySettings(v, base);
    const c = new Component(chart, 'pods', 'pods.yaml');
    for (const [name, settings] of [['workload', base], ['identity-like', identityLike]] as const) {
      new K8sObject(c, name, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: v.release.namespace },
        spec: pod(settings, v),
      });
    }
  },
});
