/**
 * What the control-plane values give the proxies and controllers: the mesh's proxy settings
 * (for the control plane's own pods and for manually injected workloads), the overrides
 * upstream applies to the control plane's pods, and the controllers' tracing flag.
 */
import { sharedMeshedPodParts } from '../proxy/containers';
import type { ProxySettings } from '../proxy/settings';
import { applyWorkloadConfig } from '../proxy/workload';
import type { CpValues } from './metadata';

/** The settings the control-plane values give (values, or references to them in templates). */
export function proxySettingsFromValues(v: CpValues): ProxySettings {
  return {
    proxy: v.section('proxy'),
    proxyInit: v.section('proxyInit'),
    networkValidator: v.section('networkValidator'),
    mesh: {
      namespace: v.release.namespace,
      clusterDomain: v.ref('clusterDomain'),
      identityTrustDomain: v.ref('identityTrustDomain'),
      clusterNetworks: v.ref('clusterNetworks'),
      disableIPv6: v.ref('disableIPv6'),
      linkerdVersion: v.ref('linkerdVersion'),
      imagePullPolicy: v.ref('imagePullPolicy'),
      identityTrustAnchorsPEM: v.ref('identityTrustAnchorsPEM'),
      serviceAccountTokenProjection: v.ref('identity.serviceAccountTokenProjection'),
      cniEnabled: v.ref('cniEnabled'),
    },
  };
}

/**
 * The proxy settings upstream gives a control-plane pod: it serves the given component,
 * reads the trust anchors from the ConfigMap, accepts unauthenticated traffic (webhooks and
 * probes come from outside the mesh), may have its own proxy resources, and reaches the
 * Kubernetes API directly (proxy-init skips those ports).
 */
export function controlPlaneProxySettings(v: CpValues, base: ProxySettings, pod: ControlPlanePod): ProxySettings {
  return proxySettingsOf(v, base, controlPlaneProxyArgs(v, base, pod));
}

/** A control-plane pod's proxy: the component it serves, its ports, its resources key, any other settings. */
export interface ControlPlanePod {
  component: string;
  overrides: 'identityProxyResources' | 'proxyInjectorProxyResources' | 'destinationProxyResources';
  podInboundPorts: string;
  extra?: Partial<Pick<ProxySettings['proxy'], 'await' | 'nativeSidecar' | 'requireTLSOnInboundPorts'>>;
}

/** What differs between the control plane's meshed pods: the arguments of the shared proxy definitions. */
interface ControlPlaneProxyArgs extends Record<string, unknown> {
  component: string;
  podInboundPorts: string;
  /** The pod's `<component>ProxyResources` value (cores and resources over the proxy's). */
  overrides: unknown;
  await: boolean;
  nativeSidecar: boolean;
  requireTLSOnInboundPorts: string;
}

function controlPlaneProxyArgs(v: CpValues, base: ProxySettings, pod: ControlPlanePod): ControlPlaneProxyArgs {
  return {
    component: pod.component,
    podInboundPorts: pod.podInboundPorts,
    overrides: v.ref(pod.overrides),
    await: base.proxy.await,
    nativeSidecar: base.proxy.nativeSidecar,
    requireTLSOnInboundPorts: base.proxy.requireTLSOnInboundPorts as string,
    ...pod.extra,
  };
}

function proxySettingsOf(v: CpValues, base: ProxySettings, a: ControlPlaneProxyArgs): ProxySettings {
  const override = a.overrides as Partial<Record<'cpu' | 'memory' | 'ephemeral-storage', { limit?: string; request?: string }>> & { cores?: number };
  const pick = (k: 'cpu' | 'memory' | 'ephemeral-storage', f: 'limit' | 'request') =>
    v.orElse(v.get(v.get(override, k), f) as string, base.proxy.resources[k][f]);
  // The per-workload settings upstream fixes for the control plane, through the one table of them.
  const workload = applyWorkloadConfig(base, {
    waitBeforeExitSeconds: 0,
    defaultInboundPolicy: 'all-unauthenticated',
    outboundDiscoveryCacheUnusedTimeout: '5s',
    inboundDiscoveryCacheUnusedTimeout: '90s',
    await: a.await,
    nativeSidecar: a.nativeSidecar,
  });
  return {
    ...workload,
    proxy: {
      ...workload.proxy,
      component: a.component,
      cores: v.ternary(v.and(v.truthy(override), v.isSet(v.get(override, 'cores'))), v.get(override, 'cores', 'integer') as number, base.proxy.cores as number),
      resources: {
        cpu: { limit: pick('cpu', 'limit'), request: pick('cpu', 'request') },
        memory: { limit: pick('memory', 'limit'), request: pick('memory', 'request') },
        'ephemeral-storage': { limit: pick('ephemeral-storage', 'limit'), request: pick('ephemeral-storage', 'request') },
      },
      loadTrustBundleFromConfigMap: true,
      podInboundPorts: a.podInboundPorts,
      capabilities: { drop: ['ALL'] },
      requireTLSOnInboundPorts: a.requireTLSOnInboundPorts,
    },
    proxyInit: { ...workload.proxyInit, ignoreOutboundPorts: base.proxyInit.kubeAPIServerPorts },
  };
}

/**
 * What meshing adds to a control-plane pod (meshedPodParts): in the chart, the proxy, proxy-init,
 * network-validator and volumes are each written once (templates/_proxy.tpl) and included by
 * every control-plane pod with its own arguments.
 */
export function controlPlanePodParts(v: CpValues, base: ProxySettings, pod: ControlPlanePod) {
  return sharedMeshedPodParts(v, controlPlaneProxyArgs(v, base, pod), (a) => proxySettingsOf(v, base, a));
}

/** `-trace-collector=…` when controller tracing is on (the endpoint falls back to the proxy's). */
export function traceArgs(v: CpValues): string[] {
  return [
    v.maybe(
      'controller.tracing.enabled',
      v.fmt`-trace-collector=${v.orElse(v.ref('controller.tracing.collector.endpoint'), v.ref('proxy.tracing.collector.endpoint'))}`,
    ) as string,
  ];
}
