/** The metrics API: answers the dashboard's and the CLI's questions from Prometheus. */
import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { adminProbes, extensionDeployment, extensionDisruptionBudget, extensionMeta, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { resourcesOf } from '../k8s/resources';
import { logArgs, componentIds, pullPolicy, vizImage, type Vv } from './metadata';
import { authorizationPolicy, meshTlsAuthentication, server } from '../extension/policy';
import { binding, clusterRole } from '../extension/rbac';

const NAME = 'metrics-api';

const READ = ['list', 'get', 'watch'];
export const METRICS_API_RULES = [
  { apiGroups: ['extensions', 'apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'], verbs: READ },
  { apiGroups: ['extensions', 'batch'], resources: ['cronjobs', 'jobs'], verbs: READ },
  { apiGroups: [''], resources: ['pods', 'endpoints', 'services', 'replicationcontrollers', 'namespaces'], verbs: READ },
  { apiGroups: ['linkerd.io'], resources: ['serviceprofiles'], verbs: READ },
  { apiGroups: ['policy.linkerd.io'], resources: ['servers', 'serverauthorizations', 'authorizationpolicies', 'httproutes'], verbs: ['list', 'get'] },
];

/** The Prometheus the metrics API queries: the given URL, else the viz one. */
export function prometheusUrl(v: Vv): string {
  return v.orElse(v.ref('prometheusUrl'), v.fmt`http://prometheus.${v.release.namespace}.svc.${v.ref('clusterDomain')}:9090`);
}

export class MetricsApi extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'metrics-api.yaml');
    const ns = v.release.namespace;
    const roleName = v.fmt`linkerd-${ns}-metrics-api`;
    clusterRole(this, v, 'metrics-api', roleName, 'metrics-api', METRICS_API_RULES);
    binding(this, v, { id: 'metrics-api', kind: 'ClusterRoleBinding', name: roleName, component: 'metrics-api', role: { kind: 'ClusterRole', name: roleName }, serviceAccounts: [NAME] });
    extensionServiceAccount(this, v, NAME, 'metrics-api');

    new K8sObject(this, 'service', {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: extensionMeta(v, NAME, 'metrics-api', { annotations: { ...v.spreadMap(v.ref('metricsAPI.service.annotations')), 'linkerd.io/inject': 'enabled' } }),
      spec: { type: 'ClusterIP', selector: { 'linkerd.io/extension': 'viz', component: 'metrics-api' }, ports: [{ name: 'http', port: 8085, targetPort: 8085 }] },
    });

    const creds = v.ref('prometheusCredsSecret');
    const ids = componentIds(v, 'metricsAPI');
    const m = v.section('metricsAPI');
    extensionDeployment(this, v, {
      name: NAME,
      component: 'metrics-api',
      section: 'metricsAPI',
      namespaceLabel: false,
      versionLabel: true,
      replicas: m.replicas,
      scheduling: 'own',
      affinity: true,
      strategyWithAntiAffinity: false,
      checksum: createHash('sha256').update(JSON.stringify(METRICS_API_RULES)).digest('hex'),
      safeToEvict: true,
      containers: [
        {
          args: [
            v.fmt`-controller-namespace=${v.ref('linkerdNamespace')}`,
            ...logArgs(v, 'metricsAPI'),
            v.fmt`-cluster-domain=${v.ref('clusterDomain')}`,
            v.fmt`-prometheus-url=${prometheusUrl(v)}`,
            v.maybe(v.truthy(creds), '-prometheus-user-file=/var/prometheus/user'),
            v.maybe(v.truthy(creds), '-prometheus-password-file=/var/prometheus/password'),
            v.fmt`-enable-pprof=${v.orElse(v.ref('enablePprof'), false)}`,
          ],
          image: vizImage(v, 'metricsAPI'),
          imagePullPolicy: pullPolicy(v, 'metricsAPI'),
          ...adminProbes(9995),
          name: 'metrics-api',
          ports: [
            { containerPort: 8085, name: 'http' },
            { containerPort: 9995, name: 'admin' },
          ],
          resources: resourcesOf(v, m.resources),
          securityContext: restrictedContainer(ids.uid, ids.gid),
          volumeMounts: [KUBE_API_ACCESS_MOUNT, v.maybe(v.truthy(creds), { mountPath: '/var/prometheus', name: 'prom-creds', readOnly: true })],
        },
      ],
      volumes: [KUBE_API_ACCESS_VOLUME, v.maybe(v.truthy(creds), { name: 'prom-creds', secret: { secretName: creds } })],
    });
    extensionDisruptionBudget(this, v, NAME, 'metrics-api', m.replicas);

    const identity = { kind: 'ServiceAccount', name: 'web' };
    server(this, v, { name: NAME, component: 'metrics-api', podSelector: { 'linkerd.io/extension': 'viz', component: 'metrics-api' }, port: 'http', proxyProtocol: 'HTTP/1' });
    authorizationPolicy(this, v, { name: NAME, component: 'metrics-api', server: NAME, authentications: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'metrics-api-web' }] });
    meshTlsAuthentication(this, v, { name: 'metrics-api-web', component: 'metrics-api', identityRefs: [identity] });
  }
}
