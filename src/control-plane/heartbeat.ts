/**
 * The heartbeat CronJob: reports anonymous usage to Linkerd once a day (disableHeartBeat
 * turns it off). Facts follow upstream edge-26.8.3 (heartbeat.yaml, heartbeat-rbac.yaml),
 * except the default schedule, which we derive from the release namespace instead of the
 * render time, so output is reproducible (docs/parity.md).
 */
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

export class Heartbeat extends Component {
  constructor(scope: Construct, id: string, v: CpValues) {
    super(scope, id, 'heartbeat.yaml');
    const ns = v.release.namespace;
    v.when(v.not('disableHeartBeat'), () => {
      new K8sObject(this, 'cronjob', {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: meta(v, NAME, COMPONENT, {
          labels: { 'app.kubernetes.io/name': COMPONENT, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion') },
        }),
        spec: {
          concurrencyPolicy: 'Replace',
          schedule: v.orElse(v.ref('heartbeatSchedule') as string, defaultHeartbeatSchedule(v)),
          successfulJobsHistoryLimit: 0,
          jobTemplate: {
            spec: {
              template: {
                metadata: {
                  labels: {
                    ...v.owned({ 'linkerd.io/control-plane-component': COMPONENT, 'linkerd.io/workload-ns': ns }),
                    ...v.spreadMap(v.merge(v.ref('podLabels'), v.ref('heartbeat.podLabels'))),
                  },
                  annotations: { ...createdBy(v), ...v.spreadMap(v.ref('podAnnotations')) },
                },
                spec: {
                  priorityClassName: v.maybe(
                    v.truthy(v.orElse(v.ref('heartbeat.priorityClassName'), v.ref('priorityClassName'))),
                    v.orElse(v.ref('heartbeat.priorityClassName'), v.ref('priorityClassName')),
                  ),
                  runtimeClassName: v.optional('runtimeClassName'),
                  tolerations: v.optional('tolerations'),
                  nodeSelector: v.ref('nodeSelector'),
                  topologySpreadConstraints: v.optional('heartbeat.topologySpreadConstraints'),
                  securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
                  serviceAccountName: NAME,
                  restartPolicy: 'Never',
                  automountServiceAccountToken: false,
                  containers: [
                    {
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
                        v.fmt`-controller-namespace=${ns}`,
                        v.fmt`-log-level=${v.ref('controllerLogLevel')}`,
                        v.fmt`-log-format=${v.ref('controllerLogFormat')}`,
                        v.fmt`-prometheus-url=${v.orElse(v.ref('prometheusUrl'), v.fmt`http://prometheus.linkerd-viz.svc.${v.ref('clusterDomain')}:9090`)}`,
                      ],
                      resources: sharedResources(v, v.ref('heartbeatResources')),
                      securityContext: controllerSecurityContext(v),
                      volumeMounts: [KUBE_API_ACCESS_MOUNT],
                    },
                  ],
                  volumes: [KUBE_API_ACCESS_VOLUME],
                },
              },
            },
          },
        },
      });

      // RBAC: read linkerd-config, list namespaces and service profiles (for the report).
      const labels = { ...v.owned({ 'linkerd.io/control-plane-ns': ns }), ...v.spreadMap(v.ref('commonLabels')) };
      const subjects = [{ kind: 'ServiceAccount', name: NAME, namespace: ns }];
      new K8sObject(this, 'role', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: NAME, namespace: ns, labels },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['linkerd-config'] }],
      });
      new K8sObject(this, 'role-binding', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: NAME, namespace: ns, labels },
        roleRef: { kind: 'Role', name: NAME, apiGroup: 'rbac.authorization.k8s.io' },
        subjects,
      });
      new K8sObject(this, 'cluster-role', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: NAME, labels },
        rules: [
          { apiGroups: [''], resources: ['namespaces'], verbs: ['list'] },
          { apiGroups: ['linkerd.io'], resources: ['serviceprofiles'], verbs: ['list'] },
        ],
      });
      new K8sObject(this, 'cluster-role-binding', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: NAME, labels },
        roleRef: { kind: 'ClusterRole', name: NAME, apiGroup: 'rbac.authorization.k8s.io' },
        subjects,
      });
      new K8sObject(this, 'service-account', {
        kind: 'ServiceAccount',
        apiVersion: 'v1',
        metadata: { name: NAME, namespace: ns, labels: componentLabels(v, COMPONENT) },
        imagePullSecrets: v.optional('imagePullSecrets'),
      });
    });
  }
}
