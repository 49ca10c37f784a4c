/**
 * The authority dashboard (`linkerd-authority`): traffic to one authority (the `host:port` a
 * client asked for), as the meshed clients' proxies measure it.
 *
 * The proxy puts `authority` on outbound metrics only: since proxy v2.277 inbound metrics
 * have no `authority`, and since v2.290 only a proxy run with
 * `LINKERD2_PROXY_INBOUND_METRICS_AUTHORITY_LABELS=unsafe` adds it (an unbounded label: any
 * Host header a client sends). So the servers are shown by the `dst_*` labels the
 * destination controller gives the endpoints, and clients that are not meshed are not seen.
 */
import { DST_WORKLOAD, goldenSignals, headline, labelVariable, linkerdDashboard, tcpPanels, WORKLOAD, type Matchers } from './builders';

/** Builds the authority dashboard. */
export function authorityDashboard() {
  const toAuthority: Matchers = ['dst_namespace="$namespace"', 'authority="$authority"', 'direction="outbound"'];
  return linkerdDashboard({
    uid: 'linkerd-authority',
    title: 'Linkerd Authority',
    description:
      'Traffic to one authority (host:port) as its meshed clients measure it: the workloads and pods that serve it, and the workloads and pods that call it. (Proxies put authority on outbound metrics only.)',
    variables: [
      labelVariable('namespace', 'label_values(tcp_open_total{direction="outbound", peer="dst"}, dst_namespace)', { label: 'Namespace of the servers' }),
      labelVariable('authority', 'label_values(tcp_open_total{direction="outbound", peer="dst", dst_namespace="$namespace"}, authority)'),
    ],
    rows: [
      ['Overview', headline(toAuthority)],
      ['Served by workload', goldenSignals(toAuthority, [DST_WORKLOAD])],
      ['Served by pod', goldenSignals(toAuthority, ['dst_pod'])],
      ['Requested by workload', [...goldenSignals(toAuthority, ['namespace', WORKLOAD]), ...tcpPanels(toAuthority, ['namespace', WORKLOAD])]],
      ['Requested by pod', goldenSignals(toAuthority, ['namespace', 'pod'])],
    ],
  });
}
