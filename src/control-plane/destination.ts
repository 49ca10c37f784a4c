/**
 * The destination controller: service discovery (destination), the service-profile
 * validator webhook (sp-validator) and the policy controller with its validator webhook,
 * in one pod. Facts follow upstream edge-26.8.3 (destination.yaml, destination-rbac.yaml);
 * both live in one template file so each generated webhook certificate is shared by its
 * Secret, its webhook and the Deployment's checksum.
 */
import type { Container, ServiceSpec, Volume } from 'kubernetes-types/core/v1';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { sharedResources } from '../k8s/resources';
import type { ProxySettings } from '../proxy/settings';
import { controlPlanePodParts, traceArgs } from './proxy-settings';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { componentLabels, controllerDeployment, controllerEnv, controllerImage, controllerProbes, controllerServiceAccount, controllerSecurityContext, meta, type CpValues } from './metadata';
import { caBundleField, caInjectionAnnotations, webhookChecksum, type WebhookCertificate } from '../k8s/webhook-tls';
import { webhookCertificate, webhookSecret } from './webhook';

const NAME = 'linkerd-destination';
const COMPONENT = 'destination';
const POLICY_RESOURCES = [
  'authorizationpolicies',
  'httplocalratelimitpolicies',
  'httproutes',
  'meshtlsauthentications',
  'networkauthentications',
  'servers',
  'serverauthorizations',
  'egressnetworks',
];
/** The same resources, in the order upstream's validating webhook lists them. */
const VALIDATED_POLICY_RESOURCES = [
  'authorizationpolicies',
  'httplocalratelimitpolicies',
  'httproutes',
  'networkauthentications',
  'meshtlsauthentications',
  'serverauthorizations',
  'servers',
  'egressnetworks',
];
const GATEWAY_ROUTES = ['httproutes', 'grpcroutes', 'tlsroutes', 'tcproutes'];

/** A validating webhook served by the destination pod (sp-validator, policy-validator): its TLS Secret and the configuration that sends `rules` to `service`. */
function validatingWebhook(scope: Construct, id: string, v: CpValues, service: string, cert: WebhookCertificate, namespaceSelector: unknown, rules: unknown[]): void {
  webhookSecret(scope, v, cert, `${service}-k8s-tls`, COMPONENT);
  new K8sObject(scope, id, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: `${service}-webhook-config`, annotations: caInjectionAnnotations(v, cert.tls), labels: componentLabels(v, COMPONENT) },
    webhooks: [
      {
        name: `${service}.linkerd.io`,
        namespaceSelector,
        clientConfig: { service: { name: service, namespace: v.release.namespace, path: '/' }, caBundle: caBundleField(v, cert) },
        failurePolicy: v.ref('webhookFailurePolicy'),
        admissionReviewVersions: ['v1', 'v1beta1'],
        rules,
        sideEffects: 'None',
      },
    ],
  });
}

/** The destination pod's two webhook certificates. */
interface DestinationCertificates {
  sp: WebhookCertificate;
  policy: WebhookCertificate;
}

const selector = { 'linkerd.io/control-plane-component': COMPONENT };
const partOf = { 'app.kubernetes.io/part-of': 'Linkerd' };
const watch = ['list', 'get', 'watch'];
const subjectsOf = (v: CpValues) => [{ kind: 'ServiceAccount', name: NAME, namespace: v.release.namespace }];

/** The destination controller's ClusterRole and its binding (upstream destination-rbac.yaml). */
function destinationRbac(scope: Construct, v: CpValues): void {
  const rbacName = v.fmt`linkerd-${v.release.namespace}-destination`;
  new K8sObject(scope, 'cluster-role', {
    kind: 'ClusterRole',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
    rules: [
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: watch },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: watch },
      { apiGroups: [''], resources: ['pods', 'endpoints', 'services', 'nodes'], verbs: watch },
      { apiGroups: ['linkerd.io'], resources: ['serviceprofiles'], verbs: watch },
      { apiGroups: ['workload.linkerd.io'], resources: ['externalworkloads'], verbs: watch },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update', 'patch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'get', 'watch', 'create', 'update', 'patch', 'delete'] },
    ],
  });
  new K8sObject(scope, 'cluster-role-binding', {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName },
    subjects: subjectsOf(v),
  });
}

/** The sp-validator and policy-validator webhooks with their TLS Secrets. */
function destinationWebhooks(scope: Construct, v: CpValues, certs: DestinationCertificates): void {
  validatingWebhook(scope, 'sp-validator-webhook', v, 'linkerd-sp-validator', certs.sp, v.ref('profileValidator.namespaceSelector'), [
    { operations: ['CREATE', 'UPDATE'], apiGroups: ['linkerd.io'], apiVersions: ['v1alpha1', 'v1alpha2'], resources: ['serviceprofiles'] },
  ]);
  validatingWebhook(scope, 'policy-validator-webhook', v, 'linkerd-policy-validator', certs.policy, v.ref('policyValidator.namespaceSelector'), [
    { operations: ['CREATE', 'UPDATE'], apiGroups: ['policy.linkerd.io'], apiVersions: ['*'], resources: VALIDATED_POLICY_RESOURCES },
    { operations: ['CREATE', 'UPDATE'], apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['*'], resources: GATEWAY_ROUTES },
  ]);
}

/** The policy controller's ClusterRole and binding, and its Role for remote-discovery Secrets. */
function policyRbac(scope: Construct, v: CpValues): void {
  const labels = componentLabels(v, COMPONENT, partOf);
  new K8sObject(scope, 'policy-cluster-role', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'linkerd-policy', labels },
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
      { apiGroups: ['policy.linkerd.io'], resources: POLICY_RESOURCES, verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: GATEWAY_ROUTES, verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['policy.linkerd.io'], resources: ['httproutes/status', 'httplocalratelimitpolicies/status', 'egressnetworks/status'], verbs: ['patch'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: GATEWAY_ROUTES.map((r) => `${r}/status`), verbs: ['patch'] },
      { apiGroups: ['workload.linkerd.io'], resources: ['externalworkloads'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'patch'] },
    ],
  });
  new K8sObject(scope, 'policy-cluster-role-binding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'linkerd-destination-policy', labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'linkerd-policy' },
    subjects: subjectsOf(v),
  });
  const ns = v.release.namespace;
  new K8sObject(scope, 'remote-discovery-role', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'remote-discovery', namespace: ns, labels },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
  });
  new K8sObject(scope, 'remote-discovery-binding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'linkerd-destination-remote-discovery', namespace: ns, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'remote-discovery' },
    subjects: subjectsOf(v),
  });
}

/** The destination, policy and validator Services, and the PodDisruptionBudget when enabled. */
function destinationServices(scope: Construct, v: CpValues): void {
  const service = (id: string, name: string, spec: ServiceSpec) =>
    new K8sObject(scope, id, { kind: 'Service', apiVersion: 'v1', metadata: meta(v, name, COMPONENT), spec: { ...spec, selector } });
  const grpc = (port: number) => [{ name: 'grpc', port, targetPort: port }];
  service('dst', 'linkerd-dst', { type: 'ClusterIP', ports: grpc(8086) });
  service('dst-headless', 'linkerd-dst-headless', { clusterIP: 'None', ports: grpc(8086) });
  service('sp-validator', 'linkerd-sp-validator', { type: 'ClusterIP', ports: [{ name: 'sp-validator', port: 443, targetPort: 'sp-validator' }] });
  service('policy', 'linkerd-policy', { clusterIP: 'None', ports: grpc(8090) });
  service('policy-validator', 'linkerd-policy-validator', {
    type: 'ClusterIP',
    ports: [{ name: 'policy-https', port: 443, targetPort: 'policy-https' }],
  });
  v.when('enablePodDisruptionBudget', () => {
    new K8sObject(scope, 'pdb', {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: meta(v, 'linkerd-dst', COMPONENT),
      spec: { maxUnavailable: v.ref('controller.podDisruptionBudget.maxUnavailable'), selector: { matchLabels: selector } },
    });
  });
}

/** The destination controller: service discovery over gRPC on 8086. */
function destinationContainer(v: CpValues): Container {
  const meshedHttp2 = v.ref('destinationController.meshedHttp2ClientProtobuf');
  const probes = controllerProbes(v, '/ping', 9996, 'destinationController');
  return {
    args: [
      'destination',
      '-addr=:8086',
      v.fmt`-controller-namespace=${v.release.namespace}`,
      v.fmt`-outbound-transport-mode=${v.ref('proxy.outboundTransportMode')}`,
      v.fmt`-enable-h2-upgrade=${v.ref('enableH2Upgrade')}`,
      v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
      v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
      v.fmt`-enable-endpoint-slices=${v.ref('enableEndpointSlices')}`,
      v.fmt`-cluster-domain=${v.ref('clusterDomain')}`,
      v.fmt`-identity-trust-domain=${trustDomainOf(v)}`,
      v.fmt`-default-opaque-ports=${v.ref('proxy.opaquePorts')}`,
      v.fmt`-enable-ipv6=${v.not('disableIPv6')}`,
      v.fmt`-enable-pprof=${v.ref('enablePprof')}`,
      v.maybe(v.truthy(meshedHttp2), v.fmt`--meshed-http2-client-params=${v.toJson(meshedHttp2)}`) as string,
      ...v.splice(v.ref('destinationController.additionalArgs')),
      ...v.splice(v.ref('destinationController.experimentalArgs')),
      // Upstream writes these after `env:`, so they end up in args only when there is no env.
      ...traceArgs(v),
    ],
    env: controllerEnv(v, 'destinationController'),
    image: controllerImage(v),
    imagePullPolicy: v.ref('imagePullPolicy'),
    livenessProbe: probes.livenessProbe,
    name: COMPONENT,
    ports: [
      { containerPort: 8086, name: 'dest-grpc' },
      { containerPort: 9996, name: 'dest-admin' },
    ],
    readinessProbe: probes.readinessProbe,
    resources: sharedResources(v, v.ref('destinationResources')),
    securityContext: controllerSecurityContext(v),
    volumeMounts: [KUBE_API_ACCESS_MOUNT],
  };
}

/** The service-profile validator webhook server (8443). */
function spValidatorContainer(v: CpValues): Container {
  const probes = controllerProbes(v, '/ping', 9997, 'spValidator');
  return {
    args: ['sp-validator', v.fmt`-log-level=${v.ref('controllerLogLevel')}`, v.fmt`-log-format=${v.ref('controllerLogFormat')}`, v.fmt`-enable-pprof=${v.ref('enablePprof')}`],
    env: controllerEnv(v, 'spValidator'),
    image: controllerImage(v),
    imagePullPolicy: v.ref('imagePullPolicy'),
    livenessProbe: probes.livenessProbe,
    name: 'sp-validator',
    ports: [
      { containerPort: 8443, name: 'sp-validator' },
      { containerPort: 9997, name: 'spval-admin' },
    ],
    readinessProbe: probes.readinessProbe,
    resources: sharedResources(v, v.ref('spValidatorResources')),
    securityContext: controllerSecurityContext(v),
    volumeMounts: [{ mountPath: '/var/run/linkerd/tls', name: 'sp-tls', readOnly: true }, KUBE_API_ACCESS_MOUNT],
  };
}

/** The policy controller's arguments: its listeners, the mesh's networks and domains, and the default policy. */
function policyArgs(v: CpValues): string[] {
  const listen = (port: number) => v.fmt`${v.ternary('disableIPv6', '0.0.0.0', '[::]')}:${port}`;
  return [
    v.fmt`--admin-addr=${listen(9990)}`,
    v.fmt`--control-plane-namespace=${v.release.namespace}`,
    v.fmt`--grpc-addr=${listen(8090)}`,
    v.fmt`--server-addr=${listen(9443)}`,
    '--server-tls-key=/var/run/linkerd/tls/tls.key',
    '--server-tls-certs=/var/run/linkerd/tls/tls.crt',
    v.fmt`--cluster-networks=${v.ref('clusterNetworks')}`,
    v.fmt`--identity-domain=${trustDomainOf(v)}`,
    v.fmt`--cluster-domain=${v.ref('clusterDomain')}`,
    v.fmt`--default-policy=${v.ref('proxy.defaultInboundPolicy')}`,
    v.fmt`--log-level=${v.orElse(v.ref('policyController.logLevel'), 'linkerd=info,warn')}`,
    v.fmt`--log-format=${v.ref('controllerLogFormat')}`,
    v.fmt`--default-opaque-ports=${v.ref('proxy.opaquePorts')}`,
    v.fmt`--global-egress-network-namespace=${v.ref('egress.globalEgressNetworkNamespace')}`,
    v.maybe('policyController.probeNetworks', v.fmt`--probe-networks=${v.join(v.ref('policyController.probeNetworks'), ',')}`) as string,
    ...v.splice(v.ref('policyController.additionalArgs')),
    ...v.splice(v.ref('policyController.experimentalArgs')),
  ];
}

/** The policy controller: policy discovery over gRPC (8090) and the policy validator webhook (9443). */
function policyContainer(v: CpValues): Container {
  const probes = controllerProbes(v, '/live', 'policy-admin', 'policyController');
  return {
    command: ['/linkerd-policy-controller'],
    args: policyArgs(v),
    image: controllerImage(v),
    imagePullPolicy: v.ref('imagePullPolicy'),
    livenessProbe: probes.livenessProbe,
    name: 'policy',
    ports: [
      { containerPort: 8090, name: 'policy-grpc' },
      { containerPort: 9990, name: 'policy-admin' },
      { containerPort: 9443, name: 'policy-https' },
    ],
    readinessProbe: probes.readinessProbe,
    resources: sharedResources(v, v.ref('policyController.resources')),
    securityContext: controllerSecurityContext(v),
    volumeMounts: [{ mountPath: '/var/run/linkerd/tls', name: 'policy-tls', readOnly: true }, KUBE_API_ACCESS_MOUNT],
  };
}

/** The webhook Secrets the validators serve from, the API token, and the proxy's volumes. */
function destinationVolumes(sidecar: MeshedPodParts): Volume[] {
  return [
    { name: 'sp-tls', secret: { secretName: 'linkerd-sp-validator-k8s-tls' } },
    { name: 'policy-tls', secret: { secretName: 'linkerd-policy-validator-k8s-tls' } },
    KUBE_API_ACCESS_VOLUME,
    ...sidecar.volumes,
  ];
}

/** The destination Deployment: the proxy, the three controllers, restarted when either webhook certificate changes. */
function destinationDeployment(scope: Construct, v: CpValues, certs: DestinationCertificates, sidecar: MeshedPodParts): void {
  controllerDeployment(scope, v, {
    name: NAME,
    component: COMPONENT,
    section: 'destinationController',
    selector: { ...selector, 'linkerd.io/control-plane-ns': v.release.namespace, 'linkerd.io/proxy-deployment': NAME },
    podAnnotations: {
      'checksum/config': v.sha256sum(v.fmt`${webhookChecksum(v, certs.sp)}|${webhookChecksum(v, certs.policy)}`),
      'config.linkerd.io/default-inbound-policy': 'all-unauthenticated',
    },
    containers: [...sidecar.containers, destinationContainer(v), spValidatorContainer(v), policyContainer(v)],
    initContainers: [...sidecar.initContainers],
    volumes: destinationVolumes(sidecar),
  });
}

type MeshedPodParts = ReturnType<typeof controlPlanePodParts>;

const trustDomainOf = (v: CpValues) => v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain'));

export class Destination extends Component {
  constructor(scope: Construct, id: string, v: CpValues, base: ProxySettings) {
    super(scope, id, 'destination.yaml');
    const certs: DestinationCertificates = {
      sp: webhookCertificate(v, 'profileValidator', 'linkerd-sp-validator'),
      policy: webhookCertificate(v, 'policyValidator', 'linkerd-policy-validator'),
    };
    const sidecar = controlPlanePodParts(v, base, {
      component: NAME,
      overrides: 'destinationProxyResources',
      podInboundPorts: '8086,8090,8443,9443,9990,9996,9997',
    });
    destinationRbac(this, v);
    controllerServiceAccount(this, v, NAME, COMPONENT);
    destinationWebhooks(this, v, certs);
    policyRbac(this, v);
    destinationServices(this, v);
    destinationDeployment(this, v, certs, sidecar);
  }
}
