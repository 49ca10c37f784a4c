/**
 * The heartbeat CronJob: reports anonymous usage to Linkerd once a day (disableHeartBeat
 * turns it off). Facts follow upstream edge-26.8.3 (heartbeat.yaml, heartbeat-rbac.yaml),
 * except the default schedule, which we derive from the release namespace instead of the
 * render time, so output is reproducible (docs/parity.md).
 */
import type { Container, PodTemplateSpec, Toleration, TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { sharedResources } from '../k8s/resources';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import { componentLabels, controllerImage, controllerSecurityContext, createdBy, meta, type CpValues } from './metadata';

const NAME = 'linkerd-heartbeat';
const COMPONENT = 'heartbeat';

/** A daily time of day, stable for a namespace: minute and hour from its Adler-32 hash. */
export function defaultHeartbeatSchedule(v: CpValues): string {
  const hash = v.atoi(v.adler32sum(v.release.namespace));
  return v.fmt`${v.mod(hash, 60)} ${v.mod(v.div(hash, 60), 24)} * * *`;
}

/** The heartbeat container: reads linkerd-config and Prometheus, and reports. */
function heartbeatContainer(v: CpValues): Container {
  return {
    name: COMPONENT,
    image: controllerImage(v),
    imagePullPolicy: v.ref('imagePullPolicy'),
    env: [
      { name: 'LINKERD_DISABLED', value: 'the heartbeat controller does not use the proxy' },
      ...v.splice(v.ref('heartbeat.additionalEnv')),
      ...v.splice(v.ref('heartbeat.experimentalEnv')),
    ],
    args: [
      'heartbeat',
      v.fmt`-controller-namespace=${v.release.namespace}`,
      v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
      v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
      v.fmt`-prometheus-url=${v.orElse(v.ref('prometheusUrl'), v.fmt`http://prometheus.linkerd-viz.svc.${v.ref('clusterDomain')}:9090`)}`,
    ],
    resources: sharedResources(v, v.ref('heartbeatResources')),
    securityContext: controllerSecurityContext(v),
    volumeMounts: [KUBE_API_ACCESS_MOUNT],
  };
}

/** The Job's pod: scheduling from the values, the heartbeat container, and the API token mounted by hand. */
function heartbeatPod(v: CpValues): PodTemplateSpec {
  const priorityClassName = v.orElse(v.ref('heartbeat.priorityClassName'), v.ref('priorityClassName'));
  return {
    metadata: {
      labels: {
        ...v.owned({ 'linkerd.io/control-plane-component': COMPONENT, 'linkerd.io/workload-ns': v.release.namespace }),
        ...v.spreadMap(v.merge(v.ref('podLabels'), v.ref('heartbeat.podLabels'))),
      },
      annotations: { ...createdBy(v), ...v.spreadMap(v.ref('podAnnotations')) } as Record<string, string>,
    },
    spec: {
      priorityClassName: v.maybe(v.truthy(priorityClassName), priorityClassName),
      runtimeClassName: v.optional('runtimeClassName'),
      tolerations: v.optional('tolerations') as Toleration[],
      nodeSelector: v.ref('nodeSelector'),
      topologySpreadConstraints: v.optional('heartbeat.topologySpreadConstraints') as TopologySpreadConstraint[],
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      serviceAccountName: NAME,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      containers: [heartbeatContainer(v)],
      volumes: [KUBE_API_ACCESS_VOLUME],
    },
  };
}

/** The CronJob, on the values' schedule or a daily one derived from the namespace. */
function heartbeatCronJob(scope: Construct, v: CpValues): void {
  new K8sObject(scope, 'cronjob', {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(v, NAME, COMPONENT, {
      labels: { 'app.kubernetes.io/name': COMPONENT, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion') },
    }),
    spec: {
      concurrencyPolicy: 'Replace',
      schedule: v.orElse(v.ref('heartbeatSchedule') as string, defaultHeartbeatSchedule(v)),
      successfulJobsHistoryLimit: 0,
      jobTemplate: { spec: { template: heartbeatPod(v) } },
    },
  });
}

/** RBAC: read linkerd-config, list namespaces and service profiles (for the report); and the ServiceAccount. */
function heartbeatRbac(scope: Construct, v: CpValues): void {
  const ns = v.release.namespace;
  const labels = { ...v.owned({ 'linkerd.io/control-plane-ns': ns }), ...v.spreadMap(v.ref('commonLabels')) };
  const subjects = [{ kind: 'ServiceAccount', name: NAME, namespace: ns }];
  const rbac = 'rbac.authorization.k8s.io';
  new K8sObject(scope, 'role', {
    apiVersion: `${rbac}/v1`,
    kind: 'Role',
    metadata: { name: NAME, namespace: ns, labels },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] }],
  });
  new K8sObject(scope, 'role-binding', {
    apiVersion: `${rbac}/v1`,
    kind: 'RoleBinding',
    metadata: { name: NAME, namespace: ns, labels },
    roleRef: { kind: 'Role', name: NAME, apiGroup: rbac },
    subjects,
  });
  new K8sObject(scope, 'cluster-role', {
    apiVersion: `${rbac}/v1`,
    kind: 'ClusterRole',
    metadata: { name: NAME, labels },
    rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
      { apiGroups: ['linkerd.io'], resources: ['serviceprofiles'], verbs: ['list'] },
    ],
  });
  new K8sObject(scope, 'cluster-role-binding', {
    apiVersion: `${rbac}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name: NAME, labels },
    roleRef: { kind: 'ClusterRole', name: NAME, apiGroup: rbac },
    subjects,
  });
  new K8sObject(scope, 'service-account', {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    metadata: { name: NAME, namespace: ns, labels: componentLabels(v, COMPONENT) },
    imagePullSecrets: v.optional('imagePullSecrets'),
  });
}

export class Heartbeat extends Component {
  constructor(scope: Construct, id: string, v: CpValues) {
    super(scope, id, 'heartbeat.yaml');
    v.when(v.not('disableHeartBeat'), () => {
      heartbeatCronJob(this, v);
      heartbeatRbac(this, v);
    });
  }
}
