/**
 * The dashboard of one kind of workload (Deployment, DaemonSet, StatefulSet, Job, CronJob,
 * ReplicaSet, ReplicationController). The proxy's metrics carry the owner of each meshed
 * pod as a label (`deployment`, `daemonset`, … and `k8s_job` for Jobs, so that it does not
 * clash with Prometheus' `job`), and the destination's as `dst_<label>`.
 */
import {
  authorizationPanel,
  goldenSignals,
  headline,
  inboundRow,
  labelVariable,
  linkerdDashboard,
  outboundRow,
  processPanels,
  promql,
  statPanel,
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

/** The dashboard of one workload of `kind`: its inbound and outbound traffic, callers, callees, policy and proxies. */
export function workloadDashboard({ kind, title, label }: WorkloadKind) {
  const self: Matchers = ['namespace="$namespace"', `${label}="$${kind}"`];
  const dst = `dst_${label}`;
  const callers: Matchers = [`${label}=~"$inbound"`, 'dst_namespace="$namespace"', `${dst}="$${kind}"`, 'direction="outbound"'];
  const callees: Matchers = [...self, `${dst}=~"$outbound"`, 'direction="outbound"'];
  return linkerdDashboard({
    uid: `linkerd-${kind}`,
    title: `Linkerd ${title}`,
    description: `Traffic, TCP, policy and proxy resources of one meshed ${title}, who calls it and what it calls.`,
    variables: [
      labelVariable('namespace', `label_values(process_start_time_seconds{${label}!=""}, namespace)`),
      labelVariable(kind, `label_values(process_start_time_seconds{namespace="$namespace"}, ${label})`, { label: title }),
      labelVariable('inbound', `label_values(request_total{dst_namespace="$namespace", ${dst}="$${kind}"}, ${label})`, { label: 'Callers', all: true }),
      labelVariable('outbound', `label_values(request_total{namespace="$namespace", ${label}="$${kind}"}, ${dst})`, { label: 'Callees', all: true }),
    ],
    rows: [
      [
        'Overview',
        [
          ...headline([...self, 'direction="inbound"']),
          statPanel('Callers', 'short', promql.distinct('request_total', ['dst_namespace="$namespace"', `${dst}="$${kind}"`, 'direction="outbound"'], ['namespace', label]), 12),
          statPanel('Callees', 'short', promql.distinct('request_total', [...self, 'direction="outbound"'], ['dst_namespace', dst]), 12),
        ],
      ],
      inboundRow(self, [label]),
      ['Inbound policy', [authorizationPanel('http', self), authorizationPanel('tcp', self)]],
      outboundRow(self, [dst]),
      ['Traffic from callers', goldenSignals(callers, ['namespace', label])],
      ['Traffic to callees', goldenSignals(callees, ['dst_namespace', dst])],
      ['Proxy resources', processPanels(['job="linkerd-proxy"', ...self], ['pod'])],
    ],
  });
}
