/**
 * The Kubernetes dashboard (`linkerd-kubernetes`): CPU, memory and network of the nodes, the
 * namespaces, the pods and the containers, from the viz Prometheus' `kubernetes-nodes-cadvisor`
 * job (cAdvisor through the API server; node labels become labels, so the node is
 * `kubernetes_io_hostname`). cAdvisor reports a cgroup per container (`container` set), per
 * pod (`container=""`, where the network counters are) and the node's root (`id="/"`).
 * The job keeps only `container_*` and `machine_*` series of CPU, memory, network and
 * file systems, so container limits are not available.
 */
import { labelVariable, linkerdDashboard, promql, seriesName, statPanel, timeseriesPanel, type Labels, type Matchers, type PanelBuilder } from './builders';

const CPU = 'container_cpu_usage_seconds_total';
const MEMORY = 'container_memory_working_set_bytes';

/** CPU, memory, network and (for containers) CFS throttling of a selector, broken down by `labels`. */
function resourcePanels(containers: Matchers, pods: Matchers, labels: Labels, throttling: boolean): PanelBuilder[] {
  const name = seriesName(labels);
  const panels: PanelBuilder[] = [
    timeseriesPanel('CPU', 'short', [[promql.counterRate(CPU, containers, labels), name]]),
    timeseriesPanel('Memory (working set)', 'bytes', [[promql.gauge(MEMORY, containers, labels), name]]),
  ];
  if (throttling) {
    panels.push(
      timeseriesPanel('CPU throttled', 'percentunit', [
        [promql.ratio(promql.counterRate('container_cpu_cfs_throttled_periods_total', containers, labels), promql.counterRate('container_cpu_cfs_periods_total', containers, labels)), name],
      ]),
    );
  } else {
    panels.push(
      timeseriesPanel('Network', 'Bps', [
        [promql.counterRate('container_network_receive_bytes_total', pods, labels), `received ${name}`],
        [promql.counterRate('container_network_transmit_bytes_total', pods, labels), `sent ${name}`],
      ]),
    );
  }
  return panels;
}

/** Builds the Kubernetes dashboard. */
export function kubernetesDashboard() {
  const node = 'kubernetes_io_hostname=~"$node"';
  const root: Matchers = ['id="/"', node];
  const machines: Matchers = [node];
  const containers: Matchers = ['container!=""', 'container!="POD"', 'namespace=~"$namespace"', node];
  const pods: Matchers = ['container=""', 'pod!=""', 'namespace=~"$namespace"', node];
  const byNode = ['kubernetes_io_hostname'];
  const nodeName = seriesName(byNode);
  return linkerdDashboard({
    uid: 'linkerd-kubernetes',
    title: 'Linkerd Kubernetes',
    description: 'CPU, memory and network of the nodes, namespaces, pods and containers (the Linkerd proxies among them), from cAdvisor.',
    variables: [
      labelVariable('node', 'label_values(machine_cpu_cores, kubernetes_io_hostname)', { all: true }),
      labelVariable('namespace', `label_values(${CPU}{namespace!=""}, namespace)`, { all: true }),
    ],
    rows: [
      [
        'Overview',
        [
          statPanel('CPU used', 'percentunit', promql.ratio(promql.counterRate(CPU, root), promql.gauge('machine_cpu_cores', machines))),
          statPanel('Memory used', 'percentunit', promql.ratio(promql.gauge(MEMORY, root), promql.gauge('machine_memory_bytes', machines))),
          statPanel('CPU cores', 'short', promql.gauge('machine_cpu_cores', machines)),
          statPanel('Memory', 'bytes', promql.gauge('machine_memory_bytes', machines)),
        ],
      ],
      [
        'Nodes',
        [
          timeseriesPanel('CPU used', 'percentunit', [[promql.ratio(promql.counterRate(CPU, root, byNode), promql.gauge('machine_cpu_cores', machines, byNode)), nodeName]]),
          timeseriesPanel('Memory used', 'percentunit', [[promql.ratio(promql.gauge(MEMORY, root, byNode), promql.gauge('machine_memory_bytes', machines, byNode)), nodeName]]),
          timeseriesPanel('Network', 'Bps', [
            [promql.counterRate('container_network_receive_bytes_total', ['container=""', 'pod!=""', node], byNode), `received ${nodeName}`],
            [promql.counterRate('container_network_transmit_bytes_total', ['container=""', 'pod!=""', node], byNode), `sent ${nodeName}`],
          ]),
        ],
      ],
      ['By namespace', resourcePanels(containers, pods, ['namespace'], false)],
      ['By pod', resourcePanels(containers, pods, ['namespace', 'pod'], false)],
      ['By container', resourcePanels(containers, pods, ['namespace', 'pod', 'container'], true)],
      ['Linkerd proxies', resourcePanels([...containers, 'container="linkerd-proxy"'], pods, ['namespace', 'pod'], true)],
    ],
  });
}
