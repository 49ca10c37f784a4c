/**
 * The linkerd-jaeger components: the OpenTelemetry collector and Jaeger, each with its
 * configuration, ServiceAccount, Service, Deployment and mesh policy.
 */
import type { Construct } from 'constructs';
import type { Container } from 'kubernetes-types/core/v1';
import { Component, K8sObject } from '../helm/object';
import { componentConfigMap, httpProbe, meshedService } from '../extension/parts';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { resourcesOf } from '../k8s/resources';
import { extensionDeployment, extensionMeta, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { authorizationPolicy, meshTlsAuthentication, server } from '../extension/policy';
import { binding, clusterRole } from '../extension/rbac';
import type { HelmValues } from '../helm/values';
import { PORTS, collectorConfig, jaegerConfig } from './config';
import type { JaegerValues } from './values';

type Jv = HelmValues<JaegerValues>;
const READ = ['get', 'list', 'watch'];

/**
 * What the collector's k8sattributes processor reads to name a span's pod and its owners: pods
 * only. With the metadata our configuration extracts, k8sattributesprocessor v1.x (collector
 * 0.162.0) derives the Deployment and CronJob names from the ReplicaSet and Job names and starts
 * no namespace, ReplicaSet or Job informer (those serve labels, annotations and UIDs of owners,
 * which the configuration does not ask for).
 */
export const COLLECTOR_RULES = [{ apiGroups: [''], resources: ['pods'], verbs: READ }];

function image(v: Jv, section: 'collector' | 'jaeger') {
  const img = v.section(`${section}.image`);
  return { image: v.fmt`${img.name}:${img.version}`, imagePullPolicy: v.maybe(v.truthy(img.pullPolicy), img.pullPolicy) };
}

function ids(v: Jv, section: 'collector' | 'jaeger') {
  return restrictedContainer(v.orElse(v.ref(`${section}.UID`), v.ref('defaultUID')) as number, v.orElse(v.ref(`${section}.GID`), v.ref('defaultGID')) as number);
}

const probe = (path: string) => httpProbe(path, PORTS.health);
const otlpPorts = [
  { name: 'otlp', containerPort: PORTS.otlpGrpc },
  { name: 'otlp-http', containerPort: PORTS.otlpHttp },
];

/** What the collector may read (pods, for k8sattributes), bound to its ServiceAccount. */
function collectorRbac(scope: Construct, v: Jv): void {
  const role = v.fmt`linkerd-${v.release.namespace}-collector`;
  extensionServiceAccount(scope, v, 'collector', 'collector');
  clusterRole(scope, v, 'collector', role, 'collector', COLLECTOR_RULES);
  binding(scope, v, { id: 'collector', kind: 'ClusterRoleBinding', name: role, component: 'collector', role: { kind: 'ClusterRole', name: role }, serviceAccounts: ['collector'] });
}

/** The collector's container: OTLP in, spans to Jaeger; its configuration mounted from the ConfigMap. */
function collectorContainer(v: Jv): Container {
  const c = v.section('collector');
  return {
    name: 'collector',
    ...image(v, 'collector'),
    command: [c.command, '--config=/conf/collector.yaml'],
    env: [
      { name: 'GOGC', value: '80' },
      { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      ...v.splice(c.env),
    ],
    ports: [...otlpPorts, { name: 'admin', containerPort: PORTS.health }, { name: 'metrics', containerPort: PORTS.metrics }],
    livenessProbe: probe('/'),
    readinessProbe: probe('/'),
    resources: resourcesOf(v, c.resources),
    securityContext: ids(v, 'collector'),
    volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }, KUBE_API_ACCESS_MOUNT],
  } as Container;
}

/** Only meshed workloads (and the proxies themselves) may send spans. */
function collectorPolicy(scope: Construct, v: Jv): void {
  const collector = { 'linkerd.io/extension': 'jaeger', component: 'collector' };
  meshTlsAuthentication(scope, v, { name: 'any-meshed-workload', component: 'collector', identities: ['*'] });
  for (const [name, port, proxyProtocol] of [['collector-otlp', PORTS.otlpGrpc, 'gRPC'], ['collector-otlp-http', PORTS.otlpHttp, 'HTTP/1']] as const) {
    server(scope, v, { name, component: 'collector', podSelector: collector, port, proxyProtocol });
    authorizationPolicy(scope, v, { name, component: 'collector', server: name, authentications: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'any-meshed-workload' }] });
  }
}

export class Collector extends Component {
  constructor(scope: Construct, id: string, v: Jv) {
    super(scope, id, 'collector.yaml');
    const ns = v.release.namespace;
    v.when('collector.enabled', () => {
      const c = v.section('collector');
      collectorRbac(this, v);
      componentConfigMap(this, v, 'config', { name: 'collector-config', component: 'collector', namespaceLabel: false, data: { 'collector.yaml': v.yamlText({ ...collectorConfig(v) }) } });
      meshedService(this, v, {
        name: 'collector',
        component: 'collector',
        annotations: {},
        ports: [
          { name: 'otlp', port: PORTS.otlpGrpc, targetPort: 'otlp', appProtocol: 'grpc' },
          { name: 'otlp-http', port: PORTS.otlpHttp, targetPort: 'otlp-http', appProtocol: 'http' },
        ],
      });
      extensionDeployment(this, v, {
        name: 'collector',
        component: 'collector',
        section: 'collector',
        namespaceLabel: false,
        versionLabel: false,
        replicas: c.replicas,
        scheduling: 'own',
        affinity: true,
        strategyWithAntiAffinity: true,
        // Over every input of the configuration.
        checksum: v.sha256sum(v.fmt`${c.memoryLimitPercentage}|${c.batch.timeout}|${c.batch.sendBatchSize}|${ns}|${v.ref('clusterDomain')}`),
        safeToEvict: true,
        containers: [collectorContainer(v)],
        volumes: [{ name: 'config', configMap: { name: 'collector-config' } }, KUBE_API_ACCESS_VOLUME],
      });
      collectorPolicy(this, v);
    });
  }
}

/** Jaeger's badger volume, when its storage is badger. */
function jaegerBadgerPvc(scope: Construct, v: Jv): void {
  const j = v.section('jaeger');
  v.when(v.eq(j.storage.type, 'badger'), () => {
    const storageClass = j.storage.badger.storageClass;
    new K8sObject(scope, 'pvc', {
      kind: 'PersistentVolumeClaim',
      apiVersion: 'v1',
      metadata: extensionMeta(v, 'jaeger-badger', 'jaeger', { annotations: false }),
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: j.storage.badger.size } },
        storageClassName: v.maybe(v.truthy(storageClass), storageClass),
      },
    });
  });
}

/** Jaeger's container: OTLP from the collector, the UI for the web dashboard. */
function jaegerContainer(v: Jv): Container {
  const j = v.section('jaeger');
  const badger = v.eq(j.storage.type, 'badger');
  return {
    name: 'jaeger',
    ...image(v, 'jaeger'),
    args: ['--config=/conf/jaeger.yaml'],
    ports: [...otlpPorts, { name: 'ui', containerPort: PORTS.ui }, { name: 'admin', containerPort: PORTS.health }, { name: 'metrics', containerPort: PORTS.metrics }],
    livenessProbe: probe('/status'),
    readinessProbe: probe('/status'),
    resources: resourcesOf(v, j.resources),
    securityContext: ids(v, 'jaeger'),
    volumeMounts: [{ name: 'config', mountPath: '/conf', readOnly: true }, v.maybe(badger, { name: 'badger', mountPath: '/badger' })],
  } as Container;
}

/** Only the collector may send Jaeger spans, only the web dashboard may open its UI. */
function jaegerPolicy(scope: Construct, v: Jv): void {
  const jaeger = { 'linkerd.io/extension': 'jaeger', component: 'jaeger' };
  server(scope, v, { name: 'jaeger-otlp', component: 'jaeger', podSelector: jaeger, port: 'otlp', proxyProtocol: 'gRPC' });
  authorizationPolicy(scope, v, { name: 'jaeger-otlp', component: 'jaeger', server: 'jaeger-otlp', authentications: [{ kind: 'ServiceAccount', name: 'collector', namespace: v.release.namespace }] });
  server(scope, v, { name: 'jaeger-ui', component: 'jaeger', podSelector: jaeger, port: 'ui', proxyProtocol: 'HTTP/1' });
  authorizationPolicy(scope, v, { name: 'jaeger-ui', component: 'jaeger', server: 'jaeger-ui', authentications: [{ kind: 'ServiceAccount', name: 'web', namespace: v.ref('vizNamespace') }] });
}

export class Jaeger extends Component {
  constructor(scope: Construct, id: string, v: Jv) {
    super(scope, id, 'jaeger.yaml');
    v.when('jaeger.enabled', () => {
      const j = v.section('jaeger');
      const badger = v.eq(j.storage.type, 'badger');
      extensionServiceAccount(this, v, 'jaeger', 'jaeger');
      componentConfigMap(this, v, 'config', { name: 'jaeger-config', component: 'jaeger', namespaceLabel: false, data: { 'jaeger.yaml': v.yamlText({ ...jaegerConfig(v) }) } });
      meshedService(this, v, {
        name: 'jaeger',
        component: 'jaeger',
        annotations: {},
        ports: [
          { name: 'otlp', port: PORTS.otlpGrpc, targetPort: 'otlp', appProtocol: 'grpc' },
          { name: 'ui', port: PORTS.ui, targetPort: 'ui', appProtocol: 'http' },
        ],
      });
      jaegerBadgerPvc(this, v);
      extensionDeployment(this, v, {
        name: 'jaeger',
        component: 'jaeger',
        section: 'jaeger',
        namespaceLabel: false,
        versionLabel: false,
        // One replica: the memory store is per pod, a badger volume is ReadWriteOnce.
        replicas: 1,
        spec: { strategy: { type: 'Recreate' } },
        scheduling: 'own',
        affinity: false,
        strategyWithAntiAffinity: false,
        checksum: v.sha256sum(v.fmt`${j.storage.type}|${j.storage.maxTraces}|${j.storage.badger.ttl}`),
        safeToEvict: true,
        podSecurityContext: { fsGroup: v.orElse(v.ref('jaeger.GID'), v.ref('defaultGID')), seccompProfile: { type: 'RuntimeDefault' } },
        containers: [jaegerContainer(v)],
        volumes: [{ name: 'config', configMap: { name: 'jaeger-config' } }, v.maybe(badger, { name: 'badger', persistentVolumeClaim: { claimName: 'jaeger-badger' } })],
      });
      jaegerPolicy(this, v);
    });
  }
}
