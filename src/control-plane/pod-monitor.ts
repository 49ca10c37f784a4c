/**
 * Prometheus Operator PodMonitors for the controllers, the multicluster service mirrors
 * and every meshed proxy (upstream's podmonitor.yaml): each keeps the admin port of the
 * containers it is about and relabels pod labels the way linkerd-viz's Prometheus does.
 */
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { Construct } from 'constructs';
import { load as loadYaml } from 'js-yaml';
import { renderTpl, tplProblem } from '../helm/expr';
import { Component, K8sObject } from '../helm/object';
import type { ValuesProblem } from '../values/model';
import { createdBy, type CpValues } from './metadata';
import type { ControlPlaneValues } from './values';

type PodMonitorSpec = IPodMonitor['spec'];
type Relabeling = NonNullable<NonNullable<PodMonitorSpec['podMetricsEndpoints']>[number]['relabelings']>[number];

const keep = (sourceLabels: string[], regex: string): Relabeling => ({ sourceLabels, action: 'keep', regex });
const drop = (sourceLabels: string[], regex: string): Relabeling => ({ sourceLabels, action: 'drop', regex });
const copy = (sourceLabel: string, targetLabel: string): Relabeling => ({ sourceLabels: [sourceLabel], action: 'replace', targetLabel });
const labelmap = (regex: string, replacement?: string): Relabeling => ({ action: 'labelmap', regex, ...(replacement ? { replacement } : {}) });
const labeldrop = (regex: string): Relabeling => ({ action: 'labeldrop', regex });

const CONTAINER_NAME = '__meta_kubernetes_pod_container_name';
const PORT_NAME = '__meta_kubernetes_pod_container_port_name';

/** Every admin port but the proxies', named after its container. */
const controllerRelabelings = (scope: Relabeling): Relabeling[] => [scope, drop([PORT_NAME], 'linkerd-admin'), copy(CONTAINER_NAME, 'component')];

export class PodMonitors extends Component {
  constructor(scope: Construct, id: string, v: CpValues) {
    super(scope, id, 'podmonitor.yaml');
    const ns = v.release.namespace;
    const pm = v.section('podMonitor');

    const podMonitor = (key: 'controller' | 'serviceMirror' | 'proxy', name: string, namespaceSelector: PodMonitorSpec['namespaceSelector'], relabelings: Relabeling[]) => {
      v.when(v.and('podMonitor.enabled', `podMonitor.${key}.enabled`), () => {
        const spec: PodMonitorSpec = {
          namespaceSelector,
          selector: { matchLabels: {} },
          podMetricsEndpoints: [
            { interval: pm.scrapeInterval, scrapeTimeout: pm.scrapeTimeout, honorTimestamps: pm[key].honorTimestamps, relabelings },
          ],
        };
        new K8sObject(this, name, {
          apiVersion: 'monitoring.coreos.com/v1',
          kind: 'PodMonitor',
          metadata: {
            name,
            namespace: ns,
            labels: { ...v.owned({ 'linkerd.io/control-plane-ns': ns }), ...v.spreadMap(v.ref('commonLabels')), ...v.spreadMap(pm.labels) },
            annotations: createdBy(v),
          },
          spec,
        });
      });
    };

    podMonitor('controller', 'linkerd-controller', v.tplYaml(pm.controller.namespaceSelector), controllerRelabelings(keep([PORT_NAME], '.*-admin$')));
    podMonitor(
      'serviceMirror',
      'linkerd-multicluster-controller',
      { any: true },
      controllerRelabelings(keep(['__meta_kubernetes_pod_label_linkerd_io_control_plane_component', PORT_NAME], '(linkerd-service-mirror|controller);.*-admin$')),
    );
    podMonitor('proxy', 'linkerd-proxy', { any: true }, [
      keep([CONTAINER_NAME, PORT_NAME, '__meta_kubernetes_pod_label_linkerd_io_control_plane_ns'], v.fmt`^linkerd-proxy;linkerd-admin;${ns}$`),
      copy('__meta_kubernetes_namespace', 'namespace'),
      copy('__meta_kubernetes_pod_name', 'pod'),
      copy('__meta_kubernetes_pod_label_linkerd_io_proxy_job', 'k8s_job'),
      labeldrop('__meta_kubernetes_pod_label_linkerd_io_proxy_job'),
      labelmap('__meta_kubernetes_pod_label_linkerd_io_proxy_(.+)'),
      labeldrop('__meta_kubernetes_pod_label_linkerd_io_proxy_(.+)'),
      labelmap('__meta_kubernetes_pod_label_linkerd_io_(.+)'),
      labelmap('__meta_kubernetes_pod_label_(.+)', '__tmp_pod_label_$1'),
      labelmap('__tmp_pod_label_linkerd_io_(.+)', '__tmp_pod_label_$1'),
      labeldrop('__tmp_pod_label_linkerd_io_(.+)'),
      labelmap('__tmp_pod_label_(.+)'),
    ]);
  }
}

/** The controller PodMonitor's namespaceSelector must be a YAML mapping using only release facts as template text. */
export function checkPodMonitorValues(values: ControlPlaneValues): ValuesProblem[] {
  const key = 'podMonitor.controller.namespaceSelector';
  const text = values.podMonitor.controller.namespaceSelector;
  const problem = tplProblem(text);
  if (problem) return [{ key, message: problem }];
  let parsed: unknown;
  try {
    parsed = loadYaml(renderTpl(text, { name: 'release', namespace: 'namespace' }));
  } catch (e) {
    return [{ key, message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }];
  }
  if (parsed === null || parsed === undefined) return [];
  const selector = parsed as Record<string, unknown>;
  const ok =
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.keys(selector).every((k) => k === 'any' || k === 'matchNames') &&
    (selector.any === undefined || typeof selector.any === 'boolean') &&
    (selector.matchNames === undefined || (Array.isArray(selector.matchNames) && selector.matchNames.every((n) => typeof n === 'string')));
  if (!ok) return [{ key, message: 'must be a YAML namespace selector: `any: true` and/or `matchNames:` with a list of names' }];
  return [];
}
