/**
 * Tap: the aggregated API (`tap.linkerd.io`) that streams live requests from the proxies,
 * and the tap injector, a webhook that lets the proxies of new pods accept tap requests.
 */
import type { Construct } from 'constructs';
import type { Volume } from 'kubernetes-types/core/v1';
import { Component, K8sObject } from '../helm/object';
import { meshedService } from '../extension/parts';
import { servingCertificates } from '../k8s/cert-manager';
import { caBundleField, caInjectionAnnotations, serviceCertificate, webhookChecksum, type WebhookCertificate } from '../k8s/webhook-tls';
import { adminProbes, createdBy, extensionDeployment, extensionDisruptionBudget, extensionLabels, extensionMeta, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { resourcesOf } from '../k8s/resources';
import { logArgs, componentIds, pullPolicy, vizImage, type Vv } from './metadata';
import { anyNetwork, authorizationPolicy, server } from '../extension/policy';
import { binding, clusterRole } from '../extension/rbac';

const READ = ['list', 'get', 'watch'];
export const TAP_RULES = [
  { apiGroups: [''], resources: ['pods', 'services', 'replicationcontrollers', 'namespaces', 'nodes'], verbs: READ },
  { apiGroups: ['extensions', 'apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: READ },
  { apiGroups: ['extensions', 'batch'], resources: ['cronjobs', 'jobs'], verbs: READ },
];
export const TAP_ADMIN_RULES = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
  { apiGroups: ['tap.linkerd.io'], resources: ['*'], verbs: ['watch'] },
];

/** How both tap servers are deployed: global scheduling, spread by anti-affinity, evictable, restarted when their certificate changes. */
function tapServerDeployment(v: Vv, cert: WebhookCertificate) {
  return { scheduling: 'global' as const, affinity: true, strategyWithAntiAffinity: true, checksum: webhookChecksum(v, cert), safeToEvict: true };
}

/** The serving certificate of a tap server and its Secret (unless external). */
function tlsSecret(scope: Construct, v: Vv, section: 'tap' | 'tapInjector', service: string, metadata: Record<string, unknown>): WebhookCertificate {
  const cert = serviceCertificate(v, `${section}Cert`, v.section(section), service, 'certManager.enabled');
  v.when(v.not(cert.tls.externalSecret), () => {
    new K8sObject(scope, 'tls-secret', {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: `${service}-k8s-tls`, ...metadata },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': cert.crt, 'tls.key': cert.key },
    });
  });
  return cert;
}

/** A tap server container (the `tap` image runs both). */
function tapContainer(v: Vv, section: 'tap' | 'tapInjector', name: string, args: string[], ports: { containerPort: number; name: string }[]) {
  const s = v.section(section);
  const ids = componentIds(v, section);
  return {
    args,
    image: vizImage(v, section),
    imagePullPolicy: pullPolicy(v, section),
    ...adminProbes(ports[ports.length - 1].containerPort),
    name,
    ports,
    resources: resourcesOf(v, s.resources),
    securityContext: restrictedContainer(ids.uid, ids.gid),
    volumeMounts: [{ mountPath: '/var/run/linkerd/tls', name: 'tls', readOnly: true }, KUBE_API_ACCESS_MOUNT],
  };
}

/** The tap certificates from cert-manager (certManager.enabled). */
export class TapCertificates extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'cert-manager.yaml');
    v.when('certManager.enabled', () => {
      const c = v.section('certManager');
      servingCertificates(this, v, {
        prefix: 'linkerd-viz-webhook',
        issuerRef: c.issuerRef,
        duration: c.duration,
        renewBefore: c.renewBefore,
        meta: (name, component) => extensionMeta(v, name, component),
        services: [
          { service: 'tap', component: 'tap' },
          { service: 'tap-injector', component: 'tap-injector' },
        ],
      });
    });
  }
}

/** What the tap API server may read, delegate and be read as (an aggregated API server), and its ServiceAccount. */
function tapRbac(scope: Construct, v: Vv): void {
  const ns = v.release.namespace;
  const tapRole = v.fmt`linkerd-${ns}-tap`;
  const adminRole = v.fmt`linkerd-${ns}-tap-admin`;
  clusterRole(scope, v, 'tap', tapRole, 'tap', TAP_RULES);
  clusterRole(scope, v, 'tap-admin', adminRole, 'tap', TAP_ADMIN_RULES);
  binding(scope, v, { id: 'tap', kind: 'ClusterRoleBinding', name: tapRole, component: 'tap', role: { kind: 'ClusterRole', name: tapRole }, serviceAccounts: ['tap'] });
  binding(scope, v, {
    id: 'tap-auth-delegator',
    kind: 'ClusterRoleBinding',
    name: v.fmt`linkerd-${ns}-tap-auth-delegator`,
    component: 'tap',
    role: { kind: 'ClusterRole', name: 'system:auth-delegator' },
    serviceAccounts: ['tap'],
  });
  extensionServiceAccount(scope, v, 'tap', 'tap', { namespace: true });
  binding(scope, v, {
    id: 'tap-auth-reader',
    kind: 'RoleBinding',
    name: v.fmt`linkerd-${ns}-tap-auth-reader`,
    namespace: 'kube-system',
    labels: extensionLabels(v, 'tap', { namespace: ns }),
    role: { kind: 'Role', name: 'extension-apiserver-authentication-reader' },
    serviceAccounts: ['tap'],
  });
}

/** The `tap.linkerd.io` APIService, served by the tap Service with `cert`. */
function tapApiService(scope: Construct, v: Vv, cert: WebhookCertificate): void {
  new K8sObject(scope, 'api-service', {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name: 'v1alpha1.tap.linkerd.io', annotations: caInjectionAnnotations(v, cert.tls), labels: extensionLabels(v, 'tap') },
    spec: { group: 'tap.linkerd.io', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 100, service: { name: 'tap', namespace: v.release.namespace }, caBundle: caBundleField(v, cert) },
  });
}

/** The tap API server's flags. */
function tapArgs(v: Vv): string[] {
  const ignoreHeaders = v.ref('tap.ignoreHeaders');
  return [
    'api',
    v.fmt`-api-namespace=${v.ref('linkerdNamespace')}`,
    ...logArgs(v, 'tap'),
    v.fmt`-identity-trust-domain=${v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain'))}`,
    v.fmt`-enable-pprof=${v.orElse(v.ref('enablePprof'), false)}`,
    v.maybe(v.truthy(ignoreHeaders), v.fmt`-ignore-headers=${v.join(ignoreHeaders, ',')}`) as string,
  ];
}

/** A tap server's pod volumes: its serving certificate's Secret and the ServiceAccount token. */
const tapVolumes = (secretName: string): Volume[] => [{ name: 'tls', secret: { secretName } }, KUBE_API_ACCESS_VOLUME];

/** Only the Kubernetes API server (any network) may reach a tap server's `port`. */
function kubeApiOnly(scope: Construct, v: Vv, o: { server: string; policy: string; component: string; port: string }): void {
  server(scope, v, { name: o.server, component: o.component, podSelector: { 'linkerd.io/extension': 'viz', component: o.component }, port: o.port, proxyProtocol: 'TLS' });
  authorizationPolicy(scope, v, { name: o.policy, component: o.component, server: o.server, authentications: [{ group: 'policy.linkerd.io', kind: 'NetworkAuthentication', name: 'kube-api-server' }] });
}

export class Tap extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'tap.yaml');
    const ns = v.release.namespace;
    tapRbac(this, v);
    const cert = tlsSecret(this, v, 'tap', 'tap', { namespace: ns, labels: extensionLabels(v, 'tap', { namespace: ns }), annotations: createdBy(v) });
    tapApiService(this, v, cert);
    meshedService(this, v, {
      name: 'tap',
      component: 'tap',
      namespaceLabel: true,
      annotations: { ...v.spreadMap(v.ref('tap.service.annotations')), 'linkerd.io/inject': 'enabled' },
      ports: [
        { name: 'grpc', port: 8088, targetPort: 8088 },
        { name: 'apiserver', port: 443, targetPort: 'apiserver' },
      ],
    });
    const ports = [
      { containerPort: 8088, name: 'grpc' },
      { containerPort: 8089, name: 'apiserver' },
      { containerPort: 9998, name: 'admin' },
    ];
    extensionDeployment(this, v, {
      name: 'tap',
      component: 'tap',
      section: 'tap',
      namespaceLabel: true,
      versionLabel: true,
      replicas: v.ref('tap.replicas'),
      ...tapServerDeployment(v, cert),
      containers: [tapContainer(v, 'tap', 'tap', tapArgs(v), ports)],
      volumes: tapVolumes('tap-k8s-tls'),
    });
    extensionDisruptionBudget(this, v, 'tap', 'tap', v.ref('tap.replicas'));
    kubeApiOnly(this, v, { server: 'tap-api', policy: 'tap', component: 'tap', port: 'apiserver' });
  }
}

/** The webhook that lets the proxies of new pods accept tap requests, served by the tap injector with `cert`. */
function tapInjectorWebhook(scope: Construct, v: Vv, cert: WebhookCertificate): void {
  const t = v.section('tapInjector');
  new K8sObject(scope, 'webhook', {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'linkerd-tap-injector-webhook-config', annotations: caInjectionAnnotations(v, cert.tls), labels: extensionLabels(v) },
    webhooks: [
      {
        name: 'tap-injector.linkerd.io',
        namespaceSelector: v.maybe(v.truthy(t.namespaceSelector), t.namespaceSelector),
        objectSelector: v.maybe(v.truthy(t.objectSelector), t.objectSelector),
        clientConfig: { service: { name: 'tap-injector', namespace: v.release.namespace, path: '/' }, caBundle: caBundleField(v, cert) },
        failurePolicy: t.failurePolicy,
        admissionReviewVersions: ['v1', 'v1beta1'],
        reinvocationPolicy: 'IfNeeded',
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
        sideEffects: 'None',
      },
    ],
  });
}

/** The tap injector's flags: the tap server's mesh identity, which the proxies accept tap requests from. */
function tapInjectorArgs(v: Vv): string[] {
  return [
    'injector',
    v.fmt`-tap-service-name=tap.${v.release.namespace}.serviceaccount.identity.${v.ref('linkerdNamespace')}.${v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain'))}`,
    ...logArgs(v, 'tapInjector'),
    v.fmt`-enable-pprof=${v.orElse(v.ref('enablePprof'), false)}`,
  ];
}

export class TapInjector extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'tap-injector.yaml');
    const ns = v.release.namespace;
    clusterRole(this, v, 'tap-injector', 'linkerd-tap-injector', undefined, [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] }]);
    binding(this, v, { id: 'tap-injector', kind: 'ClusterRoleBinding', name: 'linkerd-tap-injector', role: { kind: 'ClusterRole', name: 'linkerd-tap-injector' }, serviceAccounts: ['tap-injector'] });
    extensionServiceAccount(this, v, 'tap-injector', undefined);

    const cert = tlsSecret(this, v, 'tapInjector', 'tap-injector', { namespace: ns, annotations: createdBy(v), labels: extensionLabels(v) });
    tapInjectorWebhook(this, v, cert);
    meshedService(this, v, {
      name: 'tap-injector',
      component: 'tap-injector',
      annotations: { ...v.spreadMap(v.ref('tapInjector.service.annotations')), 'linkerd.io/inject': 'enabled' },
      ports: [{ name: 'tap-injector', port: 443, targetPort: 'tap-injector' }],
    });
    const t = v.section('tapInjector');
    const ports = [
      { containerPort: 8443, name: 'tap-injector' },
      { containerPort: 9995, name: 'admin' },
    ];
    extensionDeployment(this, v, {
      name: 'tap-injector',
      component: 'tap-injector',
      section: 'tapInjector',
      namespaceLabel: false,
      versionLabel: false,
      selector: { component: 'tap-injector' },
      replicas: t.replicas,
      ...tapServerDeployment(v, cert),
      containers: [tapContainer(v, 'tapInjector', 'tap-injector', tapInjectorArgs(v), ports)],
      volumes: tapVolumes('tap-injector-k8s-tls'),
    });
    extensionDisruptionBudget(this, v, 'tap-injector', 'tap-injector', t.replicas);
    kubeApiOnly(this, v, { server: 'tap-injector-webhook', policy: 'tap-injector', component: 'tap-injector', port: 'tap-injector' });
    anyNetwork(this, v, 'kube-api-server');
  }
}
