/** The pod dashboard (`linkerd-pod`): one meshed pod. */
import { authorizationPanel, headline, inboundRow, labelVariable, linkerdDashboard, outboundRow, processPanels, type Matchers } from './builders';

/** Builds the pod dashboard. */
export function podDashboard() {
  const self: Matchers = ['namespace="$namespace"', 'pod="$pod"'];
  return linkerdDashboard({
    uid: 'linkerd-pod',
    title: 'Linkerd Pod',
    description: 'Traffic, TCP, policy and proxy resources of one meshed pod.',
    variables: [
      labelVariable('namespace', 'label_values(process_start_time_seconds{job="linkerd-proxy"}, namespace)'),
      labelVariable('pod', 'label_values(process_start_time_seconds{job="linkerd-proxy", namespace="$namespace"}, pod)'),
    ],
    rows: [
      ['Overview', headline([...self, 'direction="inbound"'])],
      inboundRow(self, ['pod']),
      ['Inbound policy', [authorizationPanel('http', self), authorizationPanel('tcp', self)]],
      outboundRow(self, ['dst_namespace', 'dst_pod']),
      ['Proxy resources', processPanels(['job="linkerd-proxy"', ...self], ['pod'])],
    ],
  });
}
