/** Mesh-wide dashboards: the top line, one namespace, and the health of Linkerd itself. */
import { goldenSignals, headline, labelVariable, linkerdDashboard, panel, processes, promql, tcp, type Matchers } from './builders';

export function topLineDashboard() {
  const all: Matchers = ['namespace=~"$namespace"', 'direction="inbound"'];
  return linkerdDashboard({
    uid: 'linkerd-top-line',
    title: 'Linkerd Top Line',
    description: 'The whole mesh at a glance: golden signals by namespace and by workload.',
    variables: [labelVariable('namespace', 'label_values(process_start_time_seconds, namespace)', { all: true })],
    rows: [
      ['Overview', [...headline(all), panel('Meshed workloads', 'short', [[promql.count(all, ['namespace', 'deployment']), 'workloads']], 24)]],
      ['By namespace', goldenSignals(all, ['namespace'])],
      ['By workload', goldenSignals(all, ['namespace', 'deployment'])],
    ],
  });
}

export function namespaceDashboard() {
  const inbound: Matchers = ['namespace="$namespace"', 'direction="inbound"'];
  return linkerdDashboard({
    uid: 'linkerd-namespace',
    title: 'Linkerd Namespace',
    description: 'Golden signals and TCP of every meshed workload in one namespace.',
    variables: [labelVariable('namespace', 'label_values(process_start_time_seconds{deployment!=""}, namespace)')],
    rows: [
      ['Overview', headline(inbound)],
      ['By workload', [...goldenSignals(inbound, ['deployment']), ...tcp(inbound, ['deployment'])]],
      ['By pod', goldenSignals(inbound, ['pod'])],
      ['Proxy resources', processes(['job="linkerd-proxy"', 'namespace="$namespace"'], ['pod'])],
    ],
  });
}

export function healthDashboard() {
  const controllers: Matchers = ['job="linkerd-controller"'];
  const controlPlane: Matchers = ['namespace=~"$namespace|$namespace-viz"', 'direction="inbound"'];
  return linkerdDashboard({
    uid: 'linkerd-health',
    title: 'Linkerd Health',
    description: 'The control plane and the viz extension: their traffic, their processes, their gRPC and Kubernetes API calls, and the proxies\u2019 resources.',
    variables: [labelVariable('namespace', 'label_values(process_start_time_seconds{job="linkerd-controller"}, namespace)', { label: 'Control plane namespace' })],
    rows: [
      ['Control-plane traffic', goldenSignals(controlPlane, ['deployment'])],
      ['Controllers', [
        ...processes(controllers, ['component']),
        panel('Goroutines', 'short', [['sum(go_goroutines{job="linkerd-controller"}) by (component)', '{{component}}']]),
        panel('Heap in use', 'bytes', [['sum(go_memstats_heap_inuse_bytes{job="linkerd-controller"}) by (component)', '{{component}}']]),
        panel('GC pause (max)', 's', [['max(go_gc_duration_seconds{job="linkerd-controller", quantile="1"}) by (component)', '{{component}}']]),
      ]],
      ['gRPC and Kubernetes API', [
        panel('gRPC calls', 'reqps', [['sum(irate(grpc_server_handled_total{job="linkerd-controller"}[$__rate_interval])) by (component, grpc_code)', '{{component}} {{grpc_code}}']]),
        panel('gRPC messages', 'short', [
          ['sum(irate(grpc_server_msg_sent_total{job="linkerd-controller"}[$__rate_interval])) by (component)', 'sent {{component}}'],
          ['sum(irate(grpc_server_msg_received_total{job="linkerd-controller"}[$__rate_interval])) by (component)', 'received {{component}}'],
        ]),
        panel('Kubernetes API requests', 'reqps', [['sum(irate(http_client_requests_total{job="linkerd-controller"}[$__rate_interval])) by (component, code)', '{{component}} {{code}}']]),
        panel('Kubernetes API latency (p95)', 's', [[promql.latency(0.95, controllers, ['component'], 'http_client_request_latency_seconds_bucket'), '{{component}}']]),
      ]],
      ['Proxies', [
        ...processes(['job="linkerd-proxy"'], ['namespace']),
        panel('Identity certificates expiring first', 's', [['min(identity_cert_expiration_timestamp_seconds{job="linkerd-proxy"}) by (namespace) - time()', '{{namespace}}']]),
      ]],
    ],
  });
}
