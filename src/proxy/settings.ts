/**
 * The typed proxy configuration: everything the proxy, proxy-init and network-validator
 * containers are built from. The same settings serve the control plane's own pods (from
 * the chart values, with per-component overrides) and manually injected workloads.
 */
import type { Static } from '../values/model';
import type { networkValidatorValues, proxyInitValues, proxyValues } from './values';

/** Pod-specific settings that upstream's templates and the injector set, not users. */
export interface PodProxySettings {
  /** The control-plane component the proxy serves: identity and destination talk to themselves over localhost. */
  component?: 'linkerd-identity' | 'linkerd-destination' | 'linkerd-proxy-injector' | string;
  /** Comma-separated container ports of the pod (LINKERD2_PROXY_INBOUND_PORTS). */
  podInboundPorts?: string;
  /** Reads the trust anchors from the linkerd-identity-trust-roots ConfigMap (pods in the control-plane namespace). */
  loadTrustBundleFromConfigMap?: boolean;
  isGateway?: boolean;
  isIngress?: boolean;
  /** A service-account token volume to mount (when automountServiceAccountToken is off). */
  saMountPath?: { mountPath: string; name: string; readOnly: boolean };
}

export type ProxyConfig = Static<typeof proxyValues> & PodProxySettings;
export type ProxyInitConfig = Static<typeof proxyInitValues> & { saMountPath?: PodProxySettings['saMountPath'] };
export type NetworkValidatorConfig = Static<typeof networkValidatorValues>;

/** Mesh-wide facts the proxy needs. */
export interface MeshSettings {
  /** The control-plane namespace. */
  namespace: string;
  clusterDomain: string;
  /** Empty: clusterDomain. */
  identityTrustDomain: string;
  clusterNetworks: string;
  disableIPv6: boolean;
  linkerdVersion: string;
  imagePullPolicy: string;
  identityTrustAnchorsPEM: string;
  serviceAccountTokenProjection: boolean;
  cniEnabled: boolean;
}

export interface ProxySettings {
  proxy: ProxyConfig;
  proxyInit: ProxyInitConfig;
  networkValidator: NetworkValidatorConfig;
  mesh: MeshSettings;
}
