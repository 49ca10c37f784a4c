/**
 * The identity controller: the mesh's certificate authority. It signs each proxy's
 * workload certificate with the issuer, which chains to the trust anchors.
 * Objects and their facts follow upstream edge-26.8.3 (identity.yaml, identity-rbac.yaml).
 */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { sharedResources } from '../k8s/resources';
import type { ProxySettings } from '../proxy/settings';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { componentLabels, controllerDeployment, controllerImage, controllerProbe, controllerServiceAccount, controllerSecurityContext, meta, type CpValues } from './metadata';
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

export class Identity extends Component {
  constructor(scope: Construct, id: string, v: CpValues, proxy: ProxySettings) {
    super(scope, id, 'identity.yaml');
    const ns = v.release.namespace;

    v.when(v.eq(v.ref('identity.issuer.scheme'), 'linkerd.io/tls'), () => {
      new K8sObject(this, 'issuer', {
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
      new K8sObject(this, 'trust-roots', {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: meta(v, 'linkerd-identity-trust-roots', COMPONENT),
        data: { 'ca-bundle.crt': v.trim(v.ref('identityTrustAnchorsPEM')) },
      });
    });
    const grpc = [{ name: 'grpc', port: 8080, targetPort: 8080 }];
    const selector = { 'linkerd.io/control-plane-component': COMPONENT };
    new K8sObject(this, 'service', {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: meta(v, NAME, COMPONENT),
      spec: { type: 'ClusterIP', selector, ports: grpc },
    });
    new K8sObject(this, 'headless', {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: meta(v, 'linkerd-identity-headless', COMPONENT),
      spec: { clusterIP: 'None', selector, ports: grpc },
    });
    v.when('enablePodDisruptionBudget', () => {
      new K8sObject(this, 'pdb', {
        kind: 'PodDisruptionBudget',
        apiVersion: 'policy/v1',
        metadata: meta(v, NAME, COMPONENT),
        spec: { maxUnavailable: v.ref('controller.podDisruptionBudget.maxUnavailable'), selector: { matchLabels: selector } },
      });
    });

    const sidecar = controlPlanePodParts(v, proxy, IDENTITY_POD);
    const proxyLabels = { 'linkerd.io/proxy-deployment': NAME };
    const probe = (path: string, timeout: number) => controllerProbe(v, path, 9990, timeout);
    controllerDeployment(this, v, {
      name: NAME,
      component: COMPONENT,
      section: 'identity',
      selector: { 'linkerd.io/control-plane-component': COMPONENT, 'linkerd.io/control-plane-ns': ns, ...proxyLabels },
      podAnnotations: { 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated' },
      containers: [
        {
          args: [
            'identity',
            v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
            v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
            v.fmt`-controller-namespace=${ns}`,
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
          livenessProbe: { ...probe('/ping', v.ref('identity.livenessProbe.timeoutSeconds')), initialDelaySeconds: 10 },
          name: COMPONENT,
          ports: [
            { containerPort: 8080, name: 'ident-grpc' },
            { containerPort: 9990, name: 'ident-admin' },
          ],
          readinessProbe: { failureThreshold: 7, ...probe('/ready', v.ref('identity.readinessProbe.timeoutSeconds')) },
          resources: sharedResources(v, v.ref('identityResources')),
          securityContext: controllerSecurityContext(v),
          volumeMounts: [
            { mountPath: '/var/run/linkerd/identity/issuer', name: 'identity-issuer' },
            { mountPath: '/var/run/linkerd/identity/trust-roots/', name: 'trust-roots' },
            KUBE_API_ACCESS_MOUNT,
          ],
        },
        // Upstream puts the identity pod's proxy after the controller (never a native sidecar).
        ...sidecar.containers,
      ],
      initContainers: sidecar.initContainers,
      volumes: [
        { name: 'identity-issuer', secret: { secretName: 'linkerd-identity-issuer' } },
        { configMap: { name: 'linkerd-identity-trust-roots' }, name: 'trust-roots' },
        KUBE_API_ACCESS_VOLUME,
        ...sidecar.volumes,
      ],
    });

    // RBAC (upstream identity-rbac.yaml)
    const rbacName = v.fmt`linkerd-${ns}-identity`;
    new K8sObject(this, 'cluster-role', {
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
      rules: [
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    });
    new K8sObject(this, 'cluster-role-binding', {
      kind: 'ClusterRoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: rbacName, labels: componentLabels(v, COMPONENT) },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: rbacName },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: ns }],
    });
    controllerServiceAccount(this, v, NAME, COMPONENT);
  }
}
