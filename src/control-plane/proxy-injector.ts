/**
 * The proxy injector: the mutating admission webhook that adds the proxy to pods. It
 * reads linkerd-config, so injected proxies get the configuration of the values.
 * Facts follow upstream edge-26.8.3 (proxy-injector.yaml, proxy-injector-rbac.yaml); we
 * keep both in one template file so the webhook certificate Helm generates is the same in
 * the Secret, the webhook's CA bundle and the Deployment's checksum.
 */
import type { Container } from 'kubernetes-types/core/v1';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { sharedResources } from '../k8s/resources';
import type { ProxySettings } from '../proxy/settings';
import { controlPlanePodParts } from './proxy-settings';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { componentLabels, controllerDeployment, controllerEnv, controllerImage, controllerProbes, controllerServiceAccount, controllerSecurityContext, createdBy, meta, type CpValues } from './metadata';
import { caBundleField, caInjectionAnnotations, webhookChecksum, type WebhookCertificate } from '../k8s/webhook-tls';
import { webhookCertificate, webhookSecret } from './webhook';

const NAME = 'linkerd-proxy-injector';
const COMPONENT = 'proxy-injector';

const selector = { 'linkerd.io/control-plane-component': COMPONENT };

/** The injector: the webhook server (8443) that adds the proxy to pods, reading linkerd-config. */
function injectorContainer(v: CpValues): Container {
  const probes = controllerProbes(v, '/ping', 9995, 'proxyInjector');
  return {
    args: [
      'proxy-injector',
      v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
      v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
      v.fmt`-linkerd-namespace=${v.release.namespace}`,
      v.fmt`-enable-pprof=${v.ref('enablePprof')}`,
    ],
    env: controllerEnv(v, 'proxyInjector'),
    image: controllerImage(v),
    imagePullPolicy: v.ref('imagePullPolicy'),
    livenessProbe: probes.livenessProbe,
    name: COMPONENT,
    ports: [
      { containerPort: 8443, name: COMPONENT },
      { containerPort: 9995, name: 'injector-admin' },
    ],
    readinessProbe: probes.readinessProbe,
    resources: sharedResources(v, v.ref('proxyInjectorResources')),
    securityContext: controllerSecurityContext(v),
    volumeMounts: [
      { mountPath: '/var/run/linkerd/config', name: 'config' },
      { mountPath: '/var/run/linkerd/identity/trust-roots', name: 'trust-roots' },
      { mountPath: '/var/run/linkerd/tls', name: 'tls', readOnly: true },
      KUBE_API_ACCESS_MOUNT,
    ],
  };
}

/** The injector's Deployment: the proxy and the injector, restarted when the webhook certificate changes. */
function injectorDeployment(scope: Construct, v: CpValues, cert: WebhookCertificate, sidecar: ReturnType<typeof controlPlanePodParts>): void {
  controllerDeployment(scope, v, {
    name: NAME,
    component: COMPONENT,
    section: 'proxyInjector',
    selector,
    podAnnotations: {
      // Restarts the injector when its certificate changes (reproducible when it is not generated).
      'checksum/config': webhookChecksum(v, cert),
      'config.linkerd.io/opaque-ports': '8443',
      'config.linkerd.io/default-inbound-policy': 'all-unauthenticated',
    },
    containers: [...sidecar.containers, injectorContainer(v)],
    initContainers: [...sidecar.initContainers],
    volumes: [
      { configMap: { name: 'linkerd-config' }, name: 'config' },
      { configMap: { name: 'linkerd-identity-trust-roots' }, name: 'trust-roots' },
      { name: 'tls', secret: { secretName: 'linkerd-proxy-injector-k8s-tls' } },
      KUBE_API_ACCESS_VOLUME,
      ...sidecar.volumes,
    ],
  });
}

/** The webhook's Service (opaque, so the proxy does not parse admission traffic) and the PodDisruptionBudget when enabled. */
function injectorService(scope: Construct, v: CpValues): void {
  new K8sObject(scope, 'service', {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: { ...meta(v, NAME, COMPONENT), annotations: { ...createdBy(v), 'config.linkerd.io/opaque-ports': '443' } },
    spec: { type: 'ClusterIP', selector, ports: [{ name: COMPONENT, port: 443, targetPort: COMPONENT }] },
  });
  v.when('enablePodDisruptionBudget', () => {
    new K8sObject(scope, 'pdb', {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: meta(v, NAME, COMPONENT),
      spec: { maxUnavailable: v.ref('controller.podDisruptionBudget.maxUnavailable'), selector: { matchLabels: selector } },
    });
  });
}

/** The injector's ClusterRole and binding (upstream proxy-injector-rbac.yaml): it reads the workloads that own the pods it mutates. */
function injectorRbac(scope: Construct, v: CpValues): void {
  const rbacName = v.fmt`linkerd-${v.release.namespace}-proxy-injector`;
  new K8sObject(scope, 'cluster-role', {
    kind: 'ClusterRole',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
    rules: [
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['namespaces', 'replicationcontrollers'], verbs: ['list', 'get', 'watch'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
      { apiGroups: ['extensions', 'apps'], resources: ['deployments', 'replicasets', 'daemonsets', 'statefulsets'], verbs: ['list', 'get', 'watch'] },
      { apiGroups: ['extensions', 'batch'], resources: ['cronjobs', 'jobs'], verbs: ['list', 'get', 'watch'] },
    ],
  });
  new K8sObject(scope, 'cluster-role-binding', {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
    subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: v.release.namespace, apiGroup: '' }],
    roleRef: { kind: 'ClusterRole', name: rbacName, apiGroup: 'rbac.authorization.k8s.io' },
  });
}

/** The certificate's Secret and the mutating webhook that sends new pods and services to the injector. */
function injectorWebhook(scope: Construct, v: CpValues, cert: WebhookCertificate): void {
  webhookSecret(scope, v, cert, 'linkerd-proxy-injector-k8s-tls', COMPONENT);
  new K8sObject(scope, 'webhook', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'linkerd-proxy-injector-webhook-config', annotations: caInjectionAnnotations(v, cert.tls), labels: componentLabels(v, COMPONENT) },
    webhooks: [
      {
        name: 'linkerd-proxy-injector.linkerd.io',
        namespaceSelector: v.ref('proxyInjector.namespaceSelector'),
        objectSelector: v.ref('proxyInjector.objectSelector'),
        clientConfig: { service: { name: NAME, namespace: v.release.namespace, path: '/' }, caBundle: caBundleField(v, cert) },
        failurePolicy: v.ref('webhookFailurePolicy'),
        admissionReviewVersions: ['v1', 'v1beta1'],
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'services'], scope: 'Namespaced' }],
        sideEffects: 'None',
        timeoutSeconds: v.orElse(v.ref('proxyInjector.timeoutSeconds'), 10),
      },
    ],
  });
}

export class ProxyInjector extends Component {
  constructor(scope: Construct, id: string, v: CpValues, base: ProxySettings) {
    super(scope, id, 'proxy-injector.yaml');
    const cert = webhookCertificate(v, 'proxyInjector', NAME);
    const sidecar = controlPlanePodParts(v, base, { component: NAME, overrides: 'proxyInjectorProxyResources', podInboundPorts: '8443,9995' });
    injectorDeployment(this, v, cert, sidecar);
    injectorService(this, v);
    injectorRbac(this, v);
    controllerServiceAccount(this, v, NAME, COMPONENT);
    injectorWebhook(this, v, cert);
  }
}
