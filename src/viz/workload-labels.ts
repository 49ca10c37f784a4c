/**
 * The `workload` and `dst_workload` labels of the proxies' metrics: `<kind>/<name>` of the
 * workload a series is about, whatever its kind (`deployment/web`, `statefulset/db`,
 * `cronjob/report`, `pod/debug` for a pod without an owner), so that the dashboards break
 * traffic down by workload with one label. The viz Prometheus derives them when it scrapes a
 * proxy (`workload` from the pod's labels, `dst_workload` from the `dst_*` labels the
 * destination controller gives each endpoint), which keeps every dashboard query short.
 */

/**
 * The label each kind of workload is named by in the proxy's metrics: Prometheus copies the
 * injector's `linkerd.io/proxy-<kind>` pod label (`job` as `k8s_job`; `cronjob` for a
 * CronJob's pods also from their Job), and the destination controller names the endpoint's
 * owner the same way with a `dst_` prefix. A pod without an owner has only `pod`; an
 * ExternalWorkload endpoint has `dst_external_workload` (and its owner's label, if any).
 * Later entries win: the pod first, so that an owner, when there is one, names the workload.
 */
export const WORKLOAD_KINDS: readonly (readonly [kind: string, label: string])[] = [
  ['pod', 'pod'],
  ['externalworkload', 'external_workload'],
  ['deployment', 'deployment'],
  ['daemonset', 'daemonset'],
  ['statefulset', 'statefulset'],
  ['job', 'k8s_job'],
  ['cronjob', 'cronjob'],
  ['replicaset', 'replicaset'],
  ['replicationcontroller', 'replicationcontroller'],
];

/** The workload a proxy's series is about (the proxy's own pod). */
export const WORKLOAD = 'workload';
/**
 * The workload an outbound series goes to. A destination without a pod (a multicluster mirror
 * Service, whose endpoint is a linked cluster's gateway) is named by its Service, `service/<dst_service>`.
 */
export const DST_WORKLOAD = 'dst_workload';

/** One Prometheus `replace` step: `target` = `<kind>/<value>` when `source` is not empty. */
export interface DeriveStep {
  source_labels: [string];
  regex: '(.+)';
  target_label: string;
  replacement: string;
  action: 'replace';
}

const step = (source: string, target: string, kind: string): DeriveStep => ({ source_labels: [source], regex: '(.+)', target_label: target, replacement: `${kind}/$1`, action: 'replace' });

/** Target relabeling of the proxy scrape job, after the pod's labels are copied: `workload`. */
export const WORKLOAD_RELABEL: readonly DeriveStep[] = WORKLOAD_KINDS.map(([kind, label]) => step(label, WORKLOAD, kind));

/** Metric relabeling of the proxy scrape job: `dst_workload` (outbound series only, they have `dst_*` labels). */
export const DST_WORKLOAD_RELABEL: readonly DeriveStep[] = [['service', 'service'] as const, ...WORKLOAD_KINDS].map(([kind, label]) => step(`dst_${label}`, DST_WORKLOAD, kind));
