/** The web dashboard, its RBAC, and where it finds Grafana and Jaeger. */
import type { Construct } from 'constructs';
import type { Container } from 'kubernetes-types/core/v1';
import { Component, K8sObject } from '../helm/object';
import { adminProbes, createdBy, extensionDeployment, extensionDisruptionBudget, extensionLabels, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { resourcesOf } from '../k8s/resources';
import { componentIds, logArgs, pullPolicy, vizImage, type Vv } from './metadata';
import { binding, clusterRole } from '../extension/rbac';

export const WEB_CHECK_RULES = [
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings'], verbs: ['list'] },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['list'] },
  { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations'], verbs: ['list'] },
  { apiGroups: ['linkerd.io'], resources: ['serviceprofiles'], verbs: ['list'] },
  { apiGroups: [''], resources: ['nodes', 'pods', 'services'], verbs: ['list'] },
  { apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'], verbs: ['get'] },
];

/** The address of the Grafana the dashboard proxies under /grafana: the given one, else the bundled one. */
export function grafanaAddress(v: Vv): string {
  const bundled = v.ternary('grafana.enabled', v.fmt`grafana.${v.release.namespace}.svc.${v.ref('clusterDomain')}:3000`, '');
  return v.orElse(v.ref('grafana.url') as string, bundled);
}

/** What the web dashboard may read in the control plane's namespace and, unless restricted, cluster-wide (and tap). */
function webRbac(scope: Construct, v: Vv): void {
  const ns = v.release.namespace;
  const linkerdNs = v.ref('linkerdNamespace');
  const unrestricted = v.not('dashboard.restrictPrivileges');
  const webLabels = extensionLabels(v, 'web', { namespace: linkerdNs });
  new K8sObject(scope, 'role', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'web', namespace: linkerdNs, labels: webLabels },
    rules: [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] },
      v.maybe(unrestricted, { apiGroups: [''], resources: ['namespaces', 'configmaps'], verbs: ['get'] }),
      v.maybe(unrestricted, { apiGroups: [''], resources: ['serviceaccounts', 'pods'], verbs: ['list'] }),
      v.maybe(unrestricted, { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['list'] }),
    ],
  });
  binding(scope, v, { id: 'web', kind: 'RoleBinding', name: 'web', namespace: linkerdNs, labels: webLabels, role: { kind: 'Role', name: 'web' }, serviceAccounts: ['web'] });
  v.when(unrestricted, () => {
    const check = v.fmt`linkerd-${ns}-web-check`;
    const api = v.fmt`linkerd-${ns}-web-api`;
    clusterRole(scope, v, 'web-check', check, 'web', WEB_CHECK_RULES);
    binding(scope, v, { id: 'web-check', kind: 'ClusterRoleBinding', name: check, component: 'web', role: { kind: 'ClusterRole', name: check }, serviceAccounts: ['web'] });
    binding(scope, v, { id: 'web-admin', kind: 'ClusterRoleBinding', name: v.fmt`linkerd-${ns}-web-admin`, component: 'web', role: { kind: 'ClusterRole', name: v.fmt`linkerd-${ns}-tap-admin` }, serviceAccounts: ['web'] });
    clusterRole(scope, v, 'web-api', api, 'web', [{ apiGroups: [''], resources: ['namespaces'], verbs: ['list'] }]);
    binding(scope, v, { id: 'web-api', kind: 'ClusterRoleBinding', name: api, component: 'web', role: { kind: 'ClusterRole', name: api }, serviceAccounts: ['web'] });
  });
  extensionServiceAccount(scope, v, 'web', 'web', { namespace: true });
}

/** The dashboard's Service, with the user's labels and annotations. */
function webService(scope: Construct, v: Vv): void {
  const ns = v.release.namespace;
  new K8sObject(scope, 'service', {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: {
      name: 'web',
      namespace: ns,
      labels: { ...extensionLabels(v, 'web', { namespace: ns }), ...v.spreadMap(v.ref('dashboard.service.labels')) } as Record<string, string>,
      annotations: { ...createdBy(v), ...v.spreadMap(v.ref('dashboard.service.annotations')), 'linkerd.io/inject': 'enabled' } as Record<string, string>,
    },
    spec: {
      type: 'ClusterIP',
      selector: { 'linkerd.io/extension': 'viz', component: 'web' },
      ports: [
        { name: 'http', port: 8084, targetPort: 8084 },
        { name: 'admin', port: 9994, targetPort: 9994 },
      ],
    },
  });
}

/** The dashboard's flags: the metrics API, Grafana and Jaeger it links to, and the hosts it answers. */
function webArgs(v: Vv): (string | undefined)[] {
  const ns = v.release.namespace;
  const clusterDomain = v.ref('clusterDomain');
  const grafana = grafanaAddress(v);
  const external = v.ref('grafana.externalUrl') as string;
  const prefix = v.ref('grafana.uidPrefix') as string;
  const jaeger = v.ref('jaegerUrl');
  const escaped = (s: string) => v.replace(s, '.', '\\.');
  const defaultHosts = v.fmt`^(localhost|127\\.0\\.0\\.1|${escaped(v.fmt`web.${ns}.svc.${clusterDomain}`)}|${escaped(v.fmt`web.${ns}.svc`)}|\\[::1\\])(:\\d+)?$`;
  return [
    v.fmt`-linkerd-metrics-api-addr=metrics-api.${ns}.svc.${clusterDomain}:8085`,
    v.fmt`-cluster-domain=${clusterDomain}`,
    v.maybe(v.truthy(grafana), v.fmt`-grafana-addr=${grafana}`),
    v.maybe(v.truthy(external), v.fmt`-grafana-external-addr=${external}`),
    v.maybe(v.truthy(prefix), v.fmt`-grafana-prefix=${prefix}`),
    v.maybe(v.truthy(jaeger), v.fmt`-jaeger-addr=${jaeger}`),
    v.fmt`-controller-namespace=${v.ref('linkerdNamespace')}`,
    ...logArgs(v, 'dashboard'),
    v.fmt`-enforced-host=${v.orElse(v.ref('dashboard.enforcedHostRegexp'), defaultHosts)}`,
    v.fmt`-enable-pprof=${v.orElse(v.ref('enablePprof'), false)}`,
  ];
}

/** The dashboard's container. */
function webContainer(v: Vv): Container {
  const ids = componentIds(v, 'dashboard');
  return {
    args: webArgs(v),
    image: vizImage(v, 'dashboard'),
    imagePullPolicy: pullPolicy(v, 'dashboard'),
    ...adminProbes(9994),
    name: 'web',
    ports: [
      { containerPort: 8084, name: 'http' },
      { containerPort: 9994, name: 'admin' },
    ],
    resources: resourcesOf(v, v.ref('dashboard.resources')),
    securityContext: restrictedContainer(ids.uid, ids.gid),
    volumeMounts: [KUBE_API_ACCESS_MOUNT],
  } as Container;
}

export class Web extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'web.yaml');
    webRbac(this, v);
    webService(this, v);
    const replicas = v.ref('dashboard.replicas');
    extensionDeployment(this, v, {
      name: 'web',
      component: 'web',
      section: 'dashboard',
      namespaceLabel: true,
      versionLabel: true,
      replicas,
      scheduling: 'global',
      affinity: true,
      strategyWithAntiAffinity: false,
      safeToEvict: true,
      containers: [webContainer(v)],
      volumes: [KUBE_API_ACCESS_VOLUME],
    });
    extensionDisruptionBudget(this, v, 'web', 'web', replicas);
  }
}
