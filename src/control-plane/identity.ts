/**
 * The identity controller: the mesh's certificate authority. It signs each proxy's
 * workload certificate with the issuer, which chains to the trust anchors.
 * Objects and their facts follow upstream edge-26.8.3 (identity.yaml, identity-rbac.yaml).
 */
import type { Container } from 'kubernetes-types/core/v1';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { sharedResources } from '../k8s/resources';
import type { ProxySettings } from '../proxy/settings';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { componentLabels, controllerDeployment, controllerImage, controllerProbes, controllerServiceAccount, controllerSecurityContext, meta, type CpValues } from './metadata';
import { controlPlanePodParts, controlPlaneProxySettings, traceArgs, type ControlPlanePod } from './proxy-settings';

const NAME = 'linkerd-identity';
const COMPONENT = 'identity';

/** The identity pod's proxy: it cannot discover policy, so it enforces TLS on the identity port itself. */
const IDENTITY_POD: ControlPlanePod = {
  component: NAME,
  overrides: 'identityProxyResources',
  podInboundPorts: '8080,9990',
  extra: { await: false, nativeSidecar: false, requireTLSOnInboundPorts: '8080' },
};

export function identityProxySettings(v: CpValues, base: ProxySettings): ProxySettings {
  return controlPlaneProxySettings(v, base, IDENTITY_POD);
}

const selector = { 'linkerd.io/control-plane-component': COMPONENT };

/** The issuer's Secret (when Linkerd holds the issuer) and the trust roots ConfigMap (unless an external CA provides it). */
function identityCredentials(scope: Construct, v: CpValues): void {
  v.when(v.eq(v.ref('identity.issuer.scheme'), 'linkerd.io/tls'), () => {
    new K8sObject(scope, 'issuer', {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: meta(v, 'linkerd-identity-issuer', COMPONENT),
      data: {
        'crt.pem': v.b64enc(v.trim(v.ref('identity.issuer.tls.crtPEM'))),
        'key.pem': v.b64enc(v.trim(v.ref('identity.issuer.tls.keyPEM'))),
      },
    });
  });
  v.when(v.not('identity.externalCA'), () => {
    new K8sObject(scope, 'trust-roots', {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: meta(v, 'linkerd-identity-trust-roots', COMPONENT),
      data: { 'ca-bundle.crt': v.trim(v.ref('identityTrustAnchorsPEM')) },
    });
  });
}

/** The identity Service, its headless twin (for the proxies' identity client), and the PodDisruptionBudget when enabled. */
function identityServices(scope: Construct, v: CpValues): void {
  const grpc = [{ name: 'grpc', port: 8080, targetPort: 8080 }];
  new K8sObject(scope, 'service', { kind: 'Service', apiVersion: 'v1', metadata: meta(v, NAME, COMPONENT), spec: { type: 'ClusterIP', selector, ports: grpc } });
  new K8sObject(scope, 'headless', {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: meta(v, 'linkerd-identity-headless', COMPONENT),
    spec: { clusterIP: 'None', selector, ports: grpc },
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

/** The identity controller: signs workload certificates over gRPC (8080) with the issuer. */
function identityContainer(v: CpValues): Container {
  const probes = controllerProbes(v, '/ping', 9990, 'identity');
  return {
    args: [
      'identity',
      v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
      v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
      v.fmt`-controller-namespace=${v.release.namespace}`,
      v.fmt`-identity-trust-domain=${v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain'))}`,
      v.fmt`-identity-issuance-lifetime=${v.ref('identity.issuer.issuanceLifetime')}`,
      v.fmt`-identity-clock-skew-allowance=${v.ref('identity.issuer.clockSkewAllowance')}`,
      v.fmt`-identity-scheme=${v.ref('identity.issuer.scheme')}`,
      v.fmt`-enable-pprof=${v.ref('enablePprof')}`,
      v.fmt`-kube-apiclient-qps=${v.ref('identity.kubeAPI.clientQPS')}`,
      v.fmt`-kube-apiclient-burst=${v.ref('identity.kubeAPI.clientBurst')}`,
      ...traceArgs(v),
    ],
    env: [
      { name: 'LINKERD_DISABLED', value: 'linkerd-await cannot block the identity controller' },
      ...v.splice(v.ref('identity.additionalEnv')),
      ...v.splice(v.ref('identity.experimentalEnv')),
    ],
    image: controllerImage(v),
    imagePullPolicy: v.ref('imagePullPolicy'),
    livenessProbe: probes.livenessProbe,
    name: COMPONENT,
    ports: [
      { containerPort: 8080, name: 'ident-grpc' },
      { containerPort: 9990, name: 'ident-admin' },
    ],
    readinessProbe: probes.readinessProbe,
    resources: sharedResources(v, v.ref('identityResources')),
    securityContext: controllerSecurityContext(v),
    volumeMounts: [
      { mountPath: '/var/run/linkerd/identity/issuer', name: 'identity-issuer' },
      { mountPath: '/var/run/linkerd/identity/trust-roots/', name: 'trust-roots' },
      KUBE_API_ACCESS_MOUNT,
    ],
  };
}

/** The identity Deployment: the controller, then its proxy (upstream's order; never a native sidecar). */
function identityDeployment(scope: Construct, v: CpValues, proxy: ProxySettings): void {
  const sidecar = controlPlanePodParts(v, proxy, IDENTITY_POD);
  controllerDeployment(scope, v, {
    name: NAME,
    component: COMPONENT,
    section: 'identity',
    selector: { ...selector, 'linkerd.io/control-plane-ns': v.release.namespace, 'linkerd.io/proxy-deployment': NAME },
    podAnnotations: { 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated' },
    containers: [identityContainer(v), ...sidecar.containers],
    initContainers: sidecar.initContainers,
    volumes: [
      { name: 'identity-issuer', secret: { secretName: 'linkerd-identity-issuer' } },
      { configMap: { name: 'linkerd-identity-trust-roots' }, name: 'trust-roots' },
      KUBE_API_ACCESS_VOLUME,
      ...sidecar.volumes,
    ],
  });
}

/** The identity controller's ClusterRole and binding (upstream identity-rbac.yaml): token reviews and events. */
function identityRbac(scope: Construct, v: CpValues): void {
  const rbacName = v.fmt`linkerd-${v.release.namespace}-identity`;
  new K8sObject(scope, 'cluster-role', {
    kind: 'ClusterRole',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
    rules: [
      { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    ],
  });
  new K8sObject(scope, 'cluster-role-binding', {
    kind: 'ClusterRoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName },
    subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: v.release.namespace }],
  });
}

export class Identity extends Component {
  constructor(scope: Construct, id: string, v: CpValues, proxy: ProxySettings) {
    super(scope, id, 'identity.yaml');
    identityCredentials(this, v);
    identityServices(this, v);
    identityDeployment(this, v, proxy);
    identityRbac(this, v);
    controllerServiceAccount(this, v, NAME, COMPONENT);
  }
}
