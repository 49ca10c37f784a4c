/**
 * The pieces every Linkerd dashboard is built from (Grafana Foundation SDK): the
 * datasource and label variables, and one builder per kind of panel, parameterized by
 * the label selector of what the dashboard is about.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** Every query goes to the dashboard's datasource variable (the provisioned datasource has uid `prometheus`). */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** A label selector, as matchers: `['namespace="$namespace"', 'direction="inbound"']`. */
export type Matchers = readonly string[];

const braces = (m: Matchers) => `{${m.join(', ')}}`;
const rate = (metric: string, m: Matchers) => `irate(${metric}${braces(m)}[$__rate_interval])`;
const by = (labels: readonly string[]) => (labels.length > 0 ? ` by (${labels.join(', ')})` : '');

/** The PromQL of the golden signals, for a selector, summed by `labels`. */
export const promql = {
  successRate: (m: Matchers, labels: readonly string[] = []) =>
    `sum(${rate('response_total', ['classification="success"', ...m])})${by(labels)} / sum(${rate('response_total', m)})${by(labels)}`,
  requestRate: (m: Matchers, labels: readonly string[] = []) => `sum(${rate('request_total', m)})${by(labels)}`,
  latency: (quantile: number, m: Matchers, labels: readonly string[] = [], metric = 'response_latency_ms_bucket') =>
    `histogram_quantile(${quantile}, sum(${rate(metric, m)})${by(['le', ...labels])})`,
  count: (m: Matchers, labels: readonly string[]) => `count(count(request_total${braces(m)})${by(labels)})`,
};

function query(expr: string, legend: string, refId: string): prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(DATASOURCE);
}

function series(title: string, unit: string, queries: [string, string][], width = 8): timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder().title(title).unit(unit).datasource(DATASOURCE).height(7).span(width).min(0);
  queries.forEach(([expr, legend], i) => p.withTarget(query(expr, legend, String.fromCharCode(65 + i))));
  return p;
}

function single(title: string, unit: string, expr: string, width = 6): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(DATASOURCE)
    .height(4)
    .span(width)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .withTarget(query(expr, title, 'A'));
}

/** Grafana legend text for a label (`{{label}}`). */
export const legendOf = (labels: readonly string[]) => (labels.length > 0 ? labels.map((l) => `{{${l}}}`).join(' ') : 'total');

/** Panels for one traffic selector: success rate, request rate (mTLS and plain), p50/p95/p99 latency. */
export function goldenSignals(m: Matchers, labels: readonly string[], latencyMetric = 'response_latency_ms_bucket', counters = { request: 'request_total', response: 'response_total' }) {
  const legend = legendOf(labels);
  const swap = (expr: string) => expr.replaceAll('response_total', counters.response).replaceAll('request_total', counters.request);
  return [
    series('Success rate', 'percentunit', [[swap(promql.successRate(m, labels)), legend]]),
    series('Request rate', 'reqps', [
      [swap(promql.requestRate([...m, 'tls="true"'], labels)), `🔒 ${legend}`],
      [swap(promql.requestRate([...m, 'tls!="true"'], labels)), legend],
    ]),
    series('Latency', 'ms', ([0.5, 0.95, 0.99] as const).map((q) => [promql.latency(q, m, labels, latencyMetric), `p${Math.round(q * 100)} ${legend}`])),
  ];
}

/** Headline numbers for a selector. */
export function headline(m: Matchers) {
  return [
    single('Success rate', 'percentunit', promql.successRate(m)),
    single('Request rate', 'reqps', promql.requestRate(m)),
    single('P95 latency', 'ms', promql.latency(0.95, m)),
    single('Open TCP connections', 'short', `sum(tcp_open_connections${braces(m)})`),
  ];
}

/** TCP panels for a selector: open connections, failures, bytes. */
export function tcp(m: Matchers, labels: readonly string[]) {
  const legend = legendOf(labels);
  return [
    series('TCP connections', 'short', [[`sum(tcp_open_connections${braces(m)})${by(labels)}`, legend]]),
    series('TCP connection failures', 'short', [[`sum(${rate('tcp_close_total', [...m, 'errno!=""'])})${by([...labels, 'errno'])}`, `${legend} {{errno}}`]]),
    series('TCP bytes', 'Bps', [
      [`sum(${rate('tcp_read_bytes_total', m)})${by(labels)}`, `read ${legend}`],
      [`sum(${rate('tcp_write_bytes_total', m)})${by(labels)}`, `write ${legend}`],
    ]),
  ];
}

/** Policy panels for a selector: inbound requests and connections allowed and denied. */
export function authorization(m: Matchers) {
  return [
    series('HTTP authorization', 'reqps', [
      [`sum(${rate('inbound_http_authz_allow_total', m)})`, 'allowed'],
      [`sum(${rate('inbound_http_authz_deny_total', m)})`, 'denied'],
    ]),
    series('TCP authorization', 'short', [
      [`sum(${rate('inbound_tcp_authz_allow_total', m)})`, 'allowed'],
      [`sum(${rate('inbound_tcp_authz_deny_total', m)})`, 'denied'],
    ]),
  ];
}

/** Resource panels of processes selected by `m` (proxies or controllers). */
export function processes(m: Matchers, labels: readonly string[]) {
  const legend = legendOf(labels);
  return [
    series('CPU', 'short', [[`sum(${rate('process_cpu_seconds_total', m)})${by(labels)}`, legend]]),
    series('Memory', 'bytes', [[`sum(process_resident_memory_bytes${braces(m)})${by(labels)}`, legend]]),
    series('Open files', 'short', [[`sum(process_open_fds${braces(m)})${by(labels)}`, legend]]),
  ];
}

/** Any panel. */
export function panel(title: string, unit: string, queries: [string, string][], width = 8) {
  return series(title, unit, queries, width);
}

/** A label variable filled from a query (`label_values(...)`). */
export function labelVariable(name: string, q: string, opts: { label?: string; all?: boolean } = {}) {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(opts.label ?? name)
    .query(q)
    .definition(q)
    .datasource(DATASOURCE)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  if (opts.all) v.includeAll(true).allValue('.*');
  return v;
}

/** A panel builder (every kind has `id`). */
type AnyPanel = cog.Builder<dashboard.Panel> & { id(id: number): unknown };

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: dashboard.QueryVariableBuilder[];
  rows: [string, AnyPanel[]][];
}

/** A Linkerd dashboard: datasource variable, the given variables, rows of panels. */
export function linkerdDashboard(spec: DashboardSpec): dashboard.DashboardBuilder {
  const d = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['linkerd'])
    .readonly()
    .refresh('1m')
    .time({ from: 'now-15m', to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  for (const v of spec.variables) d.withVariable(v);
  let id = 0;
  for (const [title, panels] of spec.rows) {
    d.withRow(new dashboard.RowBuilder(title).id((id += 1)));
    for (const p of panels) {
      p.id((id += 1));
      d.withPanel(p);
    }
  }
  return d;
}
