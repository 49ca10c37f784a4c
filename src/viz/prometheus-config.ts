/**
 * The viz Prometheus configuration (prometheus.yml) as typed data: the scrape jobs for the
 * proxies (admin port 4191, `linkerd-admin`), the control-plane and viz controllers, the
 * multicluster service mirrors, cAdvisor and Prometheus itself, plus what the user adds
 * through values. Tests run `promtool check config` on the rendered file.
 */
import type { Vv } from './metadata';
import { DST_WORKLOAD_RELABEL, WORKLOAD_RELABEL } from './workload-labels';

/** One relabeling step (Prometheus `relabel_config`). */
export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: 'replace' | 'keep' | 'drop' | 'labelmap' | 'labeldrop' | 'labelkeep' | 'hashmod' | 'keepequal' | 'dropequal' | 'lowercase' | 'uppercase';
}

export interface KubernetesSdConfig {
  role: 'node' | 'pod' | 'service' | 'endpoints' | 'endpointslice' | 'ingress';
  namespaces?: { names: string[] };
}

export interface ScrapeConfig {
  job_name: string;
  scheme?: 'http' | 'https';
  tls_config?: { ca_file?: string; insecure_skip_verify?: boolean };
  bearer_token_file?: string;
  static_configs?: { targets: string[] }[];
  kubernetes_sd_configs?: KubernetesSdConfig[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
}

export interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
  alerting?: { alert_relabel_configs?: unknown[]; alertmanagers?: unknown[] };
  remote_write?: unknown[];
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const PORT_NAME = '__meta_kubernetes_pod_container_port_name';
const CONTAINER_NAME = '__meta_kubernetes_pod_container_name';

const copy = (from: string, to: string): RelabelConfig => ({ source_labels: [from], action: 'replace', target_label: to });

/** Every admin port except the proxies', labelled with its container as `component`. */
function controllerJob(jobName: string, keep: RelabelConfig, namespaces?: string[]): ScrapeConfig {
  return {
    job_name: jobName,
    kubernetes_sd_configs: [{ role: 'pod', ...(namespaces ? { namespaces: { names: namespaces } } : {}) }],
    relabel_configs: [keep, { source_labels: [PORT_NAME], action: 'drop', regex: 'linkerd-admin' }, copy(CONTAINER_NAME, 'component')],
  };
}

/**
 * The proxies of the mesh: running pods whose proxy container's `linkerd-admin` port
 * belongs to this control plane. Pod labels become metric labels (`linkerd.io/proxy-*`
 * ones without the prefix, `job` as `k8s_job` so it does not clash with Prometheus' own;
 * `cronjob` also for a CronJob's pods that the webhook injected), and the `workload` and
 * `dst_workload` labels the dashboards break traffic down by (./workload-labels.ts).
 */
function proxyJob(v: Vv): ScrapeConfig {
  const container = v.orElse(v.ref('proxyContainerName') as string, 'linkerd-proxy');
  const metricRelabel = v.ref('prometheus.metricRelabelConfigs') as RelabelConfig[];
  return {
    job_name: 'linkerd-proxy',
    kubernetes_sd_configs: [{ role: 'pod' }],
    relabel_configs: [
      { source_labels: ['__meta_kubernetes_pod_phase'], regex: '(Pending|Running)', action: 'keep' },
      {
        source_labels: [CONTAINER_NAME, PORT_NAME, '__meta_kubernetes_pod_label_linkerd_io_control_plane_ns'],
        action: 'keep',
        regex: v.fmt`^${container};linkerd-admin;${v.ref('linkerdNamespace')}$`,
      },
      copy('__meta_kubernetes_namespace', 'namespace'),
      copy('__meta_kubernetes_pod_name', 'pod'),
      copy('__meta_kubernetes_pod_label_linkerd_io_proxy_job', 'k8s_job'),
      // The injector's webhook labels a CronJob's pod with no workload (its owner is a Job
      // that has an owner): name the CronJob after the Job, `<cronjob>-<scheduled minute>`.
      {
        source_labels: ['__meta_kubernetes_pod_label_linkerd_io_proxy_job', '__meta_kubernetes_pod_controller_kind', '__meta_kubernetes_pod_controller_name'],
        regex: ';Job;(.+)-[0-9]+',
        action: 'replace',
        target_label: 'cronjob',
        replacement: '$1',
      },
      { action: 'labeldrop', regex: '__meta_kubernetes_pod_label_linkerd_io_proxy_job' },
      { action: 'labelmap', regex: '__meta_kubernetes_pod_label_linkerd_io_proxy_(.+)' },
      { action: 'labeldrop', regex: '__meta_kubernetes_pod_label_linkerd_io_proxy_(.+)' },
      { action: 'labelmap', regex: '__meta_kubernetes_pod_label_linkerd_io_(.+)' },
      { action: 'labelmap', regex: '__meta_kubernetes_pod_label_(.+)', replacement: '__tmp_pod_label_$1' },
      { action: 'labelmap', regex: '__tmp_pod_label_linkerd_io_(.+)', replacement: '__tmp_pod_label_$1' },
      { action: 'labeldrop', regex: '__tmp_pod_label_linkerd_io_(.+)' },
      { action: 'labelmap', regex: '__tmp_pod_label_(.+)' },
      // `workload` = <kind>/<name> for the dashboards (./workload-labels.ts), after every pod label.
      ...WORKLOAD_RELABEL,
    ],
    // `dst_workload` likewise, then the user's rules.
    metric_relabel_configs: [...DST_WORKLOAD_RELABEL, ...v.splice(metricRelabel)],
  };
}

/** Container metrics of every node through the API server's proxy (for the resource panels). */
const CADVISOR_JOB: ScrapeConfig = {
  job_name: 'kubernetes-nodes-cadvisor',
  scheme: 'https',
  tls_config: { ca_file: `${SERVICE_ACCOUNT}/ca.crt`, insecure_skip_verify: true },
  bearer_token_file: `${SERVICE_ACCOUNT}/token`,
  kubernetes_sd_configs: [{ role: 'node' }],
  relabel_configs: [
    { action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' },
    { target_label: '__address__', replacement: 'kubernetes.default.svc:443' },
    { source_labels: ['__meta_kubernetes_node_name'], regex: '(.+)', target_label: '__metrics_path__', replacement: '/api/v1/nodes/$1/proxy/metrics/cadvisor' },
  ],
  metric_relabel_configs: [
    { source_labels: ['__name__'], regex: '(container|machine)_(cpu|memory|network|fs)_(.+)', action: 'keep' },
    { source_labels: ['__name__'], regex: 'container_memory_failures_total', action: 'drop' },
  ],
};

export function prometheusConfig(v: Vv): PrometheusConfig {
  const p = v.section('prometheus');
  const alerting = v.or(v.truthy(p.alertmanagers), v.truthy(p.alertRelabelConfigs));
  return {
    global: v.ref('prometheus.globalConfig'),
    rule_files: ['/etc/prometheus/*_rules.yml', '/etc/prometheus/*_rules.yaml'],
    scrape_configs: [
      { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
      CADVISOR_JOB,
      controllerJob('linkerd-controller', { source_labels: [PORT_NAME], action: 'keep', regex: '.*admin$' }, [v.ref('linkerdNamespace'), v.release.namespace]),
      controllerJob('linkerd-multicluster-controller', {
        source_labels: ['__meta_kubernetes_pod_label_component', PORT_NAME],
        action: 'keep',
        regex: '(linkerd-service-mirror|controller);.*-admin$',
      }),
      proxyJob(v),
      ...(v.splice(p.scrapeConfigs ?? undefined) as ScrapeConfig[]),
    ],
    alerting: v.maybe(alerting, {
      alert_relabel_configs: v.maybe(v.truthy(p.alertRelabelConfigs), p.alertRelabelConfigs),
      alertmanagers: v.maybe(v.truthy(p.alertmanagers), p.alertmanagers),
    }) as PrometheusConfig['alerting'],
    remote_write: v.maybe(v.truthy(p.remoteWrite), p.remoteWrite) as unknown[] | undefined,
  };
}
