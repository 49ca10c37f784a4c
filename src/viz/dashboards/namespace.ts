/** The namespace dashboard (`linkerd-namespace`): every meshed workload of one namespace, whatever its kind. */
import { goldenSignals, goldenSignalsTable, headline, labelVariable, linkerdDashboard, processPanels, trafficRow, WORKLOAD, type Matchers } from './builders';

/** Builds the namespace dashboard. */
export function namespaceDashboard() {
  const inbound: Matchers = ['namespace="$namespace"', 'direction="inbound"'];
  return linkerdDashboard({
    uid: 'linkerd-namespace',
    title: 'Linkerd Namespace',
    description: 'Golden signals and TCP of the meshed workloads (of every kind) and pods of one namespace.',
    variables: [labelVariable('namespace', 'label_values(process_start_time_seconds{job="linkerd-proxy"}, namespace)')],
    rows: [
      ['Overview', [...headline(inbound), goldenSignalsTable('Workloads', inbound, [WORKLOAD])]],
      trafficRow('By workload', inbound, [WORKLOAD]),
      ['By pod', goldenSignals(inbound, ['pod'])],
      ['Proxy resources', processPanels(['job="linkerd-proxy"', 'namespace="$namespace"'], ['pod'])],
    ],
  });
}
