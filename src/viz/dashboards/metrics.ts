/**
 * The metrics the Linkerd dashboards may query: what the proxy (admin port 4191, scraped
 * by the `linkerd-proxy` job) and the Go controllers (`linkerd-controller` job) export.
 * A test parses every dashboard query and fails on any metric not listed here.
 */
export const LINKERD_METRICS: Readonly<Record<string, string>> = {
  request_total: 'proxy: HTTP/gRPC requests, by direction, authority, tls, dst_* labels',
  response_total: 'proxy: HTTP/gRPC responses, with classification (success/failure) and status_code',
  response_latency_ms_bucket: 'proxy: response latency histogram (milliseconds)',
  route_request_total: 'proxy: requests per ServiceProfile route (rt_route)',
  route_response_total: 'proxy: responses per ServiceProfile route',
  route_response_latency_ms_bucket: 'proxy: response latency per ServiceProfile route (milliseconds)',
  tcp_open_total: 'proxy: TCP connections opened',
  tcp_close_total: 'proxy: TCP connections closed, with errno for failures',
  tcp_open_connections: 'proxy: TCP connections open now',
  tcp_read_bytes_total: 'proxy: bytes read from peers',
  tcp_write_bytes_total: 'proxy: bytes written to peers',
  tcp_connection_duration_ms_bucket: 'proxy: TCP connection lifetime histogram (milliseconds)',
  inbound_http_authz_allow_total: 'proxy: inbound HTTP requests allowed by policy',
  inbound_http_authz_deny_total: 'proxy: inbound HTTP requests denied by policy',
  inbound_tcp_authz_allow_total: 'proxy: inbound TCP connections allowed by policy',
  inbound_tcp_authz_deny_total: 'proxy: inbound TCP connections denied by policy',
  identity_cert_expiration_timestamp_seconds: 'proxy: when the proxy\u2019s mTLS certificate expires',
  process_start_time_seconds: 'proxy and controllers: process start (used to list workloads)',
  process_cpu_seconds_total: 'proxy and controllers: CPU time',
  process_resident_memory_bytes: 'proxy and controllers: resident memory',
  process_virtual_memory_bytes: 'proxy and controllers: virtual memory',
  process_open_fds: 'proxy and controllers: open file descriptors',
  go_goroutines: 'controllers: goroutines',
  go_threads: 'controllers: OS threads',
  go_memstats_heap_inuse_bytes: 'controllers: heap in use',
  go_gc_duration_seconds: 'controllers: garbage-collection pause summary',
  grpc_server_handled_total: 'controllers: gRPC calls served (destination, identity), by grpc_code',
  grpc_server_msg_sent_total: 'controllers: gRPC messages sent',
  grpc_server_msg_received_total: 'controllers: gRPC messages received',
  http_client_requests_total: 'controllers: requests to the Kubernetes API',
  http_client_request_latency_seconds_bucket: 'controllers: Kubernetes API request latency',
};
