/**
 * The destination controller: service discovery (destination), the service-profile
 * validator webhook (sp-validator) and the policy controller with its validator webhook,
 * in one pod. Facts follow upstream edge-26.8.3 (destination.yaml, destination-rbac.yaml);
 * both live in one template file so each generated webhook certificate is shared by its
 * Secret, its webhook and the Deployment's checksum.
 */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { sharedResources } from '../k8s/resources';
import type { ProxySettings } from '../proxy/settings';
import { controlPlanePodParts, traceArgs } from './proxy-settings';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { componentLabels, controllerDeployment, controllerImage, controllerProbe, controllerServiceAccount, controllerSecurityContext, meta, type CpValues } from './metadata';
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

export class Destination extends Component {
  constructor(scope: Construct, id: string, v: CpValues, base: ProxySettings) {
    super(scope, id, 'destination.yaml');
    const ns = v.release.namespace;
    const sp = webhookCertificate(v, 'profileValidator', 'linkerd-sp-validator');
    const policy = webhookCertificate(v, 'policyValidator', 'linkerd-policy-validator');
    const sidecar = controlPlanePodParts(v, base, {
      component: NAME,
      overrides: 'destinationProxyResources',
      podInboundPorts: '8086,8090,8443,9443,9990,9996,9997',
    });
    const selector = { 'linkerd.io/control-plane-component': COMPONENT };
    const listen = (port: number) => v.fmt`${v.ternary('disableIPv6', '0.0.0.0', '[::]')}:${port}`;
    const trustDomain = v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain'));
    const probe = (path: string, port: number | string, timeout: number) => controllerProbe(v, path, port, timeout);
    const envOf = (section: 'destinationController' | 'spValidator') => {
      const additional = v.ref(`${section}.additionalEnv`);
      const experimental = v.ref(`${section}.experimentalEnv`);
      return v.maybe(v.or(v.truthy(additional), v.truthy(experimental)), [...v.splice(additional), ...v.splice(experimental)]);
    };
    const service = (id: string, name: string, spec: Record<string, unknown>) =>
      new K8sObject(this, id, { kind: 'Service', apiVersion: 'v1', metadata: meta(v, name, COMPONENT), spec: { ...spec, selector } });

    // RBAC (upstream destination-rbac.yaml)
    const rbacName = v.fmt`linkerd-${ns}-destination`;
    const partOf = { 'app.kubernetes.io/part-of': 'Linkerd' };
    const subjects = [{ kind: 'ServiceAccount', name: NAME, namespace: ns }];
    const watch = ['list', 'get', 'watch'];
    new K8sObject(this, 'cluster-role', {
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
    new K8sObject(this, 'cluster-role-binding', {
      kind: 'ClusterRoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName },
      subjects,
    });
    controllerServiceAccount(this, v, NAME, COMPONENT);
    validatingWebhook(this, 'sp-validator-webhook', v, 'linkerd-sp-validator', sp, v.ref('profileValidator.namespaceSelector'), [
      { operations: ['CREATE', 'UPDATE'], apiGroups: ['linkerd.io'], apiVersions: ['v1alpha1', 'v1alpha2'], resources: ['serviceprofiles'] },
    ]);
    validatingWebhook(this, 'policy-validator-webhook', v, 'linkerd-policy-validator', policy, v.ref('policyValidator.namespaceSelector'), [
      { operations: ['CREATE', 'UPDATE'], apiGroups: ['policy.linkerd.io'], apiVersions: ['*'], resources: VALIDATED_POLICY_RESOURCES },
      { operations: ['CREATE', 'UPDATE'], apiGroups: ['gateway.networking.k8s.io'], apiVersions: ['*'], resources: GATEWAY_ROUTES },
    ]);
    new K8sObject(this, 'policy-cluster-role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'linkerd-policy', labels: componentLabels(v, COMPONENT, partOf) },
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
    new K8sObject(this, 'policy-cluster-role-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'linkerd-destination-policy', labels: componentLabels(v, COMPONENT, partOf) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'linkerd-policy' },
      subjects,
    });
    new K8sObject(this, 'remote-discovery-role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'remote-discovery', namespace: ns, labels: componentLabels(v, COMPONENT, partOf) },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'watch'] }],
    });
    new K8sObject(this, 'remote-discovery-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'linkerd-destination-remote-discovery', namespace: ns, labels: componentLabels(v, COMPONENT, partOf) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'remote-discovery' },
      subjects,
    });

    // Services
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
      new K8sObject(this, 'pdb', {
        kind: 'PodDisruptionBudget',
        apiVersion: 'policy/v1',
        metadata: meta(v, 'linkerd-dst', COMPONENT),
        spec: { maxUnavailable: v.ref('controller.podDisruptionBudget.maxUnavailable'), selector: { matchLabels: selector } },
      });
    });

    const meshedHttp2 = v.ref('destinationController.meshedHttp2ClientProtobuf');
    controllerDeployment(this, v, {
      name: NAME,
      component: COMPONENT,
      section: 'destinationController',
      selector: { ...selector, 'linkerd.io/control-plane-ns': ns, 'linkerd.io/proxy-deployment': NAME },
      podAnnotations: {
        // Restarts the pod when either webhook certificate changes.
        'checksum/config': v.sha256sum(v.fmt`${webhookChecksum(v, sp)}|${webhookChecksum(v, policy)}`),
        'config.linkerd.io/default-inbound-policy': 'all-unauthenticated',
      },
      containers: [
        ...sidecar.containers,
        {
          args: [
            'destination',
            '-addr=:8086',
            v.fmt`-controller-namespace=${ns}`,
            v.fmt`-outbound-transport-mode=${v.ref('proxy.outboundTransportMode')}`,
            v.fmt`-enable-h2-upgrade=${v.ref('enableH2Upgrade')}`,
            v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
            v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
            v.fmt`-enable-endpoint-slices=${v.ref('enableEndpointSlices')}`,
            v.fmt`-cluster-domain=${v.ref('clusterDomain')}`,
            v.fmt`-identity-trust-domain=${trustDomain}`,
            v.fmt`-default-opaque-ports=${v.ref('proxy.opaquePorts')}`,
            v.fmt`-enable-ipv6=${v.not('disableIPv6')}`,
            v.fmt`-enable-pprof=${v.ref('enablePprof')}`,
            v.maybe(v.truthy(meshedHttp2), v.fmt`--meshed-http2-client-params=${v.toJson(meshedHttp2)}`) as string,
            ...v.splice(v.ref('destinationController.additionalArgs')),
            ...v.splice(v.ref('destinationController.experimentalArgs')),
            // Upstream writes these after `env:`, so they end up in args only when there is no env.
            ...traceArgs(v),
          ],
          env: envOf('destinationController'),
          image: controllerImage(v),
          imagePullPolicy: v.ref('imagePullPolicy'),
          livenessProbe: { ...probe('/ping', 9996, v.ref('destinationController.livenessProbe.timeoutSeconds')), initialDelaySeconds: 10 },
          name: COMPONENT,
          ports: [
            { containerPort: 8086, name: 'dest-grpc' },
            { containerPort: 9996, name: 'dest-admin' },
          ],
          readinessProbe: { failureThreshold: 7, ...probe('/ready', 9996, v.ref('destinationController.readinessProbe.timeoutSeconds')) },
          resources: sharedResources(v, v.ref('destinationResources')),
          securityContext: controllerSecurityContext(v),
          volumeMounts: [KUBE_API_ACCESS_MOUNT],
        },
        {
          args: ['sp-validator', v.fmt`-log-level=${v.ref('controllerLogLevel')}`, v.fmt`-log-format=${v.ref('controllerLogFormat')}`, v.fmt`-enable-pprof=${v.ref('enablePprof')}`],
          env: envOf('spValidator'),
          image: controllerImage(v),
          imagePullPolicy: v.ref('imagePullPolicy'),
          livenessProbe: { ...probe('/ping', 9997, v.ref('spValidator.livenessProbe.timeoutSeconds')), initialDelaySeconds: 10 },
          name: 'sp-validator',
          ports: [
            { containerPort: 8443, name: 'sp-validator' },
            { containerPort: 9997, name: 'spval-admin' },
          ],
          readinessProbe: { failureThreshold: 7, ...probe('/ready', 9997, v.ref('spValidator.readinessProbe.timeoutSeconds')) },
          resources: sharedResources(v, v.ref('spValidatorResources')),
          securityContext: controllerSecurityContext(v),
          volumeMounts: [{ mountPath: '/var/run/linkerd/tls', name: 'sp-tls', readOnly: true }, KUBE_API_ACCESS_MOUNT],
        },
        {
          command: ['/linkerd-policy-controller'],
          args: [
            v.fmt`--admin-addr=${listen(9990)}`,
            v.fmt`--control-plane-namespace=${ns}`,
            v.fmt`--grpc-addr=${listen(8090)}`,
            v.fmt`--server-addr=${listen(9443)}`,
            '--server-tls-key=/var/run/linkerd/tls/tls.key',
            '--server-tls-certs=/var/run/linkerd/tls/tls.crt',
            v.fmt`--cluster-networks=${v.ref('clusterNetworks')}`,
            v.fmt`--identity-domain=${trustDomain}`,
            v.fmt`--cluster-domain=${v.ref('clusterDomain')}`,
            v.fmt`--default-policy=${v.ref('proxy.defaultInboundPolicy')}`,
            v.fmt`--log-level=${v.orElse(v.ref('policyController.logLevel'), 'linkerd=info,warn')}`,
            v.fmt`--log-format=${v.ref('controllerLogFormat')}`,
            v.fmt`--default-opaque-ports=${v.ref('proxy.opaquePorts')}`,
            v.fmt`--global-egress-network-namespace=${v.ref('egress.globalEgressNetworkNamespace')}`,
            v.maybe('policyController.probeNetworks', v.fmt`--probe-networks=${v.join(v.ref('policyController.probeNetworks'), ',')}`) as string,
            ...v.splice(v.ref('policyController.additionalArgs')),
            ...v.splice(v.ref('policyController.experimentalArgs')),
          ],
          image: controllerImage(v),
          imagePullPolicy: v.ref('imagePullPolicy'),
          livenessProbe: { ...probe('/live', 'policy-admin', v.ref('policyController.livenessProbe.timeoutSeconds')), initialDelaySeconds: 10 },
          name: 'policy',
          ports: [
            { containerPort: 8090, name: 'policy-grpc' },
            { containerPort: 9990, name: 'policy-admin' },
            { containerPort: 9443, name: 'policy-https' },
          ],
          readinessProbe: { failureThreshold: 7, ...probe('/ready', 'policy-admin', v.ref('policyController.readinessProbe.timeoutSeconds')) },
          resources: sharedResources(v, v.ref('policyController.resources')),
          securityContext: controllerSecurityContext(v),
          volumeMounts: [{ mountPath: '/var/run/linkerd/tls', name: 'policy-tls', readOnly: true }, KUBE_API_ACCESS_MOUNT],
        },
      ],
      initContainers: [
        ...sidecar.initContainers,
      ],
      volumes: [
        { name: 'sp-tls', secret: { secretName: 'linkerd-sp-validator-k8s-tls' } },
        { name: 'policy-tls', secret: { secretName: 'linkerd-policy-validator-k8s-tls' } },
        KUBE_API_ACCESS_VOLUME,
        ...sidecar.volumes,
      ],
    });
  }
}
