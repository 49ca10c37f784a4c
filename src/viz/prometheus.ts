/** The viz Prometheus: configuration, RBAC, Service, Deployment, optional volume, and who may query it. */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import type { Container, Volume } from 'kubernetes-types/core/v1';
import { extensionDeployment, extensionLabels, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { componentConfigMap, httpProbe, meshedService } from '../extension/parts';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { resourcesOf } from '../k8s/resources';
import { pullPolicy, type Vv } from './metadata';
import { authorizationPolicy, server } from '../extension/policy';
import { prometheusConfig } from './prometheus-config';
import { binding, clusterRole } from '../extension/rbac';
import { RULES_CONFIG_MAP, RULES_FILE, alertRuleGroups } from './alerts';

const NAME = 'prometheus';

/** What Prometheus may read to discover its targets (nodes and pods), bound to its ServiceAccount. */
function prometheusRbac(scope: Construct, v: Vv): void {
  const role = v.fmt`linkerd-${v.release.namespace}-prometheus`;
  clusterRole(scope, v, NAME, role, NAME, [{ apiGroups: [''], resources: ['nodes', 'nodes/proxy', 'pods'], verbs: ['get', 'list', 'watch'] }]);
  binding(scope, v, { id: NAME, kind: 'ClusterRoleBinding', name: role, component: NAME, role: { kind: 'ClusterRole', name: role }, serviceAccounts: [NAME] });
  extensionServiceAccount(scope, v, NAME, NAME, { namespace: true });
}

/** prometheus.yml, and the alerting rules when alerts are on. */
function prometheusConfigMaps(scope: Construct, v: Vv): void {
  componentConfigMap(scope, v, 'config', { name: 'prometheus-config', component: NAME, data: { 'prometheus.yml': v.yamlText({ ...prometheusConfig(v) }) } });
  v.when('alerts.enabled', () => {
    componentConfigMap(scope, v, 'rules', { name: RULES_CONFIG_MAP, component: NAME, data: { [RULES_FILE]: v.yamlText({ groups: alertRuleGroups(v) }) } });
  });
}

/** The user's rule ConfigMaps to mount: a list, ranged over like a map (index → mount). */
const ruleMounts = (v: Vv) => (v.section('prometheus').ruleConfigMapMounts ?? undefined) as Record<number, { name: string; subPath: string; configMap: string }>;

/** Prometheus's flags: its log level and format unless `prometheus.args` sets them, then every `args` entry. */
function prometheusArgs(v: Vv): (string | undefined)[] {
  const p = v.section('prometheus');
  const args = v.ref('prometheus.args');
  const logFormat = v.orElse(p.logFormat, v.ref('defaultLogFormat'));
  return [
    v.maybe(v.not(v.isSet(v.get(args, 'log.level'))), v.fmt`--log.level=${v.orElse(p.logLevel, v.ref('defaultLogLevel'))}`),
    v.maybe(v.not(v.isSet(v.get(args, 'log.format'))), v.fmt`--log.format=${v.ternary(v.eq(logFormat, 'plain'), 'logfmt', logFormat)}`),
    ...v.entries(v.ref('prometheus.args'), (key, value) => v.fmt`--${key}${v.ternary(v.truthy(value), v.fmt`=${value}`, '')}`),
  ];
}

/** The Prometheus container: its config, the user's and our rules, its data folder. */
function prometheusContainer(v: Vv): Container {
  const p = v.section('prometheus');
  const timing = { initialDelaySeconds: 30, timeoutSeconds: 30 };
  return {
    args: prometheusArgs(v),
    image: v.fmt`${p.image.registry}/${p.image.name}:${p.image.tag}`,
    imagePullPolicy: pullPolicy(v, 'prometheus'),
    livenessProbe: httpProbe('/-/healthy', 9090, timing),
    name: NAME,
    ports: [{ containerPort: 9090, name: 'admin' }],
    readinessProbe: httpProbe('/-/ready', 9090, timing),
    resources: resourcesOf(v, p.resources),
    securityContext: restrictedContainer(65534, 65534),
    volumeMounts: [
      ...v.entries(ruleMounts(v), (_i, m) => ({ name: v.get(m, 'name'), mountPath: v.fmt`/etc/prometheus/${v.get(m, 'subPath', 'string')}`, subPath: v.get(m, 'subPath'), readOnly: true })),
      { mountPath: '/data', name: 'data' },
      { mountPath: '/etc/prometheus/prometheus.yml', name: 'prometheus-config', subPath: 'prometheus.yml', readOnly: true },
      KUBE_API_ACCESS_MOUNT,
      // The alerting rules (./alerts.ts), last so that upstream's mounts keep their places.
      v.maybe(v.truthy(v.ref('alerts.enabled')), { mountPath: `/etc/prometheus/${RULES_FILE}`, name: 'prometheus-rules', subPath: RULES_FILE, readOnly: true }),
    ],
  } as Container;
}

/** The volumes the container mounts: data on the claim when persistence is on, else empty. */
function prometheusVolumes(v: Vv): (Volume | undefined)[] {
  return [
    ...v.entries(ruleMounts(v), (_i, m) => ({ name: v.get(m, 'name'), configMap: { name: v.get(m, 'configMap') } })),
    { name: 'data', ...v.fields(v.truthy(v.ref('prometheus.persistence')), { persistentVolumeClaim: { claimName: NAME } }, { emptyDir: {} }) },
    { configMap: { name: 'prometheus-config' }, name: 'prometheus-config' },
    KUBE_API_ACCESS_VOLUME,
    v.maybe(v.truthy(v.ref('alerts.enabled')), { configMap: { name: RULES_CONFIG_MAP }, name: 'prometheus-rules' }),
  ];
}

/** The claim for Prometheus's data, when `prometheus.persistence` is set. */
function prometheusPvc(scope: Construct, v: Vv): void {
  const persistence = v.ref('prometheus.persistence');
  v.when(v.truthy(persistence), () => {
    const storageClass = v.get(persistence, 'storageClass');
    new K8sObject(scope, 'pvc', {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: {
        labels: extensionLabels(v, NAME, { extra: { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion') } }),
        name: NAME,
        namespace: v.release.namespace,
      },
      spec: {
        accessModes: [v.get(persistence, 'accessMode')],
        resources: { requests: { storage: v.get(persistence, 'size') } },
        storageClassName: v.maybe(v.truthy(storageClass), storageClass),
      },
    });
  });
}

/** Who may query Prometheus: the metrics API, and the bundled Grafana (each policy admits one identity). */
function prometheusAdminPolicy(scope: Construct, v: Vv): void {
  const ns = v.release.namespace;
  // Rendered even with an external Prometheus, as upstream does.
  server(scope, v, { name: 'prometheus-admin', podSelector: { 'linkerd.io/extension': 'viz', component: NAME, namespace: ns }, port: 'admin', proxyProtocol: 'HTTP/1' });
  authorizationPolicy(scope, v, { name: 'prometheus-admin', server: 'prometheus-admin', authentications: [{ kind: 'ServiceAccount', name: 'metrics-api', namespace: ns }] });
  // Ours: the bundled Grafana queries Prometheus too.
  v.when(v.and('prometheus.enabled', 'grafana.enabled'), () => {
    authorizationPolicy(scope, v, { name: 'prometheus-admin-grafana', server: 'prometheus-admin', authentications: [{ kind: 'ServiceAccount', name: 'grafana', namespace: ns }] });
  });
}

export class Prometheus extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'prometheus.yaml');
    v.when('prometheus.enabled', () => {
      prometheusRbac(this, v);
      prometheusConfigMaps(this, v);
      meshedService(this, v, { name: NAME, component: NAME, namespaceLabel: true, ports: [{ name: 'admin', port: 9090, targetPort: 9090 }] });
      const p = v.section('prometheus');
      extensionDeployment(this, v, {
        name: NAME,
        component: NAME,
        section: 'prometheus',
        namespaceLabel: true,
        versionLabel: true,
        replicas: 1,
        spec: { strategy: v.maybe(v.truthy(v.ref('prometheus.persistence')), { type: 'Recreate' }) },
        scheduling: 'own',
        affinity: false,
        strategyWithAntiAffinity: false,
        podAnnotations: v.spreadMap(p.podAnnotations) as Record<string, string>,
        safeToEvict: false,
        podSecurityContext: { fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [...v.splice(p.sidecarContainers ?? undefined), prometheusContainer(v)],
        volumes: prometheusVolumes(v),
      });
      prometheusPvc(this, v);
    });
    prometheusAdminPolicy(this, v);
  }
}
