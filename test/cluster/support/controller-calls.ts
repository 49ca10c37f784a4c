/**
 * The Kubernetes API calls each workload of the charts makes, per ServiceAccount: facts read
 * from upstream Linkerd's code at tag edge-26.8.3 (each entry names the file), not from any
 * chart's RBAC. test/cluster/rbac.test.ts asks the API server whether our RBAC allows each one.
 *
 * Calls every ServiceAccount may make without any binding (discovery, SelfSubjectAccessReviews
 * such as pkg/k8s/authz.go's ResourceAuthz/ClusterAccess/ServiceProfilesAccess, /version) are
 * listed only where they matter to the program; the baseline grants them anyway.
 *
 * `namespace: 'all'` means cluster-scoped resources or every namespace (informers on
 * NamespaceAll, writes into whichever namespace the object lives in).
 */

export const CONTROL_PLANE_NS = 'linkerd';
export const VIZ_NS = 'linkerd-viz';
export const JAEGER_NS = 'linkerd-jaeger';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

interface CallBase {
  /** The ServiceAccount making the call, "namespace/name". */
  sa: string;
  /** The program (one ServiceAccount may run several: destination and the policy controller). */
  controller: string;
  verbs: Verb[];
  /** What the calls are for. */
  why: string;
  /** Where the facts come from (upstream linkerd/linkerd2 at edge-26.8.3 unless said otherwise). */
  source: string;
  /**
   * Set when upstream's own chart does not allow the call either: the test checks that it is
   * denied (so this table stays true) and reports it, instead of failing on a gap we share.
   */
  upstreamGap?: string;
}

export interface ResourceCall extends CallBase {
  group: string;
  /** Resources, "resource" or "resource/subresource". */
  resources: string[];
  name?: string;
  namespace: string;
}

export interface UrlCall extends CallBase {
  url: string;
}

export type ControllerCall = ResourceCall | UrlCall;

const LIST_WATCH: Verb[] = ['list', 'watch'];

const DESTINATION = `${CONTROL_PLANE_NS}/linkerd-destination`;
const IDENTITY = `${CONTROL_PLANE_NS}/linkerd-identity`;
const INJECTOR = `${CONTROL_PLANE_NS}/linkerd-proxy-injector`;
const HEARTBEAT = `${CONTROL_PLANE_NS}/linkerd-heartbeat`;
const METRICS_API = `${VIZ_NS}/metrics-api`;
const TAP = `${VIZ_NS}/tap`;
const TAP_INJECTOR = `${VIZ_NS}/tap-injector`;
const PROMETHEUS = `${VIZ_NS}/prometheus`;
const WEB = `${VIZ_NS}/web`;
const COLLECTOR = `${JAEGER_NS}/collector`;

/** The workload kinds the Go controllers' informers know (controller/k8s/api.go's APIResource). */
const CORE_WORKLOADS = ['pods', 'replicationcontrollers'];
const APPS_WORKLOADS = ['deployments', 'replicasets', 'daemonsets', 'statefulsets'];
const BATCH_WORKLOADS = ['jobs', 'cronjobs'];

export const CONTROLLER_CALLS: ControllerCall[] = [
  // ---- linkerd-identity -------------------------------------------------------------------
  // controller/identity/validator.go: every CSR's ServiceAccount token is checked with a TokenReview.
  { sa: IDENTITY, controller: 'identity', verbs: ['create'], group: 'authentication.k8s.io', resources: ['tokenreviews'], namespace: 'all', why: 'validate proxy ServiceAccount tokens', source: 'controller/identity/validator.go' },
  // controller/cmd/identity/main.go: an event recorder whose events name the identity Deployment in the control-plane namespace.
  { sa: IDENTITY, controller: 'identity', verbs: ['create', 'patch'], group: '', resources: ['events'], namespace: CONTROL_PLANE_NS, why: 'IssuedLeafCertificate events on the linkerd-identity Deployment', source: 'controller/cmd/identity/main.go' },

  // ---- linkerd-destination: the destination controller (Go) --------------------------------
  // controller/cmd/destination/main.go: k8s.InitializeAPI(Endpoint, ES, Pod, Svc, SP, Srv, ExtWorkload), cluster-wide informers.
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: '', resources: ['endpoints', 'pods', 'services'], namespace: 'all', why: 'endpoint and pod informers', source: 'controller/cmd/destination/main.go' },
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: 'discovery.k8s.io', resources: ['endpointslices'], namespace: 'all', why: 'EndpointSlice informer (enableEndpointSlices)', source: 'controller/cmd/destination/main.go' },
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: 'linkerd.io', resources: ['serviceprofiles'], namespace: 'all', why: 'ServiceProfile informer', source: 'controller/cmd/destination/main.go' },
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: 'policy.linkerd.io', resources: ['servers'], namespace: 'all', why: 'Server informer (opaque ports)', source: 'controller/cmd/destination/main.go' },
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: 'workload.linkerd.io', resources: ['externalworkloads'], namespace: 'all', why: 'ExternalWorkload informer', source: 'controller/cmd/destination/main.go' },
  // controller/cmd/destination/main.go: k8s.InitializeMetadataAPI(Node, RS, Job), metadata-only informers.
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: '', resources: ['nodes'], namespace: 'all', why: 'node metadata informer (zones)', source: 'controller/cmd/destination/main.go' },
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: 'apps', resources: ['replicasets'], namespace: 'all', why: 'ReplicaSet metadata informer (pod owners)', source: 'controller/cmd/destination/main.go' },
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: 'batch', resources: ['jobs'], namespace: 'all', why: 'Job metadata informer (pod owners)', source: 'controller/cmd/destination/main.go' },
  // controller/k8s/metadata_api.go GetOwnerKindAndName(retry): a direct get when the cache misses.
  { sa: DESTINATION, controller: 'destination', verbs: ['get'], group: 'apps', resources: ['replicasets'], namespace: 'all', why: 'pod owner lookup on cache miss', source: 'controller/k8s/metadata_api.go' },
  { sa: DESTINATION, controller: 'destination', verbs: ['get'], group: 'batch', resources: ['jobs'], namespace: 'all', why: 'pod owner lookup on cache miss', source: 'controller/k8s/metadata_api.go' },
  // pkg/k8s/authz.go EndpointSliceAccess: lists EndpointSlices in all namespaces at start-up.
  { sa: DESTINATION, controller: 'destination', verbs: ['list'], group: 'discovery.k8s.io', resources: ['endpointslices'], namespace: 'all', why: 'start-up EndpointSlice access check', source: 'pkg/k8s/authz.go' },
  // controller/api/destination/watcher/cluster_store.go: NewNamespacedAPI(..., namespace, Secret): multicluster credentials.
  { sa: DESTINATION, controller: 'destination', verbs: LIST_WATCH, group: '', resources: ['secrets'], namespace: CONTROL_PLANE_NS, why: 'remote-cluster credentials Secret informer', source: 'controller/api/destination/watcher/cluster_store.go' },
  // controller/api/destination/external-workload/endpoints_controller.go: client-go LeaseLock (get, create, update).
  { sa: DESTINATION, controller: 'destination', verbs: ['get', 'create', 'update'], group: 'coordination.k8s.io', resources: ['leases'], name: 'linkerd-destination-endpoint-write', namespace: CONTROL_PLANE_NS, why: 'leader election of the ExternalWorkload EndpointSlice writer', source: 'controller/api/destination/external-workload/endpoints_controller.go' },
  // controller/api/destination/external-workload/endpoints_reconciler.go: writes EndpointSlices next to each Service.
  { sa: DESTINATION, controller: 'destination', verbs: ['create', 'update', 'delete'], group: 'discovery.k8s.io', resources: ['endpointslices'], namespace: 'all', why: 'EndpointSlices for ExternalWorkloads', source: 'controller/api/destination/external-workload/endpoints_reconciler.go' },

  // ---- linkerd-destination: the policy controller (Rust) ----------------------------------
  // policy-controller/runtime/src/args.rs: guarded_watch -> runtime.watch_all for each kind (list+watch, all namespaces).
  { sa: DESTINATION, controller: 'policy', verbs: LIST_WATCH, group: '', resources: ['pods', 'services'], namespace: 'all', why: 'inbound/outbound indexes', source: 'policy-controller/runtime/src/args.rs' },
  { sa: DESTINATION, controller: 'policy', verbs: LIST_WATCH, group: 'workload.linkerd.io', resources: ['externalworkloads'], namespace: 'all', why: 'inbound index', source: 'policy-controller/runtime/src/args.rs' },
  {
    sa: DESTINATION, controller: 'policy', verbs: LIST_WATCH, group: 'policy.linkerd.io',
    resources: ['servers', 'serverauthorizations', 'authorizationpolicies', 'meshtlsauthentications', 'networkauthentications', 'httplocalratelimitpolicies', 'httproutes', 'egressnetworks'],
    namespace: 'all', why: 'policy indexes', source: 'policy-controller/runtime/src/args.rs',
  },
  // policy-controller/runtime/src/args.rs: Gateway API routes are watched when their kinds exist (api_resource_exists).
  { sa: DESTINATION, controller: 'policy', verbs: LIST_WATCH, group: 'gateway.networking.k8s.io', resources: ['httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes'], namespace: 'all', why: 'Gateway API route indexes', source: 'policy-controller/runtime/src/args.rs' },
  // policy-controller/k8s/status/src/index.rs: Api::patch_status (server-side apply) on each route kind, rate-limit policies and egress networks.
  { sa: DESTINATION, controller: 'policy', verbs: ['patch'], group: 'policy.linkerd.io', resources: ['httproutes/status', 'httplocalratelimitpolicies/status', 'egressnetworks/status'], namespace: 'all', why: 'status conditions', source: 'policy-controller/k8s/status/src/index.rs' },
  { sa: DESTINATION, controller: 'policy', verbs: ['patch'], group: 'gateway.networking.k8s.io', resources: ['httproutes/status', 'grpcroutes/status', 'tlsroutes/status', 'tcproutes/status'], namespace: 'all', why: 'route status conditions', source: 'policy-controller/k8s/status/src/index.rs' },
  // policy-controller/runtime/src/lease.rs: gets its own Deployment (owner reference of the Lease).
  { sa: DESTINATION, controller: 'policy', verbs: ['get'], group: 'apps', resources: ['deployments'], name: 'linkerd-destination', namespace: CONTROL_PLANE_NS, why: 'owner reference of the status-writer Lease', source: 'policy-controller/runtime/src/lease.rs' },
  // policy-controller/runtime/src/lease.rs: creates the Lease with a server-side apply patch, then kubert's LeaseManager (kubert 0.27 src/lease.rs) gets and patches it.
  { sa: DESTINATION, controller: 'policy', verbs: ['get', 'patch'], group: 'coordination.k8s.io', resources: ['leases'], name: 'policy-controller-write', namespace: CONTROL_PLANE_NS, why: 'status-writer Lease', source: 'policy-controller/runtime/src/lease.rs' },

  // ---- linkerd-proxy-injector --------------------------------------------------------------
  // controller/cmd/proxy-injector/main.go: webhook.Launch with NS, Deploy, RC, RS, Job, DS, SS, Pod, CJ: metadata informers (controller/webhook/launcher.go).
  { sa: INJECTOR, controller: 'proxy-injector', verbs: LIST_WATCH, group: '', resources: ['namespaces', ...CORE_WORKLOADS], namespace: 'all', why: 'metadata informers (namespace annotations, owners)', source: 'controller/cmd/proxy-injector/main.go' },
  { sa: INJECTOR, controller: 'proxy-injector', verbs: LIST_WATCH, group: 'apps', resources: APPS_WORKLOADS, namespace: 'all', why: 'metadata informers (owners)', source: 'controller/cmd/proxy-injector/main.go' },
  { sa: INJECTOR, controller: 'proxy-injector', verbs: LIST_WATCH, group: 'batch', resources: BATCH_WORKLOADS, namespace: 'all', why: 'metadata informers (owners)', source: 'controller/cmd/proxy-injector/main.go' },
  // controller/proxy-injector/webhook.go ownerRetriever -> controller/k8s/metadata_api.go GetOwnerKindAndName(retry=true).
  { sa: INJECTOR, controller: 'proxy-injector', verbs: ['get'], group: 'apps', resources: ['replicasets'], namespace: 'all', why: 'pod owner on cache miss', source: 'controller/k8s/metadata_api.go' },
  { sa: INJECTOR, controller: 'proxy-injector', verbs: ['get'], group: 'batch', resources: ['jobs'], namespace: 'all', why: 'pod owner on cache miss', source: 'controller/k8s/metadata_api.go' },
  // controller/webhook/server.go + controller/proxy-injector/webhook.go: Injected/Skipped events on the workload, in its namespace.
  { sa: INJECTOR, controller: 'proxy-injector', verbs: ['create', 'patch'], group: '', resources: ['events'], namespace: 'all', why: 'injection events on workloads', source: 'controller/proxy-injector/webhook.go' },

  // ---- linkerd-heartbeat ---------------------------------------------------------------------
  // controller/heartbeat/heartbeat.go K8sValues -> pkg/config/config.go FetchLinkerdConfigMap.
  { sa: HEARTBEAT, controller: 'heartbeat', verbs: ['get'], group: '', resources: ['configmaps'], name: 'linkerd-config', namespace: CONTROL_PLANE_NS, why: 'install UUID and time', source: 'controller/heartbeat/heartbeat.go' },
  // controller/heartbeat/heartbeat.go: GetAllNamespacesWithExtensionLabel (pkg/k8s/api.go).
  { sa: HEARTBEAT, controller: 'heartbeat', verbs: ['list'], group: '', resources: ['namespaces'], namespace: 'all', why: 'installed extensions', source: 'controller/heartbeat/heartbeat.go' },
  // controller/heartbeat/heartbeat.go: ServiceProfiles("").List.
  { sa: HEARTBEAT, controller: 'heartbeat', verbs: ['list'], group: 'linkerd.io', resources: ['serviceprofiles'], namespace: 'all', why: 'service-profile count', source: 'controller/heartbeat/heartbeat.go' },
  // controller/heartbeat/heartbeat.go: GetVersionInfo.
  { sa: HEARTBEAT, controller: 'heartbeat', verbs: ['get'], url: '/version', why: 'Kubernetes version', source: 'controller/heartbeat/heartbeat.go' },

  // ---- linkerd-viz: metrics-api --------------------------------------------------------------
  // viz/metrics-api/cmd/main.go: k8s.InitializeAPI(CJ, DS, Deploy, Job, NS, Pod, RC, RS, Svc, SS, SP).
  { sa: METRICS_API, controller: 'metrics-api', verbs: LIST_WATCH, group: '', resources: ['namespaces', 'services', ...CORE_WORKLOADS], namespace: 'all', why: 'informers', source: 'viz/metrics-api/cmd/main.go' },
  { sa: METRICS_API, controller: 'metrics-api', verbs: LIST_WATCH, group: 'apps', resources: APPS_WORKLOADS, namespace: 'all', why: 'informers', source: 'viz/metrics-api/cmd/main.go' },
  { sa: METRICS_API, controller: 'metrics-api', verbs: LIST_WATCH, group: 'batch', resources: BATCH_WORKLOADS, namespace: 'all', why: 'informers', source: 'viz/metrics-api/cmd/main.go' },
  { sa: METRICS_API, controller: 'metrics-api', verbs: LIST_WATCH, group: 'linkerd.io', resources: ['serviceprofiles'], namespace: 'all', why: 'informers', source: 'viz/metrics-api/cmd/main.go' },
  // viz/metrics-api/policy.go getPolicyResourceKeys: dynamic client list (any namespace) or get.
  { sa: METRICS_API, controller: 'metrics-api', verbs: ['list', 'get'], group: 'policy.linkerd.io', resources: ['servers', 'serverauthorizations', 'authorizationpolicies', 'httproutes'], namespace: 'all', why: 'stat for policy resources', source: 'viz/metrics-api/policy.go' },
  // viz/metrics-api/gateways.go: Services(NamespaceAll).List with a label selector.
  { sa: METRICS_API, controller: 'metrics-api', verbs: ['list'], group: '', resources: ['services'], namespace: 'all', why: 'multicluster gateways', source: 'viz/metrics-api/gateways.go' },

  // ---- linkerd-viz: tap ----------------------------------------------------------------------
  // viz/tap/api/main.go: k8s.InitializeAPI(CJ, DS, SS, Deploy, Job, NS, Pod, RC, Svc, RS, Node).
  { sa: TAP, controller: 'tap', verbs: LIST_WATCH, group: '', resources: ['namespaces', 'services', 'nodes', ...CORE_WORKLOADS], namespace: 'all', why: 'informers (tap targets)', source: 'viz/tap/api/main.go' },
  { sa: TAP, controller: 'tap', verbs: LIST_WATCH, group: 'apps', resources: APPS_WORKLOADS, namespace: 'all', why: 'informers (tap targets)', source: 'viz/tap/api/main.go' },
  { sa: TAP, controller: 'tap', verbs: LIST_WATCH, group: 'batch', resources: BATCH_WORKLOADS, namespace: 'all', why: 'informers (tap targets)', source: 'viz/tap/api/main.go' },
  // viz/tap/api/handlers.go -> pkg/k8s/authz.go ResourceAuthzForUser: a SubjectAccessReview per tap request.
  { sa: TAP, controller: 'tap', verbs: ['create'], group: 'authorization.k8s.io', resources: ['subjectaccessreviews'], namespace: 'all', why: "authorize the tapping user", source: 'viz/tap/api/handlers.go' },
  // viz/tap/api/server.go serverAuth: the aggregation layer's client CA and header names.
  { sa: TAP, controller: 'tap', verbs: ['get'], group: '', resources: ['configmaps'], name: 'extension-apiserver-authentication', namespace: 'kube-system', why: 'front-proxy client CA', source: 'viz/tap/api/server.go' },

  // ---- linkerd-viz: tap-injector ---------------------------------------------------------
  // viz/tap/injector/main.go: webhook.Launch([]APIResource{NS}); viz/tap/injector/webhook.go reads the namespace from that cache.
  { sa: TAP_INJECTOR, controller: 'tap-injector', verbs: LIST_WATCH, group: '', resources: ['namespaces'], namespace: 'all', why: 'namespace metadata informer', source: 'viz/tap/injector/main.go' },

  // ---- linkerd-viz: prometheus (its scrape configuration is upstream's chart) -----------------
  // viz/charts/linkerd-viz/templates/prometheus.yaml: kubernetes_sd_configs role node and role pod (all namespaces).
  { sa: PROMETHEUS, controller: 'prometheus', verbs: LIST_WATCH, group: '', resources: ['nodes', 'pods'], namespace: 'all', why: 'service discovery (roles node, pod)', source: 'viz/charts/linkerd-viz/templates/prometheus.yaml' },
  // viz/charts/linkerd-viz/templates/prometheus.yaml: kubernetes-nodes-cadvisor scrapes /api/v1/nodes/NAME/proxy/metrics/cadvisor through the API server.
  { sa: PROMETHEUS, controller: 'prometheus', verbs: ['get'], group: '', resources: ['nodes/proxy'], namespace: 'all', why: 'cAdvisor metrics', source: 'viz/charts/linkerd-viz/templates/prometheus.yaml' },

  // ---- linkerd-viz: web ----------------------------------------------------------------------
  // web/main.go getUUIDAndVersion and pkg/healthcheck/version.go GetServerVersion: linkerd-config.
  { sa: WEB, controller: 'web', verbs: ['get'], group: '', resources: ['configmaps'], name: 'linkerd-config', namespace: CONTROL_PLANE_NS, why: 'UUID and control-plane version', source: 'web/main.go' },
  // web/main.go runs pkg/healthcheck/healthcheck.go KubernetesAPIChecks: GetVersionInfo.
  { sa: WEB, controller: 'web', verbs: ['get'], url: '/version', why: 'check: can query the Kubernetes API', source: 'pkg/healthcheck/healthcheck.go' },
  // pkg/healthcheck/healthcheck.go LinkerdConfigChecks: CheckNamespace (NamespaceExists).
  { sa: WEB, controller: 'web', verbs: ['get'], group: '', resources: ['namespaces'], name: CONTROL_PLANE_NS, namespace: CONTROL_PLANE_NS, why: 'check: control plane Namespace exists', source: 'pkg/healthcheck/healthcheck.go' },
  // pkg/healthcheck/healthcheck.go LinkerdConfigChecks: checkClusterRoles / checkClusterRoleBindings.
  { sa: WEB, controller: 'web', verbs: ['list'], group: 'rbac.authorization.k8s.io', resources: ['clusterroles', 'clusterrolebindings'], namespace: 'all', why: 'check: control plane ClusterRoles(Bindings) exist', source: 'pkg/healthcheck/healthcheck.go' },
  // pkg/healthcheck/healthcheck.go checkServiceAccounts (LinkerdConfigChecks and LinkerdControlPlaneExistenceChecks).
  { sa: WEB, controller: 'web', verbs: ['list'], group: '', resources: ['serviceaccounts'], namespace: CONTROL_PLANE_NS, why: 'check: control plane ServiceAccounts exist', source: 'pkg/healthcheck/healthcheck.go' },
  // pkg/healthcheck/healthcheck.go checkMutatingWebhookConfigurations / checkValidatingWebhookConfigurations.
  { sa: WEB, controller: 'web', verbs: ['list'], group: 'admissionregistration.k8s.io', resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], namespace: 'all', why: 'check: webhook configurations exist', source: 'pkg/healthcheck/healthcheck.go' },
  // pkg/healthcheck/healthcheck.go CheckNodesHaveNonDockerRuntime and checkClusterNetworks: Nodes().List.
  { sa: WEB, controller: 'web', verbs: ['list'], group: '', resources: ['nodes'], namespace: 'all', why: 'checks: container runtime, node podCIDRs', source: 'pkg/healthcheck/healthcheck.go' },
  // pkg/healthcheck/healthcheck.go LinkerdControlPlaneExistenceChecks: GetReplicaSets, GetPodsByNamespace, Pods(ns).List.
  { sa: WEB, controller: 'web', verbs: ['list'], group: 'apps', resources: ['replicasets'], namespace: CONTROL_PLANE_NS, why: 'check: control plane replica sets are ready', source: 'pkg/healthcheck/healthcheck.go' },
  { sa: WEB, controller: 'web', verbs: ['list'], group: '', resources: ['pods'], namespace: CONTROL_PLANE_NS, why: 'checks: control plane pods ready, none unschedulable', source: 'pkg/healthcheck/healthcheck.go' },
  // pkg/healthcheck/healthcheck.go checkClusterNetworksContainAllPods / ...AllServices: NamespaceAll lists.
  { sa: WEB, controller: 'web', verbs: ['list'], group: '', resources: ['pods', 'services'], namespace: 'all', why: 'checks: cluster networks contain all pods and services', source: 'pkg/healthcheck/healthcheck.go' },
  // web/srv/api_handlers.go handleGetExtensions: GetNamespaceWithExtensionLabel / GetAllNamespacesWithExtensionLabel.
  { sa: WEB, controller: 'web', verbs: ['list'], group: '', resources: ['namespaces'], namespace: 'all', why: 'installed extensions', source: 'web/srv/api_handlers.go' },
  // web/srv/api_handlers.go handleAPITap -> viz/tap/pkg/reader.go + protohttp.go: /apis/tap.linkerd.io/v1alpha1/watch/namespaces/NS/RESOURCE/NAME/tap.
  { sa: WEB, controller: 'web', verbs: ['watch'], group: 'tap.linkerd.io', resources: ['deployments/tap', 'pods/tap', 'namespaces/tap'], namespace: 'all', why: 'dashboard tap through the tap APIService', source: 'viz/tap/pkg/protohttp.go' },
  // web/srv/api_handlers.go handleAPIResourceDefinition (/api/resource-definition): typed Get of the selected resource, any namespace.
  {
    sa: WEB, controller: 'web', verbs: ['get'], group: 'apps', resources: APPS_WORKLOADS, namespace: 'all', why: 'dashboard YAML view of a resource', source: 'web/srv/api_handlers.go',
    upstreamGap: "upstream's web-rbac.yaml grants no get on workloads either: the dashboard's resource-definition view is forbidden upstream too",
  },
  {
    sa: WEB, controller: 'web', verbs: ['get'], group: 'batch', resources: BATCH_WORKLOADS, namespace: 'all', why: 'dashboard YAML view of a resource (CronJobs through batch/v1beta1, which Kubernetes >= 1.25 no longer serves)', source: 'web/srv/api_handlers.go',
    upstreamGap: "upstream's web-rbac.yaml grants no get on workloads either",
  },
  {
    sa: WEB, controller: 'web', verbs: ['get'], group: '', resources: ['services', ...CORE_WORKLOADS], namespace: 'all', why: 'dashboard YAML view of a resource', source: 'web/srv/api_handlers.go',
    upstreamGap: "upstream's web-rbac.yaml grants no get on workloads either",
  },

  // ---- namespace-metadata Jobs (linkerd-viz and linkerd-jaeger post-install hooks) ------------
  // viz/charts/linkerd-viz/templates/namespace-metadata.yaml runs linkerd/linkerd-extension-init (code outside linkerd2)
  // with --extension, --namespace, --linkerd-namespace; namespace-metadata-rbac.yaml scopes what it reads and writes.
  { sa: `${VIZ_NS}/namespace-metadata`, controller: 'namespace-metadata', verbs: ['get'], group: '', resources: ['configmaps'], name: 'linkerd-config', namespace: CONTROL_PLANE_NS, why: 'control-plane values', source: 'viz/charts/linkerd-viz/templates/namespace-metadata.yaml' },
  { sa: `${VIZ_NS}/namespace-metadata`, controller: 'namespace-metadata', verbs: ['get', 'patch'], group: '', resources: ['namespaces'], name: VIZ_NS, namespace: VIZ_NS, why: 'label and annotate its namespace', source: 'viz/charts/linkerd-viz/templates/namespace-metadata.yaml' },
  // jaeger/charts/linkerd-jaeger/templates/namespace-metadata.yaml (last shipped before #14558 removed linkerd-jaeger upstream): the same program.
  { sa: `${JAEGER_NS}/namespace-metadata`, controller: 'namespace-metadata', verbs: ['get'], group: '', resources: ['configmaps'], name: 'linkerd-config', namespace: CONTROL_PLANE_NS, why: 'control-plane values', source: 'jaeger/charts/linkerd-jaeger/templates/namespace-metadata.yaml (before linkerd/linkerd2#14558)' },
  { sa: `${JAEGER_NS}/namespace-metadata`, controller: 'namespace-metadata', verbs: ['get', 'patch'], group: '', resources: ['namespaces'], name: JAEGER_NS, namespace: JAEGER_NS, why: 'label and annotate its namespace', source: 'jaeger/charts/linkerd-jaeger/templates/namespace-metadata.yaml (before linkerd/linkerd2#14558)' },

  // ---- linkerd-jaeger: collector --------------------------------------------------------------
  // Not Linkerd code (upstream removed linkerd-jaeger in #14558): opentelemetry-collector-contrib 0.162.0's k8sattributes (v1.1.0)
  // processor as our collector config uses it: a pod informer only. Deployment and CronJob names come from the
  // ReplicaSet and Job names; ReplicaSet, Job and namespace informers serve owner labels, annotations and UIDs, which the
  // config does not extract (processor/k8sattributesprocessor/internal/kube/client.go, New).
  { sa: COLLECTOR, controller: 'collector', verbs: LIST_WATCH, group: '', resources: ['pods'], namespace: 'all', why: 'k8sattributes pod informer', source: 'opentelemetry-collector-contrib processor/k8sattributesprocessor (v1.1.0, contrib 0.162.0)' },
];

/**
 * ServiceAccounts whose programs make no Kubernetes API call (their pods do not mount a token):
 * grafana (viz), jaeger (Jaeger v2 with memory or badger storage).
 */
export const NO_CALLS = [`${VIZ_NS}/grafana`, `${JAEGER_NS}/jaeger`];
