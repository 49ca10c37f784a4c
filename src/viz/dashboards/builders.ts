/**
 * The pieces every Linkerd dashboard is built from (Grafana Foundation SDK): the dashboard
 * skeleton with its datasource variable, label variables, the PromQL of the golden signals,
 * and one builder per kind of panel, parameterized by the label selector of what the
 * dashboard is about and the labels to break it down by.
 *
 * Series are named with Grafana's display-name override (`${__field.labels.<label>}`), one
 * override per query, so no legend template is needed.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type * as Common from '@grafana/grafana-foundation-sdk/common';
import type * as Dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as Expr from '@grafana/grafana-foundation-sdk/expr';
import type * as Prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as Stat from '@grafana/grafana-foundation-sdk/stat';
import type * as Table from '@grafana/grafana-foundation-sdk/table';
import type * as Timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { PROVISIONED_DATASOURCE_UID } from './datasource';

/**
 * A module of the SDK, required when it is first used: when a dashboard is built, not when the
 * viz chart's modules load (the built package has the dashboards' JSON prebuilt: src/prebuild.ts).
 */
function lazy<T extends object>(load: () => T): T {
  let loaded: T | undefined;
  return new Proxy({} as T, { get: (_target, key) => Reflect.get((loaded ??= load()), key) as unknown });
}
/* eslint-disable @typescript-eslint/no-require-imports */
const common = lazy(() => require('@grafana/grafana-foundation-sdk/common') as typeof Common);
const dashboard = lazy(() => require('@grafana/grafana-foundation-sdk/dashboard') as typeof Dashboard);
const expr = lazy(() => require('@grafana/grafana-foundation-sdk/expr') as typeof Expr);
const prometheus = lazy(() => require('@grafana/grafana-foundation-sdk/prometheus') as typeof Prometheus);
const stat = lazy(() => require('@grafana/grafana-foundation-sdk/stat') as typeof Stat);
const table = lazy(() => require('@grafana/grafana-foundation-sdk/table') as typeof Table);
const timeseries = lazy(() => require('@grafana/grafana-foundation-sdk/timeseries') as typeof Timeseries);
/* eslint-enable @typescript-eslint/no-require-imports */

/** Name of the dashboard variable (type datasource) that every panel and variable queries. */
export const DATASOURCE_VARIABLE = 'datasource';
/** The reference every query carries: the datasource variable, never a fixed datasource. */
export const DATASOURCE: Common.DataSourceRef = { type: 'prometheus', uid: '${' + DATASOURCE_VARIABLE + '}' };

/** A label selector, as matchers: `['namespace="$namespace"', 'direction="inbound"']`. */
export type Matchers = readonly string[];
/** Labels to break a query down by (`sum ... by (labels)`); empty for one total. */
export type Labels = readonly string[];
/**
 * A ratio of two queries. Grafana divides them (a server-side math expression over two hidden
 * queries; in a table, a column computed from two columns), series matched by their labels as
 * PromQL's `/` matches them: two short queries instead of one that repeats the selector.
 */
export interface Ratio {
  readonly numerator: string;
  readonly denominator: string;
}
/** What a panel shows of one series: a PromQL query, or a ratio of two. */
export type Query = string | Ratio;
/** One series of a panel: its query and its display name. */
export type Series = readonly [query: Query, name: string];
/** The reference of Grafana's server-side expressions. */
export const EXPRESSION_DATASOURCE: Common.DataSourceRef = { type: '__expr__', uid: '__expr__' };

const selector = (metric: string, m: Matchers) => (m.length > 0 ? `${metric}{${m.join(', ')}}` : metric);

/** Breakdown labels that name a workload of any kind, `<kind>/<name>`: derived by the viz Prometheus at scrape time (../workload-labels.ts). */
export { DST_WORKLOAD, WORKLOAD, WORKLOAD_KINDS } from '../workload-labels';

const rate = (metric: string, m: Matchers) => `rate(${selector(metric, m)}[$__rate_interval])`;
const vector = (metric: string, m: Matchers) => selector(metric, m);
const sum = (inner: string, labels: Labels, aggregation = 'sum') => (labels.length > 0 ? `${aggregation} by (${labels.join(', ')}) (${inner})` : `${aggregation}(${inner})`);

/**
 * The side of a TCP connection a selector's proxies measure it on: a proxy counts every
 * proxied connection twice, as the server that accepted it (`peer="src"`) and as the client
 * that opened the next hop (`peer="dst"`). Inbound, the connection from the remote client is
 * the `src` one; outbound, the connection to the remote endpoint is the `dst` one (the other
 * ends are the proxy's own loopback connections with its application).
 */
export function tcpSide(m: Matchers): Matchers {
  if (m.includes('direction="inbound"')) return [...m, 'peer="src"'];
  if (m.includes('direction="outbound"')) return [...m, 'peer="dst"'];
  throw new Error(`TCP panels need a direction: ${m.join(', ')}`);
}

/** The metrics one kind of HTTP traffic is measured with. */
export interface Traffic {
  /** Counter of requests. */
  requests: string;
  /** Counter of responses (the requests' outcomes). */
  responses: string;
  /** Matchers that select the successful responses. */
  success: Matchers;
  /** Latency histogram (its `_bucket` series). */
  latency: string;
  /** Unit of the latency histogram. */
  latencyUnit: 'ms' | 's';
  /** Whether the counters carry the proxy's `tls` label (request rate split into mTLS and plaintext). */
  tls: boolean;
  /** Counter of retries, if the traffic has one. */
  retries?: string;
}

/** What every proxy measures of HTTP and gRPC traffic, inbound and outbound. */
export const PROXY_TRAFFIC: Traffic = {
  requests: 'request_total',
  responses: 'response_total',
  success: ['classification="success"'],
  latency: 'response_latency_ms_bucket',
  latencyUnit: 'ms',
  tls: true,
};

/** Traffic per ServiceProfile route (`rt_route`); these counters have no `tls` label. */
export const SERVICE_PROFILE_TRAFFIC: Traffic = {
  requests: 'route_request_total',
  responses: 'route_response_total',
  success: ['classification="success"'],
  latency: 'route_response_latency_ms_bucket',
  latencyUnit: 'ms',
  tls: false,
};

/** Client-side traffic per Gateway API HTTPRoute (`parent_*`, `route_*` labels); a failure is a 5xx or a proxy error. */
export const HTTP_ROUTE_TRAFFIC: Traffic = {
  requests: 'outbound_http_route_request_statuses_total',
  responses: 'outbound_http_route_request_statuses_total',
  success: ['error=""', 'http_status!~"5.."'],
  latency: 'outbound_http_route_request_duration_seconds_bucket',
  latencyUnit: 's',
  tls: false,
  retries: 'outbound_http_route_retry_requests_total',
};

/** Client-side traffic per Gateway API GRPCRoute; a success is `grpc_status="OK"` without a proxy error. */
export const GRPC_ROUTE_TRAFFIC: Traffic = {
  requests: 'outbound_grpc_route_request_statuses_total',
  responses: 'outbound_grpc_route_request_statuses_total',
  success: ['error=""', 'grpc_status="OK"'],
  latency: 'outbound_grpc_route_request_duration_seconds_bucket',
  latencyUnit: 's',
  tls: false,
  retries: 'outbound_grpc_route_retry_requests_total',
};

/** The PromQL the panels are made of. Breakdowns may use the derived `workload` and `dst_workload` labels. */
export const promql = {
  /** Share of successful responses. */
  successRate: (m: Matchers, labels: Labels = [], t: Traffic = PROXY_TRAFFIC): Ratio => ({
    numerator: sum(rate(t.responses, [...t.success, ...m]), labels),
    denominator: sum(rate(t.responses, m), labels),
  }),
  /** `numerator / denominator`, divided by Grafana. */
  ratio: (numerator: string, denominator: string): Ratio => ({ numerator, denominator }),
  /** Requests per second. */
  requestRate: (m: Matchers, labels: Labels = [], t: Traffic = PROXY_TRAFFIC) => sum(rate(t.requests, m), labels),
  /** Per-second rate of any counter. */
  counterRate: (metric: string, m: Matchers, labels: Labels = []) => sum(rate(metric, m), labels),
  /** A quantile of a histogram (its `_bucket` series). */
  quantile: (q: number, histogram: string, m: Matchers, labels: Labels = []) => `histogram_quantile(${q}, ${sum(rate(histogram, m), ['le', ...labels])})`,
  /** A gauge, aggregated. */
  gauge: (metric: string, m: Matchers, labels: Labels = [], aggregation: 'sum' | 'max' | 'min' = 'sum') => sum(vector(metric, m), labels, aggregation),
  /** How many distinct label combinations a metric has (meshed workloads, namespaces). */
  distinct: (metric: string, m: Matchers, labels: Labels) => `count(${sum(vector(metric, m), labels, 'count')})`,
};

/** Display name of a series broken down by `labels` (Grafana field variables), `fallback` without labels. */
export function seriesName(labels: Labels, fallback = 'total'): string {
  return labels.length > 0 ? labels.map((l) => '${__field.labels.' + l + '}').join(' ') : fallback;
}

const refId = (i: number) => String.fromCharCode(65 + i);

function target(expr: string, ref: string): Prometheus.DataqueryBuilder {
  return new prometheus.DataqueryBuilder().expr(expr).refId(ref).datasource(DATASOURCE);
}

/**
 * The targets of one query, the shown one (named `show`) last: a PromQL target, or a ratio's
 * two hidden terms (the next two refIds) and the math expression that divides them.
 */
function targets(q: Query, next: () => string): { shown: string; targets: cog.Builder<cog.Dataquery>[] } {
  if (typeof q === 'string') {
    const ref = next();
    return { shown: ref, targets: [target(q, ref)] };
  }
  const [n, d, ref] = [next(), next(), next()];
  return {
    shown: ref,
    targets: [target(q.numerator, n).hide(true), target(q.denominator, d).hide(true), new expr.TypeMathBuilder().refId(ref).datasource(EXPRESSION_DATASOURCE).expression(`$${n} / $${d}`)],
  };
}

/** refIds A, B, C … in order. */
function refIds(): () => string {
  let i = 0;
  return () => refId(i++);
}

/** Any panel the skeleton lays out. */
export type PanelBuilder = cog.Builder<Dashboard.Panel> & { id(id: number): unknown };

/** A time series panel: one query per series, each named by a display-name override on its query. */
export function timeseriesPanel(title: string, unit: string, series: readonly Series[], opts: { width?: number; max?: number } = {}): Timeseries.PanelBuilder {
  const p = new timeseries.PanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(DATASOURCE)
    .height(8)
    .span(opts.width ?? 8)
    .min(0)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).calcs([]))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (opts.max !== undefined) p.max(opts.max);
  const next = refIds();
  for (const [q, name] of series) {
    const t = targets(q, next);
    t.targets.forEach((x) => p.withTarget(x));
    p.overrideByQuery(t.shown, [{ id: 'displayName', value: name }]);
  }
  return p;
}

/** A single number (the last value of one query). */
export function statPanel(title: string, unit: string, q: Query, width = 6): Stat.PanelBuilder {
  const p = new stat.PanelBuilder()
    .title(title)
    .unit(unit)
    .datasource(DATASOURCE)
    .height(4)
    .span(width)
    .graphMode(common.BigValueGraphMode.Area)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']));
  targets(q, refIds()).targets.forEach((x) => p.withTarget(x));
  return p;
}

/**
 * A table with one row per combination of `labels` and one column per instant query; a ratio's
 * column is computed from its two terms' columns (which are not shown).
 */
export function tablePanel(title: string, labels: Labels, columns: readonly { name: string; unit: string; query: Query }[], width = 24): Table.PanelBuilder {
  const p = new table.PanelBuilder().title(title).datasource(DATASOURCE).height(8).span(width);
  const instant = (e: string, ref: string) => target(e, ref).instant().format(prometheus.PromQueryFormat.Table);
  const rename: Record<string, string> = {};
  const exclude: Record<string, boolean> = { Time: true };
  const shown: string[] = [];
  const calculated: Dashboard.DataTransformerConfig[] = [];
  const next = refIds();
  for (const { name, unit, query } of columns) {
    if (typeof query === 'string') {
      const ref = next();
      p.withTarget(instant(query, ref));
      rename[`Value #${ref}`] = name;
      shown.push(`Value #${ref}`);
    } else {
      const [n, d] = [next(), next()];
      p.withTarget(instant(query.numerator, n));
      p.withTarget(instant(query.denominator, d));
      exclude[`Value #${n}`] = true;
      exclude[`Value #${d}`] = true;
      calculated.push({ id: 'calculateField', options: { mode: 'binary', alias: name, binary: { left: `Value #${n}`, operator: '/', right: `Value #${d}` }, replaceFields: false } });
      shown.push(name);
    }
    p.overrideByName(name, [{ id: 'unit', value: unit }]);
  }
  const order = Object.fromEntries([...labels, ...shown].map((f, i) => [f, i]));
  p.withTransformation({ id: 'merge', options: {} });
  for (const c of calculated) p.withTransformation(c);
  p.withTransformation({ id: 'organize', options: { excludeByName: exclude, indexByName: order, renameByName: rename } });
  return p;
}

/** Share of successful requests over time. */
export function successRatePanel(m: Matchers, labels: Labels, t: Traffic = PROXY_TRAFFIC): Timeseries.PanelBuilder {
  return timeseriesPanel('Success rate', 'percentunit', [[promql.successRate(m, labels, t), seriesName(labels)]], { max: 1 });
}

/** Requests per second, split into mTLS and plaintext where the traffic has a `tls` label. */
export function requestRatePanel(m: Matchers, labels: Labels, t: Traffic = PROXY_TRAFFIC): Timeseries.PanelBuilder {
  const name = seriesName(labels);
  const series: Series[] = t.tls
    ? [
        [promql.requestRate([...m, 'tls="true"'], labels, t), `mTLS ${name}`],
        [promql.requestRate([...m, 'tls!="true"'], labels, t), `plaintext ${name}`],
      ]
    : [[promql.requestRate(m, labels, t), name]];
  return timeseriesPanel('Request rate', 'reqps', series);
}

/** p50, p95 and p99 of a histogram. */
export function quantilesPanel(title: string, histogram: string, unit: string, m: Matchers, labels: Labels): Timeseries.PanelBuilder {
  const name = seriesName(labels, '');
  return timeseriesPanel(
    title,
    unit,
    ([0.5, 0.95, 0.99] as const).map((q) => [promql.quantile(q, histogram, m, labels), `p${Math.round(q * 100)} ${name}`.trim()]),
  );
}

/** Response latency percentiles (p50/p95/p99). */
export function latencyPanel(m: Matchers, labels: Labels, t: Traffic = PROXY_TRAFFIC): Timeseries.PanelBuilder {
  return quantilesPanel('Latency', t.latency, t.latencyUnit, m, labels);
}

/** Retries per second (route traffic only). */
export function retriesPanel(m: Matchers, labels: Labels, t: Traffic): Timeseries.PanelBuilder {
  if (!t.retries) throw new Error(`${t.requests}: no retry counter`);
  return timeseriesPanel('Retries', 'reqps', [[promql.counterRate(t.retries, m, labels), seriesName(labels)]]);
}

/** The golden signals of a selector: success rate, request rate, latency. */
export function goldenSignals(m: Matchers, labels: Labels, t: Traffic = PROXY_TRAFFIC): PanelBuilder[] {
  return [successRatePanel(m, labels, t), requestRatePanel(m, labels, t), latencyPanel(m, labels, t)];
}

/** Open TCP connections and connections opened per second (each connection once: see tcpSide). */
export function tcpConnectionsPanel(m: Matchers, labels: Labels): Timeseries.PanelBuilder {
  const name = seriesName(labels);
  const side = tcpSide(m);
  return timeseriesPanel('TCP connections', 'short', [
    [promql.gauge('tcp_open_connections', side, labels), `open ${name}`],
    [promql.counterRate('tcp_open_total', side, labels), `opened/s ${name}`],
  ]);
}

/** TCP connections closed with an error, by errno. */
export function tcpFailuresPanel(m: Matchers, labels: Labels): Timeseries.PanelBuilder {
  return timeseriesPanel('TCP connection failures', 'cps', [
    [promql.counterRate('tcp_close_total', [...tcpSide(m), 'errno!=""'], [...labels, 'errno']), seriesName([...labels, 'errno'])],
  ]);
}

/** Bytes per second read from and written to the remote peers. */
export function tcpBytesPanel(m: Matchers, labels: Labels): Timeseries.PanelBuilder {
  const name = seriesName(labels);
  const side = tcpSide(m);
  return timeseriesPanel('TCP throughput', 'Bps', [
    [promql.counterRate('tcp_read_bytes_total', side, labels), `read ${name}`],
    [promql.counterRate('tcp_write_bytes_total', side, labels), `write ${name}`],
  ]);
}

/** The TCP panels of a selector (which must name the direction). */
export function tcpPanels(m: Matchers, labels: Labels): PanelBuilder[] {
  return [tcpConnectionsPanel(m, labels), tcpFailuresPanel(m, labels), tcpBytesPanel(m, labels)];
}

/** Inbound HTTP requests or TCP connections allowed and denied by policy. */
export function authorizationPanel(protocol: 'http' | 'tcp', m: Matchers): Timeseries.PanelBuilder {
  return timeseriesPanel(`${protocol.toUpperCase()} authorization`, protocol === 'http' ? 'reqps' : 'cps', [
    [promql.counterRate(`inbound_${protocol}_authz_allow_total`, m), 'allowed'],
    [promql.counterRate(`inbound_${protocol}_authz_deny_total`, m), 'denied'],
  ]);
}

/** CPU, memory and open files of the processes selected by `m` (proxies, controllers, Prometheus). */
export function processPanels(m: Matchers, labels: Labels): PanelBuilder[] {
  const name = seriesName(labels);
  return [
    timeseriesPanel('CPU', 'short', [[promql.counterRate('process_cpu_seconds_total', m, labels), name]]),
    timeseriesPanel('Memory (resident)', 'bytes', [[promql.gauge('process_resident_memory_bytes', m, labels), name]]),
    timeseriesPanel('Open files', 'short', [[promql.gauge('process_open_fds', m, labels), name]]),
  ];
}

/** Headline numbers of a selector's proxy traffic (the selector names the direction). */
export function headline(m: Matchers): PanelBuilder[] {
  return [
    statPanel('Success rate', 'percentunit', promql.successRate(m)),
    statPanel('Request rate', 'reqps', promql.requestRate(m)),
    statPanel('P95 latency', 'ms', promql.quantile(0.95, PROXY_TRAFFIC.latency, m)),
    statPanel('Open TCP connections', 'short', promql.gauge('tcp_open_connections', tcpSide(m))),
  ];
}

/** A table of the golden signals of a selector, one row per combination of `labels`. */
export function goldenSignalsTable(title: string, m: Matchers, labels: Labels): Table.PanelBuilder {
  return tablePanel(title, labels, [
    { name: 'Success rate', unit: 'percentunit', query: promql.successRate(m, labels) },
    { name: 'Request rate', unit: 'reqps', query: promql.requestRate(m, labels) },
    { name: 'P95 latency', unit: 'ms', query: promql.quantile(0.95, PROXY_TRAFFIC.latency, m, labels) },
  ]);
}

/** A row of the dashboard: its title and panels. */
export type Row = readonly [title: string, panels: readonly PanelBuilder[]];

/** A row of proxy traffic: golden signals and TCP of a selector. */
export function trafficRow(title: string, m: Matchers, labels: Labels): Row {
  return [title, [...goldenSignals(m, labels), ...tcpPanels(m, labels)]];
}

/** Traffic the selected proxies receive, broken down by `labels`. */
export function inboundRow(self: Matchers, labels: Labels): Row {
  return trafficRow('Inbound traffic', [...self, 'direction="inbound"'], labels);
}

/** Traffic the selected proxies send, broken down by `labels` (typically `dst_*` ones). */
export function outboundRow(self: Matchers, labels: Labels): Row {
  return trafficRow('Outbound traffic', [...self, 'direction="outbound"'], labels);
}

/** A variable filled from a query (`label_values(...)`), through the datasource variable. */
export function labelVariable(name: string, query: string, opts: { label?: string; all?: boolean | string; multi?: boolean } = {}): Dashboard.QueryVariableBuilder {
  const v = new dashboard.QueryVariableBuilder(name)
    .label(opts.label ?? name)
    .query(query)
    .definition(query)
    .datasource(DATASOURCE)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
  // `all: '.+'` makes All match only series that have the label.
  if (opts.all) v.includeAll(true).allValue(opts.all === true ? '.*' : opts.all);
  if (opts.multi) v.multi(true).includeAll(true);
  return v;
}

/** What a dashboard is: identity, variables (after the datasource one) and rows of panels. */
export interface DashboardSpec {
  /** Stable uid, `linkerd-<name>`. */
  uid: string;
  title: string;
  description: string;
  variables: readonly Dashboard.QueryVariableBuilder[];
  rows: readonly Row[];
  /** Start of the default time range (default `now-15m`). */
  from?: string;
}

/**
 * The skeleton of a Linkerd dashboard: tagged `linkerd`, read-only, refreshed every minute,
 * a Prometheus datasource variable defaulting to the provisioned datasource, the given
 * variables, links to the other Linkerd dashboards, and the rows with panel ids in order.
 */
export function linkerdDashboard(spec: DashboardSpec): Dashboard.DashboardBuilder {
  const d = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['linkerd'])
    .readonly()
    .refresh('1m')
    .time({ from: spec.from ?? 'now-15m', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(new dashboard.DashboardLinkBuilder('Linkerd').type(dashboard.DashboardLinkType.Dashboards).tags(['linkerd']).asDropdown(true).keepTime(true).includeVars(false))
    .withVariable(
      new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
        .label('Prometheus')
        .type('prometheus')
        .current({ selected: true, text: PROVISIONED_DATASOURCE_UID, value: PROVISIONED_DATASOURCE_UID }),
    );
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
