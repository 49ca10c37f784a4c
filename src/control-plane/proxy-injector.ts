/**
 * The proxy injector: the mutating admission webhook that adds the proxy to pods. It
 * reads linkerd-config, so injected proxies get the configuration of the values.
 * Facts follow upstream edge-26.8.3 (proxy-injector.yaml, proxy-injector-rbac.yaml); we
 * keep both in one template file so the webhook certificate Helm generates is the same in
 * the Secret, the webhook's CA bundle and the Deployment's checksum.
 */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { sharedResources } from '../k8s/resources';
import type { ProxySettings } from '../proxy/settings';
import { controlPlanePodParts } from './proxy-settings';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { componentLabels, controllerDeployment, controllerImage, controllerProbe, controllerServiceAccount, controllerSecurityContext, createdBy, meta, type CpValues } from './metadata';
import { caBundleField, caInjectionAnnotations, webhookChecksum } from '../k8s/webhook-tls';
import { webhookCertificate, webhookSecret } from './webhook';

const NAME = 'linkerd-proxy-injector';
const COMPONENT = 'proxy-injector';

export class ProxyInjector extends Component {
  constructor(scope: Construct, id: string, v: CpValues, base: ProxySettings) {
    super(scope, id, 'proxy-injector.yaml');
    const ns = v.release.namespace;
    const cert = webhookCertificate(v, 'proxyInjector', NAME);
    const sidecar = controlPlanePodParts(v, base, { component: NAME, overrides: 'proxyInjectorProxyResources', podInboundPorts: '8443,9995' });
    const probe = (path: string, timeout: number) => controllerProbe(v, path, 9995, timeout);
    const additionalEnv = v.ref('proxyInjector.additionalEnv');
    const experimentalEnv = v.ref('proxyInjector.experimentalEnv');

    controllerDeployment(this, v, {
      name: NAME,
      component: COMPONENT,
      section: 'proxyInjector',
      selector: { 'linkerd.io/control-plane-component': COMPONENT },
      podAnnotations: {
        // Restarts the injector when its certificate changes (reproducible when it is not generated).
        'checksum/config': webhookChecksum(v, cert),
        'config.linkerd.io/opaque-ports': '8443',
        'config.linkerd.io/default-inbound-policy': 'all-unauthenticated',
      },
      containers: [
        ...sidecar.containers,
        {
          args: [
            'proxy-injector',
            v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
            v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
            v.fmt`-linkerd-namespace=${ns}`,
            v.fmt`-enable-pprof=${v.ref('enablePprof')}`,
          ],
          env: v.maybe(v.or(v.truthy(additionalEnv), v.truthy(experimentalEnv)), [...v.splice(additionalEnv), ...v.splice(experimentalEnv)]),
          image: controllerImage(v),
          imagePullPolicy: v.ref('imagePullPolicy'),
          livenessProbe: { ...probe('/ping', v.ref('proxyInjector.livenessProbe.timeoutSeconds')), initialDelaySeconds: 10 },
          name: COMPONENT,
          ports: [
            { containerPort: 8443, name: COMPONENT },
            { containerPort: 9995, name: 'injector-admin' },
          ],
          readinessProbe: { failureThreshold: 7, ...probe('/ready', v.ref('proxyInjector.readinessProbe.timeoutSeconds')) },
          resources: sharedResources(v, v.ref('proxyInjectorResources')),
          securityContext: controllerSecurityContext(v),
          volumeMounts: [
            { mountPath: '/var/run/linkerd/config', name: 'config' },
            { mountPath: '/var/run/linkerd/identity/trust-roots', name: 'trust-roots' },
            { mountPath: '/var/run/linkerd/tls', name: 'tls', readOnly: true },
            KUBE_API_ACCESS_MOUNT,
          ],
        },
      ],
      initContainers: [
        ...sidecar.initContainers,
      ],
      volumes: [
        { configMap: { name: 'linkerd-config' }, name: 'config' },
        { configMap: { name: 'linkerd-identity-trust-roots' }, name: 'trust-roots' },
        { name: 'tls', secret: { secretName: 'linkerd-proxy-injector-k8s-tls' } },
        KUBE_API_ACCESS_VOLUME,
        ...sidecar.volumes,
      ],
    });

    new K8sObject(this, 'service', {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { ...meta(v, NAME, COMPONENT), annotations: { ...createdBy(v), 'config.linkerd.io/opaque-ports': '443' } },
      spec: {
        type: 'ClusterIP',
        selector: { 'linkerd.io/control-plane-component': COMPONENT },
        ports: [{ name: COMPONENT, port: 443, targetPort: COMPONENT }],
      },
    });
    v.when('enablePodDisruptionBudget', () => {
      new K8sObject(this, 'pdb', {
        kind: 'PodDisruptionBudget',
        apiVersion: 'policy/v1',
        metadata: meta(v, NAME, COMPONENT),
        spec: {
          maxUnavailable: v.ref('controller.podDisruptionBudget.maxUnavailable'),
          selector: { matchLabels: { 'linkerd.io/control-plane-component': COMPONENT } },
        },
      });
    });

    // RBAC, certificate and webhook (upstream proxy-injector-rbac.yaml)
    const rbacName = v.fmt`linkerd-${ns}-proxy-injector`;
    new K8sObject(this, 'cluster-role', {
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
    new K8sObject(this, 'cluster-role-binding', {
      kind: 'ClusterRoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: ns, apiGroup: '' }],
      roleRef: { kind: 'ClusterRole', name: rbacName, apiGroup: 'rbac.authorization.k8s.io' },
    });
    controllerServiceAccount(this, v, NAME, COMPONENT);
    webhookSecret(this, v, cert, 'linkerd-proxy-injector-k8s-tls', COMPONENT);
    new K8sObject(this, 'webhook', {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata: {
        name: 'linkerd-proxy-injector-webhook-config',
        annotations: caInjectionAnnotations(v, cert.tls),
        labels: componentLabels(v, COMPONENT),
      },
      webhooks: [
        {
          name: 'linkerd-proxy-injector.linkerd.io',
          namespaceSelector: v.ref('proxyInjector.namespaceSelector'),
          objectSelector: v.ref('proxyInjector.objectSelector'),
          clientConfig: {
            service: { name: NAME, namespace: ns, path: '/' },
            caBundle: caBundleField(v, cert),
          },
          failurePolicy: v.ref('webhookFailurePolicy'),
          admissionReviewVersions: ['v1', 'v1beta1'],
          rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'services'], scope: 'Namespaced' }],
          sideEffects: 'None',
          timeoutSeconds: v.orElse(v.ref('proxyInjector.timeoutSeconds'), 10),
        },
      ],
    });
  }
}
