/**
 * A harness chart that renders the proxy containers alone, from the control-plane values:
 * once as a workload gets them, once with the overrides upstream applies to the identity pod.
 */
import type { ChartDefinition } from '../../src/helm/chart';
import { Component, K8sObject } from '../../src/helm/object';
import { controlPlaneValues } from '../../src/control-plane/values';
import { proxyContainer, proxyInitContainer, proxyInitVolume, proxyVolumes } from '../../src/proxy/containers';
import type { HelmValues } from '../../src/helm/values';
import { proxySettingsFromValues } from '../../src/control-plane/proxy-settings';
import type { ProxySettings } from '../../src/proxy/settings';

function pod<V>(settings: ProxySettings, v: HelmValues<V>) {
  return {
    initContainers: [proxyInitContainer(v, settings)],
    containers: [proxyContainer(v, settings)],
    volumes: [...proxyVolumes(v, settings), proxyInitVolume(v, settings)],
  };
}

export const proxyHarnessChart: ChartDefinition<typeof controlPlaneValues> = {
  name: 'proxy-harness',
  description: 'Renders the proxy containers from the control-plane values (tests only).',
  keywords: ['test'],
  values: controlPlaneValues,
  valuesHeader: 'Proxy harness.',
  readme: 'Test only.',
  notes: () => ['Test chart.\n'],
  build(chart, v) {
    const base = proxySettingsFromValues(v);
    const identityLike: ProxySettings = {
      ...base,
      proxy: {
        ...base.proxy,
        component: 'linkerd-identity',
        waitBeforeExitSeconds: 0,
        await: false,
        loadTrustBundleFromConfigMap: true,
        podInboundPorts: '8080,9990',
        nativeSidecar: false,
        defaultInboundPolicy: 'all-unauthenticated',
        requireTLSOnInboundPorts: '8080',
        capabilities: { drop: ['ALL'] },
        outboundDiscoveryCacheUnusedTimeout: '5s',
        inboundDiscoveryCacheUnusedTimeout: '90s',
      },
      proxyInit: { ...base.proxyInit, ignoreOutboundPorts: base.proxyInit.kubeAPIServerPorts },
    };
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
};
