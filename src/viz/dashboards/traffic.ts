/** Dashboards for a pod, a Service, an authority and a ServiceProfile route. */
import { authorization, goldenSignals, headline, labelVariable, linkerdDashboard, processes, tcp, type Matchers } from './builders';

export function podDashboard() {
  const self: Matchers = ['namespace="$namespace"', 'pod="$pod"'];
  const inbound: Matchers = [...self, 'direction="inbound"'];
  const outbound: Matchers = [...self, 'direction="outbound"'];
  return linkerdDashboard({
    uid: 'linkerd-pod',
    title: 'Linkerd Pod',
    description: 'Traffic, TCP, policy and proxy resources of one meshed pod.',
    variables: [
      labelVariable('namespace', 'label_values(process_start_time_seconds, namespace)'),
      labelVariable('pod', 'label_values(process_start_time_seconds{namespace="$namespace"}, pod)'),
    ],
    rows: [
      ['Overview', headline(inbound)],
      ['Inbound traffic', [...goldenSignals(inbound, ['pod']), ...tcp(inbound, ['pod'])]],
      ['Inbound policy', authorization(self)],
      ['Outbound traffic', [...goldenSignals(outbound, ['dst_pod']), ...tcp(outbound, ['dst_pod'])]],
      ['Proxy resources', processes(['job="linkerd-proxy"', ...self], ['pod'])],
    ],
  });
}

export function serviceDashboard() {
  const toService: Matchers = ['dst_namespace="$namespace"', 'dst_service="$service"', 'direction="outbound"'];
  return linkerdDashboard({
    uid: 'linkerd-service',
    title: 'Linkerd Service',
    description: 'Traffic to one Service as its meshed clients see it, by client workload and pod.',
    variables: [
      labelVariable('namespace', 'label_values(request_total, dst_namespace)'),
      labelVariable('service', 'label_values(request_total{dst_namespace="$namespace"}, dst_service)'),
    ],
    rows: [
      ['Overview', headline(toService)],
      ['Traffic by client', goldenSignals(toService, ['namespace', 'deployment'])],
      ['Traffic by client pod', goldenSignals(toService, ['pod'])],
      ['TCP', tcp(toService, ['namespace', 'deployment'])],
    ],
  });
}

export function authorityDashboard() {
  const inbound: Matchers = ['namespace="$namespace"', 'authority="$authority"', 'direction="inbound"'];
  const outbound: Matchers = ['authority="$authority"', 'direction="outbound"'];
  return linkerdDashboard({
    uid: 'linkerd-authority',
    title: 'Linkerd Authority',
    description: 'Traffic for one authority (host:port), as servers and as clients see it.',
    variables: [
      labelVariable('namespace', 'label_values(request_total{direction="inbound"}, namespace)'),
      labelVariable('authority', 'label_values(request_total{namespace="$namespace", direction="inbound"}, authority)'),
    ],
    rows: [
      ['Overview', headline(inbound)],
      ['Served by', goldenSignals(inbound, ['deployment'])],
      ['Requested by workload', goldenSignals(outbound, ['namespace', 'deployment'])],
      ['Requested by pod', goldenSignals(outbound, ['pod'])],
    ],
  });
}

export function routeDashboard() {
  const route: Matchers = ['namespace="$namespace"', 'rt_route="$route"'];
  const counters = { request: 'route_request_total', response: 'route_response_total' };
  return linkerdDashboard({
    uid: 'linkerd-route',
    title: 'Linkerd Route',
    description: 'Traffic of one ServiceProfile route, as the server and as its clients see it.',
    variables: [
      labelVariable('namespace', 'label_values(route_request_total, namespace)'),
      labelVariable('route', 'label_values(route_request_total{namespace="$namespace"}, rt_route)'),
    ],
    rows: [
      ['Inbound', goldenSignals([...route, 'direction="inbound"'], ['rt_route'], 'route_response_latency_ms_bucket', counters)],
      ['Outbound by workload', goldenSignals([...route, 'direction="outbound"'], ['deployment'], 'route_response_latency_ms_bucket', counters)],
      ['Outbound by pod', goldenSignals([...route, 'direction="outbound"'], ['pod'], 'route_response_latency_ms_bucket', counters)],
    ],
  });
}
