/**
 * cdk8s-linkerd: the Linkerd service mesh as typed cdk8s constructs.
 *
 * @packageDocumentation
 */
export { LINKERD_VERSION, CHART_VERSION, KUBE_VERSION_CONSTRAINT } from './version';

// Charts and their renderings
export { CHARTS, DIST_CHARTS, DIST_NAMESPACE } from './charts';
export {
  type ChartDefinition,
  type Release,
  type ConcreteOptions,
  type NamespaceMetadata,
  type RenderedObject,
  type UserValues,
  ConcreteChart,
  ValuesError,
  buildConcrete,
  renderObjects,
  resolveValues,
  valuesProblems,
  valuesRules,
  toManifest,
  chartFiles,
  writeChart,
} from './helm/chart';
export { rule, type ValuesRule } from './helm/rules';
export { writeCharts, writeDist } from './outputs';
export { checkOffline, CHECKS, type CheckReport, type Finding, type OfflineCheckInput } from './check/offline';

// CRDs and custom resources
export { linkerdCrdsChart, crdsValues } from './crds/chart';
export { LinkerdCrds, type LinkerdCrdsProps, type LinkerdCrdsValues } from './crds/construct';

// The control plane and the proxy
export { linkerdControlPlaneChart, checkControlPlaneValues } from './control-plane/chart';
export { LinkerdControlPlane, type LinkerdControlPlaneProps } from './control-plane/construct';
export { controlPlaneValues, type ControlPlaneValues } from './control-plane/values';
export { gitopsValues, haValues } from './control-plane/presets';
// The viz extension
export { linkerdVizChart } from './viz/chart';
export { LinkerdViz, type LinkerdVizProps } from './viz/construct';
export { vizValues, type VizValues } from './viz/values';
export { vizGitopsValues, vizHaValues } from './viz/presets';
export { prometheusConfig, type PrometheusConfig, type ScrapeConfig, type RelabelConfig } from './viz/prometheus-config';
export { DASHBOARDS, dashboardJson, type LinkerdDashboard } from './viz/dashboards';

// The jaeger extension
export { linkerdJaegerChart } from './jaeger/chart';
export { LinkerdJaeger, type LinkerdJaegerProps, type TracedViz } from './jaeger/construct';
export { jaegerValues, type JaegerValues } from './jaeger/values';
export { collectorConfig, jaegerConfig, collectorEndpoint, type CollectorConfig } from './jaeger/config';
export { tracingValues, vizJaegerValues } from './jaeger/wiring';

// The CNI plugin
export { linkerd2CniChart } from './cni/chart';
export { LinkerdCni, cniValuesFor, type LinkerdCniProps } from './cni/construct';
export { cniValues, type CniValues } from './cni/values';

// The multicluster extension
export { linkerdMulticlusterChart } from './multicluster/chart';
export { LinkerdMulticluster, type LinkerdMulticlusterProps } from './multicluster/construct';
export { multiclusterValues, type MulticlusterValues } from './multicluster/values';
export { multiclusterHaValues } from './multicluster/presets';
export { linkerdMulticlusterLinkChart, LinkerdMulticlusterLink, linkValues, linkHaValues, type LinkValues, type LinkerdMulticlusterLinkProps } from './multicluster/link';

// Meshing cdk8s apps
export { LinkerdMesh, type LinkerdMeshProps } from './mesh/mesh';
export { proxyAnnotations, ProxyConfigError, INJECTOR_ANNOTATIONS, type WorkloadProxyConfig, type PortOrRange, type InboundPolicy } from './mesh/annotations';
export { meshWorkloads, annotateWorkload, injectProxy, workloadProxySettings, workloadsIn, WORKLOAD_KINDS, type InjectOptions } from './mesh/inject';
export { serverForPort, allowServiceAccounts, httpRoute, serviceProfile, type ServiceAccountRef, type ProfileRoute } from './mesh/policy';

export { meshedPodParts, proxyContainer, proxyInitContainer, networkValidatorContainer, proxyVolumes } from './proxy/containers';
export type { ProxySettings, ProxyConfig, MeshSettings } from './proxy/settings';
export { checkIdentityPems, generateIdentity, type GeneratedIdentity, type IdentityPems } from './certs/identity';
export { allCrds } from './crds/index';
export type { CrdDefinition, CrdVersion, PrinterColumn } from './crds/definition';
export { crdBody } from './crds/manifest';
export { validateCustomResource } from './crds/validate';
export {
  type CustomResourceProps,
  InvalidCustomResourceError,
  LinkerdResource,
  Server,
  ServerAuthorization,
  AuthorizationPolicy,
  MeshTLSAuthentication,
  NetworkAuthentication,
  EgressNetwork,
  HTTPLocalRateLimitPolicy,
  HTTPRoute,
  ServiceProfile,
  ExternalWorkload,
  Link,
} from './crds/resources';
export type { ServerSpec } from './crds/server';
export type { ServerAuthorizationSpec } from './crds/server-authorization';
export type { AuthorizationPolicySpec } from './crds/authorization-policy';
export type { MeshTLSAuthenticationSpec } from './crds/meshtls-authentication';
export type { NetworkAuthenticationSpec } from './crds/network-authentication';
export type { EgressNetworkSpec } from './crds/egress-network';
export type { HTTPLocalRateLimitPolicySpec } from './crds/http-local-ratelimit-policy';
export type { HTTPRouteSpec } from './crds/httproute';
export type { ServiceProfileSpec } from './crds/serviceprofile';
export type { ExternalWorkloadSpec } from './crds/external-workload';
export { linkCrd, type LinkSpec } from './crds/link';

// The Gateway API: its CRDs as a component, and routes for the mesh
export { gatewayApiCrdsChart, gatewayApiCrdsValues } from './gateway-api/chart';
export { GatewayApiCrds } from './gateway-api/construct';
export { GATEWAY_API_MINIMUM, gatewayApiVersion } from './gateway-api/crds';
export {
  GatewayHTTPRoute,
  GatewayGRPCRoute,
  GatewayRouteError,
  serviceHttpRoute,
  serviceGrpcRoute,
  canaryBackends,
  type ServicePortRef,
  type WeightedBackend,
  type HeaderMatch,
  type HttpMethod,
  type HttpMatch,
  type HttpRule,
  type GatewayDuration,
  type RetryPolicy,
  type HttpRetryCondition,
  type GrpcRetryCondition,
  type ServiceHttpRouteProps,
  type GrpcMatch,
  type GrpcRule,
  type ServiceGrpcRouteProps,
  type RouteProblem,
} from './gateway-api/routes';
