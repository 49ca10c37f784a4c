/** The authority dashboard (`linkerd-authority`): traffic for one authority (host:port). */
import { goldenSignals, headline, labelVariable, linkerdDashboard, type Matchers } from './builders';

/** Builds the authority dashboard. */
export function authorityDashboard() {
  const inbound: Matchers = ['namespace="$namespace"', 'authority="$authority"', 'direction="inbound"'];
  const outbound: Matchers = ['authority="$authority"', 'direction="outbound"'];
  return linkerdDashboard({
    uid: 'linkerd-authority',
    title: 'Linkerd Authority',
    description: 'Traffic for one authority (host:port), as the servers and as their clients see it.',
    variables: [
      labelVariable('namespace', 'label_values(request_total{direction="inbound"}, namespace)'),
      labelVariable('authority', 'label_values(request_total{namespace="$namespace", direction="inbound"}, authority)'),
    ],
    rows: [
      ['Overview', headline(inbound)],
      ['Served by', goldenSignals(inbound, ['deployment'])],
      ['Requested by workload', goldenSignals(outbound, ['namespace', 'deployment'])],
      ['Requested by pod', goldenSignals(outbound, ['namespace', 'pod'])],
    ],
  });
}
