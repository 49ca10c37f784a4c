/**
 * The dashboard of one kind of workload (Deployment, DaemonSet, StatefulSet, Job, CronJob,
 * ReplicaSet, ReplicationController). The proxy's metrics carry the owner of each meshed
 * pod as a label (`deployment`, `daemonset`, … and `k8s_job` for Jobs, so that it does not
 * clash with Prometheus' `job`; `cronjob` for a CronJob's pods, which the scrape job derives
 * from their Job), and the destination's as `dst_<label>`. Callers and callees are broken
 * down by the derived `workload` / `dst_workload` labels, so they may be of any kind.
 */
import {
  authorizationPanel,
  DST_WORKLOAD,
  headline,
  inboundRow,
  labelVariable,
  linkerdDashboard,
  processPanels,
  promql,
  statPanel,
  tcpSide,
  trafficRow,
  WORKLOAD,
  type Matchers,
} from './builders';

/** A kind of workload, as the web dashboard links to its Grafana dashboard. */
export interface WorkloadKind {
  /** Dashboard uid suffix and variable name (`linkerd-<kind>`, `var-<kind>`). */
  kind: string;
  /** Kubernetes kind, for titles. */
  title: string;
  /** The metric label that names the workload. */
  label: string;
}

/** The dashboard of one workload of `kind`: its inbound and outbound traffic, callers (of every kind), policy and proxies. */
export function workloadDashboard({ kind, title, label }: WorkloadKind) {
  const self: Matchers = ['namespace="$namespace"', `${label}="$${kind}"`];
  const callers: Matchers = ['dst_namespace="$namespace"', `dst_${label}="$${kind}"`, 'direction="outbound"'];
  const callees: Matchers = [...self, 'direction="outbound"'];
  return linkerdDashboard({
    uid: `linkerd-${kind}`,
    title: `Linkerd ${title}`,
    description: `Traffic, TCP, policy and proxy resources of one meshed ${title}, the workloads that call it and those it calls (of every kind).`,
    variables: [
      labelVariable('namespace', `label_values(process_start_time_seconds{${label}!=""}, namespace)`),
      labelVariable(kind, `label_values(process_start_time_seconds{namespace="$namespace"}, ${label})`, { label: title }),
    ],
    rows: [
      [
        'Overview',
        [
          ...headline([...self, 'direction="inbound"']),
          statPanel('Callers', 'short', promql.distinct('tcp_open_total', tcpSide(callers), ['namespace', WORKLOAD]), 12),
          statPanel('Callees', 'short', promql.distinct('tcp_open_total', tcpSide(callees), ['dst_namespace', DST_WORKLOAD]), 12),
        ],
      ],
      inboundRow(self, [label]),
      ['Inbound policy', [authorizationPanel('http', self), authorizationPanel('tcp', self)]],
      trafficRow('Traffic from callers', callers, ['namespace', WORKLOAD]),
      trafficRow('Traffic to callees', callees, ['dst_namespace', DST_WORKLOAD]),
      ['Proxy resources', processPanels(['job="linkerd-proxy"', ...self], ['pod'])],
    ],
  });
}
