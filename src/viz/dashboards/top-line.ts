/** The top-line dashboard (`linkerd-top-line`, Grafana's home): the whole mesh at a glance. */
import { goldenSignals, goldenSignalsTable, headline, labelVariable, linkerdDashboard, promql, statPanel, WORKLOAD, type Matchers } from './builders';

/** Builds the top-line dashboard. */
export function topLineDashboard() {
  const inbound: Matchers = ['namespace=~"$namespace"', 'direction="inbound"'];
  return linkerdDashboard({
    uid: 'linkerd-top-line',
    title: 'Linkerd Top Line',
    description: 'The mesh at a glance: golden signals of every meshed namespace and workload (of every kind).',
    variables: [labelVariable('namespace', 'label_values(process_start_time_seconds{job="linkerd-proxy"}, namespace)', { all: true })],
    rows: [
      [
        'Overview',
        [
          ...headline(inbound),
          statPanel('Meshed namespaces', 'short', promql.distinct('process_start_time_seconds', ['job="linkerd-proxy"', 'namespace=~"$namespace"'], ['namespace']), 12),
          statPanel('Meshed pods', 'short', promql.distinct('process_start_time_seconds', ['job="linkerd-proxy"', 'namespace=~"$namespace"'], ['namespace', 'pod']), 12),
          goldenSignalsTable('Workloads', inbound, ['namespace', WORKLOAD]),
        ],
      ],
      ['By namespace', goldenSignals(inbound, ['namespace'])],
      ['By workload', goldenSignals(inbound, ['namespace', WORKLOAD])],
    ],
  });
}
