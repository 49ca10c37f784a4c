/** The metrics API: answers the dashboard's and the CLI's questions from Prometheus. */
import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import type { Container } from 'kubernetes-types/core/v1';
import { Component } from '../helm/object';
import { meshedService } from '../extension/parts';
import { adminProbes, extensionDeployment, extensionDisruptionBudget, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
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

/** The metrics API's container: queries Prometheus (with credentials from a Secret when given). */
function metricsApiContainer(v: Vv): Container {
  const creds = v.ref('prometheusCredsSecret');
  const ids = componentIds(v, 'metricsAPI');
  return {
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
    resources: resourcesOf(v, v.section('metricsAPI').resources),
    securityContext: restrictedContainer(ids.uid, ids.gid),
    volumeMounts: [KUBE_API_ACCESS_MOUNT, v.maybe(v.truthy(creds), { mountPath: '/var/prometheus', name: 'prom-creds', readOnly: true })],
  } as Container;
}

/** Only the web dashboard (its mesh identity) may reach the metrics API. */
function metricsApiPolicy(scope: Construct, v: Vv): void {
  server(scope, v, { name: NAME, component: 'metrics-api', podSelector: { 'linkerd.io/extension': 'viz', component: 'metrics-api' }, port: 'http', proxyProtocol: 'HTTP/1' });
  authorizationPolicy(scope, v, { name: NAME, component: 'metrics-api', server: NAME, authentications: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'metrics-api-web' }] });
  meshTlsAuthentication(scope, v, { name: 'metrics-api-web', component: 'metrics-api', identityRefs: [{ kind: 'ServiceAccount', name: 'web' }] });
}

export class MetricsApi extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'metrics-api.yaml');
    const roleName = v.fmt`linkerd-${v.release.namespace}-metrics-api`;
    clusterRole(this, v, 'metrics-api', roleName, 'metrics-api', METRICS_API_RULES);
    binding(this, v, { id: 'metrics-api', kind: 'ClusterRoleBinding', name: roleName, component: 'metrics-api', role: { kind: 'ClusterRole', name: roleName }, serviceAccounts: [NAME] });
    extensionServiceAccount(this, v, NAME, 'metrics-api');
    meshedService(this, v, {
      name: NAME,
      component: 'metrics-api',
      annotations: { ...v.spreadMap(v.ref('metricsAPI.service.annotations')), 'linkerd.io/inject': 'enabled' },
      ports: [{ name: 'http', port: 8085, targetPort: 8085 }],
    });
    const creds = v.ref('prometheusCredsSecret');
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
      containers: [metricsApiContainer(v)],
      volumes: [KUBE_API_ACCESS_VOLUME, v.maybe(v.truthy(creds), { name: 'prom-creds', secret: { secretName: creds } })],
    });
    extensionDisruptionBudget(this, v, NAME, 'metrics-api', m.replicas);
    metricsApiPolicy(this, v);
  }
}
