/**
 * The Grafana dashboards: every query parses with Prometheus' own PromQL grammar
 * (@prometheus-io/lezer-promql) and selects only metrics Linkerd exports, every query goes
 * through the datasource variable, and the JSON is the same bytes on every build.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS, dashboardJson, type LinkerdDashboard } from '../src/viz/dashboards';
import { DATASOURCE_VARIABLE } from '../src/viz/dashboards/builders';
import { PROVISIONED_DATASOURCE_UID } from '../src/viz/dashboards/datasource';
import { LINKERD_METRICS, isLinkerdMetric } from '../src/viz/dashboards/metrics';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Target {
  expr?: string;
  refId?: string;
  hide?: boolean;
  type?: string;
  expression?: string;
  datasource?: unknown;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  current?: { value?: unknown };
}

const DATASOURCE_REF = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };
/** Grafana's server-side expressions (the math that divides a ratio's two queries). */
const EXPRESSION_REF = { type: '__expr__', uid: '__expr__' };
/** Grafana's interval variables, replaced by a duration PromQL accepts inside a range. */
const INTERVALS = new Set(['__rate_interval', '__interval', '__range', '__auto']);

/** The query as Prometheus would see it: `$__rate_interval` becomes `5m`, any other `$var`/`${var}`/`[[var]]` a placeholder. */
function forParser(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (_m, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    return INTERVALS.has(name) ? '5m' : `grafana_var_${name.replace(/^_+/, '')}`;
  });
}

const unquote = (s: string) => s.slice(1, -1);

/** The metric a vector selector selects: its name, its `{"name"}` or its `__name__="name"` matcher. */
function metricOf(sel: SyntaxNode, text: string): string {
  const ident = sel.getChild('Identifier');
  if (ident) return text.slice(ident.from, ident.to);
  const matchers = sel.getChild('LabelMatchers');
  for (let m = matchers?.firstChild; m; m = m.nextSibling) {
    if (m.name === 'QuotedLabelName') return unquote(text.slice(m.from, m.to));
    const label = m.getChild('LabelName') ?? m.getChild('QuotedLabelName');
    const value = m.getChild('StringLiteral');
    const op = m.getChild('MatchOp')?.firstChild?.name;
    if (label && value && text.slice(label.from, label.to).replace(/"/g, '') === '__name__') {
      return op === 'EqlSingle' ? unquote(text.slice(value.from, value.to)) : `<__name__ ${text.slice(m.from, m.to)}>`;
    }
  }
  return '<selector without a metric name>';
}

/** Syntax errors of a query (Grafana variables substituted), and the metrics it selects. */
function analyse(expr: string): { errors: string[]; metrics: string[] } {
  const text = forParser(expr);
  const errors: string[] = [];
  const metrics: string[] = [];
  parser.parse(text).iterate({
    enter(n) {
      if (n.type.isError) errors.push(`syntax error at ${n.from}: ${JSON.stringify(text.slice(Math.max(0, n.from - 15), n.from + 15))}`);
      if (n.name === 'VectorSelector') metrics.push(metricOf(n.node, text));
    },
  });
  return { errors, metrics };
}

/** The metrics of a query that Linkerd does not export. */
function unknownMetrics(expr: string): string[] {
  return analyse(expr).metrics.filter((m) => !isLinkerdMetric(m));
}

/** Every `datasource` reference in a model that is not the datasource variable, with where it is. */
function foreignDatasources(model: Json, path = '$'): string[] {
  if (Array.isArray(model)) return model.flatMap((x, i) => foreignDatasources(x, `${path}[${i}]`));
  if (model === null || typeof model !== 'object') return [];
  // A math expression's own reference is Grafana's; its terms are queries of the datasource variable.
  const allowed = [DATASOURCE_REF, ...((model as { type?: unknown }).type === 'math' ? [EXPRESSION_REF] : [])].map((x) => JSON.stringify(x));
  return Object.entries(model).flatMap(([k, v]) =>
    k === 'datasource' && !allowed.includes(JSON.stringify(v)) ? [`${path}.${k} = ${JSON.stringify(v)}`] : foreignDatasources(v, `${path}.${k}`),
  );
}

/** Values JSON cannot carry (undefined, functions, NaN, class instances), with where they are. */
function notJson(x: unknown, path = '$'): string[] {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return [];
  if (typeof x === 'number') return Number.isFinite(x) ? [] : [`${path} = ${x}`];
  if (Array.isArray(x)) return x.flatMap((v, i) => notJson(v, `${path}[${i}]`));
  if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) return Object.entries(x).flatMap(([k, v]) => notJson(v, `${path}.${k}`));
  return [`${path}: ${typeof x}`];
}

const modelOf = (d: LinkerdDashboard) => JSON.parse(dashboardJson(d)) as { [k: string]: Json };
const panelsOf = (model: { [k: string]: Json }): Panel[] => {
  const out: Panel[] = [];
  const walk = (ps: Panel[] = []) => ps.forEach((p) => (out.push(p), walk(p.panels)));
  walk(model.panels as unknown as Panel[]);
  return out;
};
const variablesOf = (model: { [k: string]: Json }) => ((model.templating as { list?: Variable[] } | undefined)?.list ?? []) as Variable[];
/** The selector of a `label_values(selector, label)` variable query. */
const variableSelector = (q: string) => /^label_values\((.+),\s*\w+\)$/.exec(q)?.[1];

const each = DASHBOARDS.map((d) => [d.uid, d] as const);

describe('Grafana dashboards', () => {
  it('has the 12 upstream dashboards and more, with unique uids and file names', () => {
    expect(DASHBOARDS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(DASHBOARDS.map((d) => d.uid)).size).toBe(DASHBOARDS.length);
    expect(new Set(DASHBOARDS.map((d) => d.file)).size).toBe(DASHBOARDS.length);
    for (const kind of ['top-line', 'namespace', 'deployment', 'pod', 'service', 'authority', 'route', 'health', 'daemonset', 'statefulset', 'job', 'cronjob']) {
      expect(DASHBOARDS.map((d) => d.uid)).toContain(`linkerd-${kind}`);
    }
    for (const d of DASHBOARDS) {
      expect(d.file).toBe(`${d.uid.replace(/^linkerd-/, '')}.json`);
      const model = modelOf(d);
      expect(model).toMatchObject({ uid: d.uid, title: d.title, tags: ['linkerd'], refresh: '1m', editable: false });
      expect(['now-15m', 'now-1h']).toContain((model.time as { from: string }).from);
    }
  });

  it.each(each)('%s: every query parses as PromQL', (_uid, d) => {
    const model = modelOf(d);
    const targets = panelsOf(model).flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(5);
    for (const p of panelsOf(model)) {
      // A ratio: math over two hidden queries of the same panel, each used once.
      for (const t of (p.targets ?? []).filter((x) => x.type === 'math')) {
        const m = /^\$([A-Z]) \/ \$([A-Z])$/.exec(t.expression ?? '');
        expect(m, `${p.title}: ${t.expression}`).toBeTruthy();
        for (const ref of m!.slice(1)) expect((p.targets ?? []).filter((x) => x.refId === ref && x.hide && x.expr), `${p.title}: ${ref}`).toHaveLength(1);
      }
      const hidden = (p.targets ?? []).filter((x) => x.hide).map((x) => x.refId);
      const used = (p.targets ?? []).flatMap((x) => [...(x.expression ?? '').matchAll(/\$([A-Z])/g)].map((m) => m[1]));
      expect(hidden.sort(), `${p.title}: hidden queries no expression uses`).toEqual(used.sort());
    }
    for (const t of targets.filter((x) => x.type !== 'math')) {
      expect(t.expr, 'a target without a query').toBeTruthy();
      const { errors, metrics } = analyse(t.expr!);
      expect(errors, t.expr).toEqual([]);
      expect(metrics.length, `${t.expr} selects no metric`).toBeGreaterThan(0);
    }
    for (const v of variablesOf(model).filter((x) => x.type === 'query')) {
      const sel = variableSelector(String(v.query));
      expect(sel, `variable ${v.name}: ${String(v.query)}`).toBeTruthy();
      expect(analyse(sel!).errors, `variable ${v.name}`).toEqual([]);
    }
  });

  it.each(each)('%s: every query selects only metrics Linkerd exports', (_uid, d) => {
    const model = modelOf(d);
    const exprs = [
      ...panelsOf(model).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')),
      ...variablesOf(model).flatMap((v) => (v.type === 'query' ? [variableSelector(String(v.query)) ?? ''] : [])),
    ];
    for (const e of exprs) expect(unknownMetrics(e), e).toEqual([]);
  });

  it.each(each)('%s: JSON-serializable, and the same bytes on every build', (_uid, d) => {
    expect(notJson(d.build())).toEqual([]);
    expect(d.build()).not.toBe(d.build());
    const json = dashboardJson(d);
    expect(dashboardJson(d)).toBe(json);
    expect(JSON.parse(json)).toStrictEqual(JSON.parse(JSON.stringify(d.build())));
    expect(json.endsWith('}\n')).toBe(true);
    // Series are named by display-name overrides: no legend templates for Helm to trip on.
    expect(json).not.toContain('{{');
  });

  it.each(each)('%s: queries the datasource variable only; panel ids are unique and panels fit the grid', (_uid, d) => {
    const model = modelOf(d);
    const variables = variablesOf(model);
    expect(variables[0]).toMatchObject({ name: DATASOURCE_VARIABLE, type: 'datasource', query: 'prometheus', current: { value: PROVISIONED_DATASOURCE_UID } });
    expect(variables.filter((v) => v.type === 'datasource')).toHaveLength(1);
    expect(foreignDatasources(model)).toEqual([]);
    const panels = panelsOf(model);
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect((p as unknown as { datasource?: unknown }).datasource, p.title).toEqual(DATASOURCE_REF);
      expect(p.gridPos!.x + p.gridPos!.w, p.title).toBeLessThanOrEqual(24);
    }
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('docs/dashboards.md names every dashboard and every panel of its rows', () => {
    const doc = readFileSync(join(__dirname, '..', 'docs', 'dashboards.md'), 'utf8');
    for (const d of DASHBOARDS) {
      expect(doc, d.uid).toContain(`\`${d.uid}\``);
      let row = '';
      for (const p of panelsOf(modelOf(d))) {
        if (p.type === 'row') row = p.title;
        // The seven workload dashboards share one table (Deployment's).
        else if (!/^linkerd-(daemonset|statefulset|job|cronjob|replicaset|replicationcontroller)$/.test(d.uid)) expect(doc, `${d.uid}: ${row} / ${p.title}`).toContain(`| ${row} | ${p.title} (${p.type}) |`);
      }
    }
  });

  it('the allowlist describes every metric', () => {
    for (const [name, what] of Object.entries(LINKERD_METRICS)) {
      expect(name).toMatch(/^[a-z_][a-z0-9_]*$/);
      expect(what.length, name).toBeGreaterThan(10);
    }
  });

  describe('the checks fail when they should', () => {
    it('substitutes Grafana variables with values PromQL accepts', () => {
      expect(forParser('rate(x{a="$namespace", b="${pod}", c="[[job]]"}[$__rate_interval])')).toBe(
        'rate(x{a="grafana_var_namespace", b="grafana_var_pod", c="grafana_var_job"}[5m])',
      );
      expect(analyse('sum(rate(request_total{namespace=~"${namespace:regex}"}[${__rate_interval}])) by (pod)')).toEqual({ errors: [], metrics: ['request_total'] });
    });

    it('reports a broken query', () => {
      expect(analyse('sum(rate(request_total{a="b"}[5m]) by (x)').errors.length).toBeGreaterThan(0);
      expect(analyse('sum(rate(request_total{a="b"[5m]))').errors.length).toBeGreaterThan(0);
      expect(analyse('histogram_quantile(0.5, sum(rate(response_latency_ms_bucket[$__rate_interval])) by (le)').errors.length).toBeGreaterThan(0);
    });

    it('reports a metric Linkerd does not export, however it is selected', () => {
      expect(unknownMetrics('sum(rate(requests_total{a="b"}[$__rate_interval])) / sum(rate(response_total[5m]))')).toEqual(['requests_total']);
      expect(unknownMetrics('{__name__="http_requests_total", job="x"}')).toEqual(['http_requests_total']);
      expect(unknownMetrics('{"container_spec_memory_limit_bytes", job="x"}')).toEqual(['container_spec_memory_limit_bytes']);
      expect(unknownMetrics('{__name__=~"request_.*"}')).toHaveLength(1);
      expect(unknownMetrics('{job="linkerd-proxy"}')).toEqual(['<selector without a metric name>']);
      expect(unknownMetrics('sum(rate(request_total[5m]))')).toEqual([]);
    });

    it('reports a datasource other than the variable', () => {
      const model: Json = { panels: [{ datasource: DATASOURCE_REF, targets: [{ datasource: { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' } }] }] };
      expect(foreignDatasources(model)).toEqual(['$.panels[0].targets[0].datasource = {"type":"prometheus","uid":"P1809F7CD0C75ACF3"}']);
      // Grafana's expressions only on a math target.
      const math: Json = { panels: [{ datasource: DATASOURCE_REF, targets: [{ type: 'math', datasource: EXPRESSION_REF }, { expr: 'up', datasource: EXPRESSION_REF }] }] };
      expect(foreignDatasources(math)).toEqual(['$.panels[0].targets[1].datasource = {"type":"__expr__","uid":"__expr__"}']);
    });
  });
});
