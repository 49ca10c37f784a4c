/**
 * Alerting rules for the mesh (our addition; no Linkerd distribution ships alerts): loaded by
 * the viz Prometheus from a ConfigMap through `rule_files` (`alerts.enabled`), and rendered as a
 * prometheus-operator PrometheusRule for a Prometheus of your own (`alerts.prometheusRule.enabled`).
 * They read the labels the viz scrape jobs give (./prometheus-config.ts): `job`, `component`
 * (controllers), `namespace`, `pod`, `workload`, `control_plane_ns` (proxies). Thresholds are
 * values; docs/dashboards.md lists the rules and test/viz-alerts.test.ts fires each one with
 * `promtool test rules`.
 */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { extensionLabels, extensionMeta } from '../extension/metadata';
import type { Vv } from './metadata';

export interface AlertingRule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string };
}
export interface RuleGroup {
  name: string;
  rules: AlertingRule[];
}

/** The file the viz Prometheus loads (it matches prometheus.yml's `/etc/prometheus/*_rules.yml`). */
export const RULES_FILE = 'linkerd_rules.yml';
export const RULES_CONFIG_MAP = 'prometheus-rules';

/** The controllers of the control plane, by container name (the `component` label of the `linkerd-controller` job). */
export const CONTROL_PLANE_COMPONENTS = ['destination', 'identity', 'policy', 'proxy-injector', 'sp-validator'] as const;

const PROXY = 'job="linkerd-proxy"';
const INBOUND = `${PROXY}, direction="inbound"`;
const WINDOW = '5m';
const BY_WORKLOAD = 'namespace, workload';
const inboundRate = (metric: string, extra = '') => `sum by (${BY_WORKLOAD}) (rate(${metric}{${INBOUND}${extra}}[${WINDOW}]))`;

/** The control plane's rules: a controller down, a proxy certificate or the identity issuer not renewed. */
function controlPlaneRules(v: Vv): AlertingRule[] {
  const a = v.section('alerts');
  return [
    ...CONTROL_PLANE_COMPONENTS.map((component) => {
      const up = `up{job="linkerd-controller", component="${component}"}`;
      return {
        alert: 'LinkerdControlPlaneComponentDown',
        // No target at all (every pod gone) or none that answers.
        expr: `sum(${up}) < 1 or absent(${up})`,
        for: a.controlPlaneDownFor,
        labels: { severity: 'critical', component },
        annotations: {
          summary: `The Linkerd ${component} controller is down`,
          description: `No ${component} pod of the control plane answers scrapes of its admin port: meshed pods lose discovery, identity or injection.`,
        },
      };
    }),
    {
      alert: 'LinkerdProxyCertificateNotRenewed',
      expr: v.fmt`min by (namespace, pod) (control_identity_cert_expiration_timestamp_seconds{${PROXY}}) - time() < ${a.proxyCertificateHours} * 3600`,
      for: '10m',
      labels: { severity: 'critical' },
      annotations: {
        summary: 'A proxy\u2019s mTLS certificate is not being renewed',
        description: 'The proxy of {{ $labels.namespace }}/{{ $labels.pod }} has a certificate that expires in {{ $value | humanizeDuration }}: the identity controller is not renewing it.',
      },
    },
    {
      alert: 'LinkerdIdentityIssuerCertificateExpiring',
      expr: v.fmt`min by (name) (certmanager_certificate_expiration_timestamp_seconds{name="linkerd-identity-issuer"}) - time() < ${a.issuerCertificateDays} * 86400`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The identity issuer certificate expires soon',
        description: 'The cert-manager Certificate linkerd-identity-issuer expires in {{ $value | humanizeDuration }} and has not been renewed; once it expires, no proxy gets a new certificate.',
      },
    },
  ];
}

/** The meshed workloads' rules: low success rate or high latency under load, proxies of another version than the control plane. */
function workloadRules(v: Vv): AlertingRule[] {
  const a = v.section('alerts');
  const cpNs = v.ref('linkerdNamespace');
  const busy = v.fmt`${inboundRate('response_total')} >= ${a.minRequestRate}`;
  return [
    {
      alert: 'LinkerdWorkloadSuccessRateLow',
      // A workload that answers nothing but failures has no success series: count it as 0.
      // One clause a line: the rules file stays readable (and within 300 columns) in dist/.
      expr: v.fmt`(${inboundRate('response_total', ', classification="success"')}\n  or 0 * ${inboundRate('response_total')})\n/ ${inboundRate('response_total')}\n< ${a.successRate}\nand on (${BY_WORKLOAD}) ${busy}`,
      for: a.trafficFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'A workload\u2019s success rate is low',
        description: '{{ $labels.workload }} in {{ $labels.namespace }} answers only {{ $value | humanizePercentage }} of its requests successfully.',
      },
    },
    {
      alert: 'LinkerdWorkloadLatencyHigh',
      expr: v.fmt`histogram_quantile(0.99, sum by (${BY_WORKLOAD}, le) (rate(response_latency_ms_bucket{${INBOUND}}[${WINDOW}])))\n> ${a.latencyP99Ms}\nand on (${BY_WORKLOAD}) ${busy}`,
      for: a.trafficFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'A workload\u2019s p99 latency is high',
        description: '{{ $labels.workload }} in {{ $labels.namespace }} answers 1% of its requests in more than {{ $value }} ms.',
      },
    },
    {
      alert: 'LinkerdProxyVersionMismatch',
      expr: v.fmt`count by (namespace, workload, version) (proxy_build_info{${PROXY}}) unless on (version) count by (version) (proxy_build_info{${PROXY}, namespace="${cpNs}"})`,
      for: a.proxyVersionFor,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Proxies run another version than the control plane',
        description: '{{ $labels.workload }} in {{ $labels.namespace }} runs proxy {{ $labels.version }}, which no control-plane proxy runs: restart it to get the current proxy.',
      },
    },
  ];
}

export function alertRuleGroups(v: Vv): RuleGroup[] {
  return [
    { name: 'linkerd-control-plane', rules: controlPlaneRules(v) },
    { name: 'linkerd-workloads', rules: workloadRules(v) },
  ];
}

/** The rules as a PrometheusRule, for prometheus-operator users (off by default; works with or without the bundled Prometheus). */
export class AlertRules extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'prometheus-rule.yaml');
    v.when('alerts.prometheusRule.enabled', () => {
      new K8sObject(this, 'rule', {
        kind: 'PrometheusRule',
        apiVersion: 'monitoring.coreos.com/v1',
        metadata: {
          ...extensionMeta(v, 'linkerd-viz-alerts', 'prometheus'),
          labels: { ...extensionLabels(v, 'prometheus'), ...(v.spreadMap(v.ref('alerts.prometheusRule.labels')) as Record<string, string>) },
        },
        spec: { groups: alertRuleGroups(v) },
      });
    });
  }
}
