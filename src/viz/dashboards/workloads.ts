/**
 * One dashboard per kind of workload (Deployment, DaemonSet, StatefulSet, Job, CronJob,
 * ReplicaSet, ReplicationController): the proxy labels each meshed pod with its owner
 * (`deployment`, `daemonset`, … and `k8s_job` for Jobs), and the destination side with
 * `dst_<label>`.
 */
import { authorization, goldenSignals, headline, labelVariable, linkerdDashboard, processes, promql, tcp, panel, type Matchers } from './builders';

export interface WorkloadKind {
  /** Dashboard uid suffix and variable name, as the web dashboard links them (`linkerd-<kind>`, `var-<kind>`). */
  kind: string;
  title: string;
  /** The metric label that names the workload. */
  label: string;
}

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { kind: 'deployment', title: 'Deployment', label: 'deployment' },
  { kind: 'daemonset', title: 'DaemonSet', label: 'daemonset' },
  { kind: 'statefulset', title: 'StatefulSet', label: 'statefulset' },
  { kind: 'job', title: 'Job', label: 'k8s_job' },
  { kind: 'cronjob', title: 'CronJob', label: 'cronjob' },
  { kind: 'replicaset', title: 'ReplicaSet', label: 'replicaset' },
  { kind: 'replicationcontroller', title: 'ReplicationController', label: 'replicationcontroller' },
];

export function workloadDashboard({ kind, title, label }: WorkloadKind) {
  const self: Matchers = ['namespace="$namespace"', `${label}="$${kind}"`];
  const inbound: Matchers = [...self, 'direction="inbound"'];
  const outbound: Matchers = [...self, 'direction="outbound"'];
  const callers: Matchers = [`${label}!=""`, `${label}=~"$inbound"`, 'dst_namespace="$namespace"', `dst_${label}="$${kind}"`, 'direction="outbound"'];
  const callees: Matchers = [...outbound, `dst_${label}=~"$outbound"`];
  return linkerdDashboard({
    uid: `linkerd-${kind}`,
    title: `Linkerd ${title}`,
    description: `Traffic, TCP, policy and proxy resources of one meshed ${title}, its callers and what it calls.`,
    variables: [
      labelVariable('namespace', `label_values(process_start_time_seconds{${label}!=""}, namespace)`),
      labelVariable(kind, `label_values(process_start_time_seconds{namespace="$namespace"}, ${label})`, { label: title }),
      labelVariable('inbound', `label_values(request_total{dst_namespace="$namespace", dst_${label}="$${kind}"}, ${label})`, { label: 'Callers', all: true }),
      labelVariable('outbound', `label_values(request_total{namespace="$namespace", ${label}="$${kind}"}, dst_${label})`, { label: 'Callees', all: true }),
    ],
    rows: [
      ['Overview', [...headline(inbound), panel('Callers and callees', 'short', [
        [promql.count([`dst_namespace="$namespace"`, `dst_${label}="$${kind}"`, 'direction="outbound"'], ['namespace', label]), 'callers'],
        [promql.count(outbound, ['dst_namespace', `dst_${label}`]), 'callees'],
      ], 24)]],
      ['Inbound traffic', [...goldenSignals(inbound, [label]), ...tcp(inbound, [label])]],
      ['Inbound policy', authorization(self)],
      ['Outbound traffic', [...goldenSignals(outbound, [`dst_${label}`]), ...tcp(outbound, [`dst_${label}`])]],
      ['Traffic from callers', goldenSignals(callers, [label, 'pod'])],
      ['Traffic to callees', goldenSignals(callees, [`dst_${label}`])],
      ['Proxy resources', processes(['job="linkerd-proxy"', ...self], ['pod'])],
    ],
  });
}
