/**
 * The route dashboard (`linkerd-route`): one ServiceProfile route (`rt_route`, server and
 * client side), and the Gateway API HTTPRoutes and GRPCRoutes of a namespace (client side).
 */
import { goldenSignals, GRPC_ROUTE_TRAFFIC, HTTP_ROUTE_TRAFFIC, labelVariable, linkerdDashboard, retriesPanel, SERVICE_PROFILE_TRAFFIC, WORKLOAD, type Matchers } from './builders';

/** Builds the route dashboard. */
export function routeDashboard() {
  const served: Matchers = ['namespace="$namespace"', 'rt_route="$route"', 'direction="inbound"'];
  // Clients in any namespace: the route's profile is named by its authority (`dst`), a name in $namespace.
  const requested: Matchers = ['dst=~"[^.]+[.]$namespace[.]svc[.].+"', 'rt_route="$route"', 'direction="outbound"'];
  const gatewayRoutes: Matchers = ['route_namespace="$namespace"'];
  const byRoute = ['route_name'];
  return linkerdDashboard({
    uid: 'linkerd-route',
    title: 'Linkerd Route',
    description: 'Traffic of one ServiceProfile route as its server and its clients see it, and of the HTTPRoutes and GRPCRoutes of the namespace as their clients see it.',
    variables: [
      labelVariable('namespace', 'label_values(process_start_time_seconds{job="linkerd-proxy"}, namespace)'),
      labelVariable('route', 'label_values(route_request_total{namespace="$namespace", direction="inbound"}, rt_route)', { label: 'ServiceProfile route' }),
    ],
    rows: [
      ['ServiceProfile route: served', goldenSignals(served, [WORKLOAD], SERVICE_PROFILE_TRAFFIC)],
      ['ServiceProfile route: requested by workload', goldenSignals(requested, ['namespace', WORKLOAD], SERVICE_PROFILE_TRAFFIC)],
      ['ServiceProfile route: requested by pod', goldenSignals(requested, ['namespace', 'pod'], SERVICE_PROFILE_TRAFFIC)],
      ['HTTPRoutes', [...goldenSignals(gatewayRoutes, byRoute, HTTP_ROUTE_TRAFFIC), retriesPanel(gatewayRoutes, byRoute, HTTP_ROUTE_TRAFFIC)]],
      ['GRPCRoutes', [...goldenSignals(gatewayRoutes, byRoute, GRPC_ROUTE_TRAFFIC), retriesPanel(gatewayRoutes, byRoute, GRPC_ROUTE_TRAFFIC)]],
    ],
  });
}
