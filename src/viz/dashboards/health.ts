/**
 * The health dashboard (`linkerd-health`): Linkerd itself. The control plane's and the
 * extensions' traffic (their proxies), the Go controllers (`linkerd-controller` scrape job,
 * labelled by container as `component`) and the resources of every proxy of the mesh,
 * with the time left on each namespace's first-expiring proxy certificate
 * (`control_identity_cert_expiration_timestamp_seconds`, the proxy's name for it since it
 * moved its identity metrics under `control_identity`).
 */
import { goldenSignals, labelVariable, linkerdDashboard, processPanels, promql, quantilesPanel, seriesName, timeseriesPanel, WORKLOAD, type Matchers } from './builders';

/** Builds the health dashboard. */
export function healthDashboard() {
  const controllers: Matchers = ['job="linkerd-controller"'];
  const byComponent = ['component'];
  const component = seriesName(byComponent);
  const linkerdPods: Matchers = ['namespace=~"$namespace|$extension"', 'direction="inbound"'];
  return linkerdDashboard({
    uid: 'linkerd-health',
    title: 'Linkerd Health',
    description: 'The control plane and the extensions: their traffic, the controllers\u2019 processes, gRPC and Kubernetes API calls, and the resources of every proxy.',
    variables: [
      labelVariable('namespace', 'label_values(process_start_time_seconds{job="linkerd-proxy"}, control_plane_ns)', { label: 'Control plane namespace' }),
      labelVariable('extension', 'label_values(process_start_time_seconds{job="linkerd-proxy", control_plane_ns="$namespace", extension!=""}, namespace)', {
        label: 'Extension namespaces',
        multi: true,
      }),
    ],
    rows: [
      ['Control plane and extensions traffic', goldenSignals(linkerdPods, ['namespace', WORKLOAD])],
      [
        'Controllers',
        [
          ...processPanels(controllers, byComponent),
          timeseriesPanel('Goroutines', 'short', [[promql.gauge('go_goroutines', controllers, byComponent), component]]),
          timeseriesPanel('Heap in use', 'bytes', [[promql.gauge('go_memstats_heap_inuse_bytes', controllers, byComponent), component]]),
          timeseriesPanel('GC pause (max)', 's', [[promql.gauge('go_gc_duration_seconds', [...controllers, 'quantile="1"'], byComponent, 'max'), component]]),
        ],
      ],
      [
        'gRPC and Kubernetes API',
        [
          timeseriesPanel('gRPC calls handled', 'reqps', [[promql.counterRate('grpc_server_handled_total', controllers, ['component', 'grpc_code']), seriesName(['component', 'grpc_code'])]]),
          timeseriesPanel('gRPC messages', 'short', [
            [promql.counterRate('grpc_server_msg_sent_total', controllers, byComponent), `sent ${component}`],
            [promql.counterRate('grpc_server_msg_received_total', controllers, byComponent), `received ${component}`],
          ]),
          timeseriesPanel('Kubernetes API requests', 'reqps', [[promql.counterRate('http_client_requests_total', controllers, ['component', 'code']), seriesName(['component', 'code'])]]),
          quantilesPanel('Kubernetes API latency', 'http_client_request_latency_seconds_bucket', 's', controllers, byComponent),
        ],
      ],
      [
        'Proxies',
        [
          ...processPanels(['job="linkerd-proxy"'], ['namespace']),
          timeseriesPanel('Time to the first identity certificate expiry', 's', [
            [`${promql.gauge('control_identity_cert_expiration_timestamp_seconds', ['job="linkerd-proxy"'], ['namespace'], 'min')} - time()`, seriesName(['namespace'])],
          ]),
        ],
      ],
    ],
  });
}
