/** The viz Prometheus: configuration, RBAC, Service, Deployment, optional volume, and who may query it. */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { extensionDeployment, extensionLabels, extensionMeta, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { resourcesOf } from '../k8s/resources';
import { pullPolicy, type Vv } from './metadata';
import { authorizationPolicy, server } from '../extension/policy';
import { prometheusConfig } from './prometheus-config';
import { binding, clusterRole } from '../extension/rbac';
import { RULES_CONFIG_MAP, RULES_FILE, alertRuleGroups } from './alerts';

const NAME = 'prometheus';

export class Prometheus extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'prometheus.yaml');
    const ns = v.release.namespace;
    v.when('prometheus.enabled', () => {
      const role = v.fmt`linkerd-${ns}-prometheus`;
      clusterRole(this, v, NAME, role, NAME, [{ apiGroups: [''], resources: ['nodes', 'nodes/proxy', 'pods'], verbs: ['get', 'list', 'watch'] }]);
      binding(this, v, { id: NAME, kind: 'ClusterRoleBinding', name: role, component: NAME, role: { kind: 'ClusterRole', name: role }, serviceAccounts: [NAME] });
      extensionServiceAccount(this, v, NAME, NAME, { namespace: true });

      new K8sObject(this, 'config', {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: extensionMeta(v, 'prometheus-config', NAME, { namespace: true }),
        data: { 'prometheus.yml': v.yamlText({ ...prometheusConfig(v) }) },
      });
      v.when('alerts.enabled', () => {
        new K8sObject(this, 'rules', {
          kind: 'ConfigMap',
          apiVersion: 'v1',
          metadata: extensionMeta(v, RULES_CONFIG_MAP, NAME, { namespace: true }),
          data: { [RULES_FILE]: v.yamlText({ groups: alertRuleGroups(v) }) },
        });
      });
      new K8sObject(this, 'service', {
        kind: 'Service',
        apiVersion: 'v1',
        metadata: extensionMeta(v, NAME, NAME, { namespace: true, annotations: { 'linkerd.io/inject': 'enabled' } }),
        spec: { type: 'ClusterIP', selector: { 'linkerd.io/extension': 'viz', component: NAME }, ports: [{ name: 'admin', port: 9090, targetPort: 9090 }] },
      });

      const p = v.section('prometheus');
      const persistence = v.ref('prometheus.persistence');
      const args = v.ref('prometheus.args');
      const logFormat = v.orElse(p.logFormat, v.ref('defaultLogFormat'));
      // A list, ranged over like a map (index → mount).
      const rules = (p.ruleConfigMapMounts ?? undefined) as Record<number, { name: string; subPath: string; configMap: string }>;
      extensionDeployment(this, v, {
        name: NAME,
        component: NAME,
        section: 'prometheus',
        namespaceLabel: true,
        versionLabel: true,
        replicas: 1,
        spec: { strategy: v.maybe(v.truthy(persistence), { type: 'Recreate' }) },
        scheduling: 'own',
        affinity: false,
        strategyWithAntiAffinity: false,
        podAnnotations: v.spreadMap(p.podAnnotations) as Record<string, string>,
        safeToEvict: false,
        podSecurityContext: { fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          ...v.splice(p.sidecarContainers ?? undefined),
          {
            args: [
              v.maybe(v.not(v.isSet(v.get(args, 'log.level'))), v.fmt`--log.level=${v.orElse(p.logLevel, v.ref('defaultLogLevel'))}`),
              v.maybe(v.not(v.isSet(v.get(args, 'log.format'))), v.fmt`--log.format=${v.ternary(v.eq(logFormat, 'plain'), 'logfmt', logFormat)}`),
              ...v.entries(v.ref('prometheus.args'), (key, value) => v.fmt`--${key}${v.ternary(v.truthy(value), v.fmt`=${value}`, '')}`),
            ],
            image: v.fmt`${p.image.registry}/${p.image.name}:${p.image.tag}`,
            imagePullPolicy: pullPolicy(v, 'prometheus'),
            livenessProbe: { httpGet: { path: '/-/healthy', port: 9090 }, initialDelaySeconds: 30, timeoutSeconds: 30 },
            name: NAME,
            ports: [{ containerPort: 9090, name: 'admin' }],
            readinessProbe: { httpGet: { path: '/-/ready', port: 9090 }, initialDelaySeconds: 30, timeoutSeconds: 30 },
            resources: resourcesOf(v, p.resources),
            securityContext: restrictedContainer(65534, 65534),
            volumeMounts: [
              ...v.entries(rules, (_i, m) => ({ name: v.get(m, 'name'), mountPath: v.fmt`/etc/prometheus/${v.get(m, 'subPath', 'string')}`, subPath: v.get(m, 'subPath'), readOnly: true })),
              { mountPath: '/data', name: 'data' },
              { mountPath: '/etc/prometheus/prometheus.yml', name: 'prometheus-config', subPath: 'prometheus.yml', readOnly: true },
              KUBE_API_ACCESS_MOUNT,
              // The alerting rules (./alerts.ts), last so that upstream's mounts keep their places.
              v.maybe(v.truthy(v.ref('alerts.enabled')), { mountPath: `/etc/prometheus/${RULES_FILE}`, name: 'prometheus-rules', subPath: RULES_FILE, readOnly: true }),
            ],
          },
        ],
        volumes: [
          ...v.entries(rules, (_i, m) => ({ name: v.get(m, 'name'), configMap: { name: v.get(m, 'configMap') } })),
          { name: 'data', ...v.fields(v.truthy(persistence), { persistentVolumeClaim: { claimName: NAME } }, { emptyDir: {} }) },
          { configMap: { name: 'prometheus-config' }, name: 'prometheus-config' },
          KUBE_API_ACCESS_VOLUME,
          v.maybe(v.truthy(v.ref('alerts.enabled')), { configMap: { name: RULES_CONFIG_MAP }, name: 'prometheus-rules' }),
        ],
      });

      v.when(v.truthy(persistence), () => {
        const storageClass = v.get(persistence, 'storageClass');
        new K8sObject(this, 'pvc', {
          kind: 'PersistentVolumeClaim',
          apiVersion: 'v1',
          metadata: {
            labels: extensionLabels(v, NAME, { extra: { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion') } }),
            name: NAME,
            namespace: ns,
          },
          spec: {
            accessModes: [v.get(persistence, 'accessMode')],
            resources: { requests: { storage: v.get(persistence, 'size') } },
            storageClassName: v.maybe(v.truthy(storageClass), storageClass),
          },
        });
      });
    });

    // Rendered even with an external Prometheus, as upstream does.
    server(this, v, { name: 'prometheus-admin', podSelector: { 'linkerd.io/extension': 'viz', component: NAME, namespace: ns }, port: 'admin', proxyProtocol: 'HTTP/1' });
    authorizationPolicy(this, v, { name: 'prometheus-admin', server: 'prometheus-admin', authentications: [{ kind: 'ServiceAccount', name: 'metrics-api', namespace: ns }] });
    // Ours: the bundled Grafana queries Prometheus too (each policy admits one identity).
    v.when(v.and('prometheus.enabled', 'grafana.enabled'), () => {
      authorizationPolicy(this, v, { name: 'prometheus-admin-grafana', server: 'prometheus-admin', authentications: [{ kind: 'ServiceAccount', name: 'grafana', namespace: ns }] });
    });
  }
}
