/**
 * The metrics the Linkerd dashboards may query, each with what exports it: the proxy (admin
 * port 4191, scrape job `linkerd-proxy`), the Go controllers of the control plane and the
 * extensions (scrape job `linkerd-controller`, labelled by container as `component`), and the
 * viz Prometheus itself (scrape job `prometheus`), the multicluster service mirrors (scrape job
 * `linkerd-multicluster-controller`), and cAdvisor (scrape job
 * `kubernetes-nodes-cadvisor`). A test parses every dashboard query and
 * fails on any metric not listed here, so a misspelt name cannot ship as an empty panel.
 */
export const LINKERD_METRICS: Readonly<Record<string, string>> = {
  // Proxy: HTTP and gRPC traffic, inbound and outbound.
  request_total: 'proxy: requests, by direction, authority, tls, workload and dst_* labels',
  response_total: 'proxy: responses, with classification (success/failure), status_code and grpc_status',
  response_latency_ms_bucket: 'proxy: time-to-first-byte latency histogram, milliseconds (buckets)',
  response_latency_ms_sum: 'proxy: time-to-first-byte latency histogram, milliseconds (sum)',
  response_latency_ms_count: 'proxy: time-to-first-byte latency histogram (count)',
  // Proxy: per ServiceProfile route (rt_route, dst; no tls label).
  route_request_total: 'proxy: requests per ServiceProfile route',
  route_response_total: 'proxy: responses per ServiceProfile route, with classification',
  route_response_latency_ms_bucket: 'proxy: latency histogram per ServiceProfile route, milliseconds (buckets)',
  route_response_latency_ms_sum: 'proxy: latency histogram per ServiceProfile route, milliseconds (sum)',
  route_response_latency_ms_count: 'proxy: latency histogram per ServiceProfile route (count)',
  // Proxy: per Gateway API route, client side (parent_*, route_* labels).
  outbound_http_route_request_statuses_total: 'proxy: outbound requests per HTTPRoute, by http_status and error',
  outbound_http_route_request_duration_seconds_bucket: 'proxy: outbound request duration per HTTPRoute, seconds (buckets)',
  outbound_http_route_request_duration_seconds_sum: 'proxy: outbound request duration per HTTPRoute, seconds (sum)',
  outbound_http_route_request_duration_seconds_count: 'proxy: outbound request duration per HTTPRoute (count)',
  outbound_http_route_retry_requests_total: 'proxy: retries per HTTPRoute',
  outbound_http_route_backend_response_statuses_total: 'proxy: responses per HTTPRoute backend, by http_status and error',
  outbound_grpc_route_request_statuses_total: 'proxy: outbound requests per GRPCRoute, by grpc_status and error',
  outbound_grpc_route_request_duration_seconds_bucket: 'proxy: outbound request duration per GRPCRoute, seconds (buckets)',
  outbound_grpc_route_request_duration_seconds_sum: 'proxy: outbound request duration per GRPCRoute, seconds (sum)',
  outbound_grpc_route_request_duration_seconds_count: 'proxy: outbound request duration per GRPCRoute (count)',
  outbound_grpc_route_retry_requests_total: 'proxy: retries per GRPCRoute',
  // Proxy: TCP (each proxied connection twice: peer="src" as accepted, peer="dst" as opened).
  tcp_open_total: 'proxy: TCP connections opened',
  tcp_close_total: 'proxy: TCP connections closed, with errno when a connection failed',
  tcp_open_connections: 'proxy: TCP connections open now',
  tcp_read_bytes_total: 'proxy: bytes read from peers',
  tcp_write_bytes_total: 'proxy: bytes written to peers',
  // Proxy: policy and identity.
  inbound_http_authz_allow_total: 'proxy: inbound HTTP requests allowed by policy',
  inbound_http_authz_deny_total: 'proxy: inbound HTTP requests denied by policy',
  inbound_tcp_authz_allow_total: 'proxy: inbound TCP connections allowed by policy',
  inbound_tcp_authz_deny_total: 'proxy: inbound TCP connections denied by policy',
  inbound_tcp_transport_header_connections_total: 'proxy: inbound connections with a transport header (a gateway\u2019s from linked clusters), by target_name and client_id',
  control_identity_cert_expiration_timestamp_seconds: 'proxy: when the proxy\u2019s mTLS certificate expires (Unix time)',
  control_identity_cert_refresh_timestamp_seconds: 'proxy: when the proxy\u2019s mTLS certificate was last renewed (Unix time)',
  proxy_build_info: 'proxy: constant 1, labelled with the proxy\u2019s version',
  // Every process: proxies, controllers and Prometheus.
  process_start_time_seconds: 'proxy, controllers and Prometheus: process start time (lists meshed namespaces, workloads, pods)',
  process_cpu_seconds_total: 'proxy, controllers and Prometheus: CPU time',
  process_resident_memory_bytes: 'proxy, controllers and Prometheus: resident memory',
  process_virtual_memory_bytes: 'proxy, controllers and Prometheus: virtual memory',
  process_open_fds: 'proxy, controllers and Prometheus: open file descriptors',
  process_max_fds: 'proxy, controllers and Prometheus: file descriptor limit',
  // Go runtime of the controllers (and Prometheus).
  go_goroutines: 'controllers and Prometheus: goroutines',
  go_threads: 'controllers and Prometheus: OS threads',
  go_memstats_heap_inuse_bytes: 'controllers and Prometheus: heap in use',
  go_memstats_alloc_bytes: 'controllers and Prometheus: heap allocated and in use',
  go_memstats_alloc_bytes_total: 'controllers and Prometheus: heap allocated, cumulative',
  go_memstats_stack_inuse_bytes: 'controllers and Prometheus: stack in use',
  go_gc_duration_seconds: 'controllers and Prometheus: garbage-collection pause summary (quantile label)',
  // Controllers: gRPC (destination, identity, policy) and the Kubernetes API.
  grpc_server_started_total: 'controllers: gRPC calls started',
  grpc_server_handled_total: 'controllers: gRPC calls completed, by grpc_code',
  grpc_server_msg_sent_total: 'controllers: gRPC stream messages sent',
  grpc_server_msg_received_total: 'controllers: gRPC stream messages received',
  http_client_requests_total: 'controllers: requests to the Kubernetes API, by code',
  http_client_request_latency_seconds_bucket: 'controllers: Kubernetes API request latency histogram, seconds (buckets)',
  http_client_in_flight_requests: 'controllers: Kubernetes API requests in flight',
  http_server_requests_total: 'controllers: HTTP requests served (admin, webhooks), by code',
  http_server_request_latency_seconds_bucket: 'controllers: HTTP request latency histogram, seconds (buckets)',
  // Multicluster service mirrors (scrape job linkerd-multicluster-controller), per linked cluster (target_cluster_name).
  gateway_alive: 'service mirror: 1 while the linked cluster\u2019s gateway answers its probes, else 0',
  gateway_probes: 'service mirror: gateway probes made, by probe_successful (a counter without _total)',
  gateway_probe_latency_ms_bucket: 'service mirror: gateway probe latency histogram, milliseconds (buckets)',
  service_mirror_endpoint_repairs: 'service mirror: attempts to repair the mirror services\u2019 endpoints (a counter without _total)',
  // The viz Prometheus and its scrapes.
  up: 'Prometheus (synthetic, per target): 1 if the last scrape succeeded',
  scrape_duration_seconds: 'Prometheus (synthetic, per target): duration of the last scrape',
  scrape_samples_scraped: 'Prometheus (synthetic, per target): samples of the last scrape',
  prometheus_tsdb_head_series: 'Prometheus: series in the head block',
  prometheus_tsdb_head_samples_appended_total: 'Prometheus: samples appended to the head block',
  prometheus_tsdb_compactions_total: 'Prometheus: block compactions',
  prometheus_tsdb_compactions_failed_total: 'Prometheus: failed block compactions',
  prometheus_tsdb_storage_blocks_bytes: 'Prometheus: bytes of the persisted blocks',
  prometheus_engine_query_duration_seconds: 'Prometheus: query duration summary, by slice and quantile',
  // cAdvisor (scrape job kubernetes-nodes-cadvisor; node labels such as kubernetes_io_hostname).
  container_cpu_usage_seconds_total: 'cAdvisor: CPU time per cgroup (container, pod, or the node root id="/")',
  container_memory_working_set_bytes: 'cAdvisor: working-set memory per cgroup',
  container_cpu_cfs_periods_total: 'cAdvisor: CFS enforcement periods of a container',
  container_cpu_cfs_throttled_periods_total: 'cAdvisor: CFS periods in which a container was throttled',
  container_network_receive_bytes_total: 'cAdvisor: bytes received, per pod cgroup and interface',
  container_network_transmit_bytes_total: 'cAdvisor: bytes sent, per pod cgroup and interface',
  machine_cpu_cores: 'cAdvisor: CPU cores of the node',
  machine_memory_bytes: 'cAdvisor: memory of the node',
};

/** Whether the dashboards may query `name`. */
export function isLinkerdMetric(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(LINKERD_METRICS, name);
}
