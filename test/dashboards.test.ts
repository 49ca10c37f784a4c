/**
 * The Grafana dashboards: every query parses with Prometheus' own PromQL grammar
 * (@prometheus-io/lezer-promql) and uses only metrics Linkerd exports.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';
import { DASHBOARDS, dashboardJson } from '../src/viz/dashboards';
import { LINKERD_METRICS } from '../src/viz/dashboards/metrics';

interface Target {
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}

/** Grafana's variables replaced by values PromQL accepts where they stand (inside a range, the interval). */
const forParser = (expr: string) => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__interval', '1m');

/** Syntax errors of a query, and the metric names it selects. */
function analyse(expr: string): { errors: string[]; metrics: string[] } {
  const text = forParser(expr);
  const errors: string[] = [];
  const metrics: string[] = [];
  const cursor = parser.parse(text).cursor();
  do {
    if (cursor.type.isError) errors.push(`syntax error at ${cursor.from}: ${JSON.stringify(text.slice(Math.max(0, cursor.from - 10), cursor.from + 10))}`);
    if (cursor.type.name === 'Identifier' && cursor.node.parent?.type.name === 'VectorSelector') metrics.push(text.slice(cursor.from, cursor.to));
  } while (cursor.next());
  return { errors, metrics };
}

const panelsOf = (model: Record<string, unknown>): Panel[] => {
  const out: Panel[] = [];
  const walk = (ps: Panel[] = []) => ps.forEach((p) => (out.push(p), walk(p.panels)));
  walk(model.panels as Panel[]);
  return out;
};

describe('Grafana dashboards', () => {
  it('has at least 12 dashboards with unique uids and file names', () => {
    expect(DASHBOARDS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(DASHBOARDS.map((d) => d.uid)).size).toBe(DASHBOARDS.length);
    expect(new Set(DASHBOARDS.map((d) => d.file)).size).toBe(DASHBOARDS.length);
    for (const kind of ['top-line', 'namespace', 'deployment', 'pod', 'service', 'authority', 'route', 'health', 'daemonset', 'statefulset', 'job', 'cronjob']) {
      expect(DASHBOARDS.map((d) => d.uid)).toContain(`linkerd-${kind}`);
    }
  });

  it.each(DASHBOARDS.map((d) => [d.uid, d] as const))('%s: every query parses and uses only Linkerd metrics', (_uid, d) => {
    const model = d.build();
    const targets = panelsOf(model).flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(5);
    for (const t of targets) {
      expect(t.expr, 'a target without a query').toBeTruthy();
      const { errors, metrics } = analyse(t.expr!);
      expect(errors, t.expr).toEqual([]);
      expect(metrics.length, t.expr).toBeGreaterThan(0);
      for (const m of metrics) expect(Object.keys(LINKERD_METRICS), `${m} in ${t.expr}`).toContain(m);
    }
  });

  it.each(DASHBOARDS.map((d) => [d.uid, d] as const))('%s: queries the datasource variable only; panel ids are unique', (_uid, d) => {
    const model = d.build() as { templating?: { list?: { name: string; type: string }[] } } & Record<string, unknown>;
    expect(model.templating?.list?.[0]).toMatchObject({ name: 'datasource', type: 'datasource' });
    const panels = panelsOf(model);
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets ?? []) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
    const ids = panels.map((p) => (p as unknown as { id: number }).id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('renders the same JSON every time', () => {
    for (const d of DASHBOARDS) expect(dashboardJson(d)).toBe(dashboardJson(d));
  });

  it('catches a broken query and a metric Linkerd does not export', () => {
    expect(analyse('sum(rate(request_total{a="b"}[5m]) by (x)').errors.length).toBeGreaterThan(0);
    expect(analyse('sum(irate(requests_total{a="b"}[$__rate_interval]))').metrics).toEqual(['requests_total']);
    expect(Object.keys(LINKERD_METRICS)).not.toContain('requests_total');
  });
});
