/**
 * The Service dashboard (`linkerd-service`): traffic to one Service, as its meshed clients'
 * proxies see it (`dst_service`, which the destination controller gives every endpoint).
 * Services are listed from the TCP metrics, so that TCP-only (opaque) Services are there too.
 */
import { goldenSignals, GRPC_ROUTE_TRAFFIC, headline, HTTP_ROUTE_TRAFFIC, labelVariable, linkerdDashboard, retriesPanel, trafficRow, WORKLOAD, type Matchers } from './builders';

/** Builds the Service dashboard. */
export function serviceDashboard() {
  const toService: Matchers = ['dst_namespace="$namespace"', 'dst_service="$service"', 'direction="outbound"'];
  const routes: Matchers = ['parent_namespace="$namespace"', 'parent_name="$service"'];
  const byRoute = ['route_name'];
  return linkerdDashboard({
    uid: 'linkerd-service',
    title: 'Linkerd Service',
    description: 'Traffic to one Service (HTTP, gRPC or TCP) as its meshed clients see it: by client workload, by client pod, and by HTTPRoute or GRPCRoute.',
    variables: [
      labelVariable('namespace', 'label_values(tcp_open_total{direction="outbound", peer="dst"}, dst_namespace)'),
      labelVariable('service', 'label_values(tcp_open_total{direction="outbound", peer="dst", dst_namespace="$namespace"}, dst_service)'),
    ],
    rows: [
      ['Overview', headline(toService)],
      trafficRow('By client workload', toService, ['namespace', WORKLOAD]),
      ['By client pod', goldenSignals(toService, ['namespace', 'pod'])],
      ['By HTTPRoute', [...goldenSignals(routes, byRoute, HTTP_ROUTE_TRAFFIC), retriesPanel(routes, byRoute, HTTP_ROUTE_TRAFFIC)]],
      ['By GRPCRoute', [...goldenSignals(routes, byRoute, GRPC_ROUTE_TRAFFIC), retriesPanel(routes, byRoute, GRPC_ROUTE_TRAFFIC)]],
    ],
  });
}
