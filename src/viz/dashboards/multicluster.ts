/**
 * The multicluster dashboard (`linkerd-multicluster`): traffic between this cluster and the
 * clusters it is linked to (linkerd-multicluster, gateway mode).
 *
 * Where the numbers come from (linkerd2 edge-26.8.3, linkerd2-proxy release/v2.366.0):
 *
 * - **To linked clusters.** A mirrored service's endpoints carry the labels
 *   `mirror.linkerd.io/cluster-name` and `multicluster.linkerd.io/remote-svc-fq-name`; the
 *   destination controller turns them into the metric labels `target_cluster`,
 *   `target_service` and `target_service_namespace` (controller/api/destination/watcher
 *   port_publisher.go metricLabels), and the client proxy puts them, prefixed `dst_`, on its
 *   outbound HTTP and TCP metrics (app/outbound http/concrete.rs, opaq/concrete.rs). So
 *   `dst_target_cluster` is the linked cluster whose gateway the request went through, and
 *   `dst_service` the mirror service the client called (`<name>-<cluster>`).
 * - **This cluster's gateway.** The gateway's proxy accepts the linked clusters'
 *   connections on its inbound port with a transport header (app/inbound direct.rs): it
 *   counts them as inbound TCP connections (`peer="src"`, `client_id` of the remote client),
 *   authorizes them (`inbound_{tcp,http}_authz_*`), counts them by target in
 *   `inbound_tcp_transport_header_connections_total` (`target_name`, `client_id`,
 *   app/inbound direct/metrics.rs) and forwards the requests through its outbound stack
 *   (app/gateway), so their HTTP golden signals are its outbound metrics, by `dst_*`; it has
 *   no inbound `request_total`. The gateway is selected by its pods' labels (`app`, the
 *   gateway's name, and `extension="multicluster"`, from `linkerd.io/extension`).
 * - **Service mirrors.** Each service mirror probes its linked cluster's gateway and exports
 *   `gateway_alive`, `gateway_probes` (`probe_successful`), `gateway_probe_latency_ms` and
 *   `service_mirror_endpoint_repairs`, labelled `target_cluster_name`
 *   (multicluster/service-mirror metrics.go), scraped by the `linkerd-multicluster-controller` job.
 *
 * Upstream's dashboard shows the same client-side traffic (`dst_target_cluster`,
 * `dst_target_service`); the gateway, caller and probe rows are ours.
 */
import {
  authorizationPanel,
  goldenSignals,
  headline,
  labelVariable,
  linkerdDashboard,
  promql,
  quantilesPanel,
  seriesName,
  statPanel,
  tcpPanels,
  timeseriesPanel,
  trafficRow,
  WORKLOAD,
  type Matchers,
} from './builders';

/** Builds the multicluster dashboard. */
export function multiclusterDashboard() {
  const toLinked: Matchers = ['direction="outbound"', 'dst_target_cluster=~"$cluster"'];
  const gateway: Matchers = ['extension="multicluster"', 'app=~"$gateway"'];
  const probes: Matchers = ['target_cluster_name=~"$cluster"'];
  const byCluster = ['target_cluster_name'];
  const cluster = seriesName(byCluster);
  return linkerdDashboard({
    uid: 'linkerd-multicluster',
    title: 'Linkerd Multicluster',
    description:
      'Traffic between this cluster and its linked clusters: what this cluster sends to mirrored services (by linked cluster, mirror service and caller), what its gateway receives from the linked clusters and forwards, and how the service mirrors\u2019 gateway probes do.',
    variables: [
      labelVariable('cluster', 'label_values(tcp_open_total{direction="outbound", peer="dst"}, dst_target_cluster)', { label: 'Linked cluster', all: '.+' }),
      labelVariable('gateway', 'label_values(process_start_time_seconds{job="linkerd-proxy", extension="multicluster"}, app)', { label: 'Gateway of this cluster', all: '.+' }),
    ],
    rows: [
      [
        'Overview',
        [
          ...headline(toLinked),
          statPanel('Gateways alive', 'short', promql.gauge('gateway_alive', probes), 12),
          statPanel('Mirrored services called', 'short', promql.distinct('tcp_open_total', [...toLinked, 'peer="dst"'], ['dst_namespace', 'dst_service']), 12),
        ],
      ],
      trafficRow('To linked clusters', toLinked, ['dst_target_cluster']),
      ['To mirrored services', goldenSignals(toLinked, ['dst_target_cluster', 'dst_namespace', 'dst_service'])],
      ['Callers of mirrored services', goldenSignals(toLinked, ['namespace', WORKLOAD])],
      [
        'Gateway: from linked clusters',
        [
          ...tcpPanels([...gateway, 'direction="inbound"'], ['app']),
          timeseriesPanel('Connections by target', 'cps', [[promql.counterRate('inbound_tcp_transport_header_connections_total', gateway, ['target_name']), seriesName(['target_name'])]]),
          authorizationPanel('http', gateway),
          authorizationPanel('tcp', gateway),
        ],
      ],
      ['Gateway: forwarded to services', goldenSignals([...gateway, 'direction="outbound"'], ['dst_namespace', 'dst_service'])],
      [
        'Service mirrors: gateway probes',
        [
          timeseriesPanel('Gateway alive', 'short', [[promql.gauge('gateway_alive', probes, byCluster, 'min'), cluster]], { width: 6, max: 1 }),
          timeseriesPanel('Probes', 'ops', [[promql.counterRate('gateway_probes', probes, [...byCluster, 'probe_successful']), seriesName([...byCluster, 'probe_successful'])]], { width: 6 }),
          quantilesPanel('Probe latency', 'gateway_probe_latency_ms_bucket', 'ms', probes, byCluster).span(6),
          timeseriesPanel('Endpoint repairs', 'ops', [[promql.counterRate('service_mirror_endpoint_repairs', probes, byCluster), cluster]], { width: 6 }),
        ],
      ],
    ],
  });
}
