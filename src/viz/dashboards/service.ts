/** The Service dashboard (`linkerd-service`): traffic to one Service, as its meshed clients see it. */
import { goldenSignals, headline, HTTP_ROUTE_TRAFFIC, labelVariable, linkerdDashboard, retriesPanel, trafficRow, type Matchers } from './builders';

/** Builds the Service dashboard. */
export function serviceDashboard() {
  const toService: Matchers = ['dst_namespace="$namespace"', 'dst_service="$service"', 'direction="outbound"'];
  const routes: Matchers = ['parent_namespace="$namespace"', 'parent_name="$service"'];
  return linkerdDashboard({
    uid: 'linkerd-service',
    title: 'Linkerd Service',
    description: 'Traffic to one Service as its meshed clients see it: by client workload, by client pod, and by HTTPRoute.',
    variables: [
      labelVariable('namespace', 'label_values(request_total{direction="outbound"}, dst_namespace)'),
      labelVariable('service', 'label_values(request_total{direction="outbound", dst_namespace="$namespace"}, dst_service)'),
    ],
    rows: [
      ['Overview', headline(toService)],
      trafficRow('By client workload', toService, ['namespace', 'deployment']),
      ['By client pod', goldenSignals(toService, ['namespace', 'pod'])],
      ['By HTTPRoute', [...goldenSignals(routes, ['route_name'], HTTP_ROUTE_TRAFFIC), retriesPanel(routes, ['route_name'], HTTP_ROUTE_TRAFFIC)]],
    ],
  });
}
