/**
 * Every Grafana dashboard against a real Prometheus (Debian's `prometheus`, started here on
 * 127.0.0.1 with a TSDB in a temp dir, stopped by PID in afterAll) that scrapes the fixture
 * mesh of test/fixtures/mesh-metrics through our own rendered scrape jobs and relabel rules.
 * Each dashboard is evaluated as Grafana would for a few choices of its variables: every
 * variable must resolve, every query must run, every series named by a label must carry it,
 * and every query must return data unless the fixture has no such traffic (listed below with
 * the reason). A few numbers are checked against what the fixture generates.
 *
 * LINKERD_DASHBOARDS_MODULE=<path of a dashboards index.ts> runs the same checks against
 * other dashboards (e.g. an older commit's, extracted with git show), to see what they get wrong.
 * LINKERD_DASHBOARDS_COMPARE=<path of a dashboards index.ts> also evaluates those dashboards
 * at the same instant and expects every panel to show the same numbers (each shown series' and
 * each table column's, by labels): a rewritten query must not change what a panel shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS as OURS, type LinkerdDashboard } from '../src/viz/dashboards';
import { displayName, panelsWithRows, resolveVariables, runTarget, tableColumns, variablesIn, type Clock, type GrafanaModel, type Resolved, type VariableProblem } from './fixtures/mesh-metrics/grafana';
import { WEB_INBOUND_RPS } from './fixtures/mesh-metrics/mesh';
import { fixtureMesh, type FixtureMesh } from './fixtures/mesh-metrics/pods';
import { SCRAPE_INTERVAL_SECONDS, startPrometheus, type RunningPrometheus } from './fixtures/mesh-metrics/prometheus';
import { scratchDir } from './support/render';

type Choice = Record<string, string | string[]>;

/** The variable choices each dashboard is evaluated with. */
const SCENARIOS: Record<string, [name: string, choice: Choice][]> = {
  'linkerd-top-line': [['all namespaces', {}]],
  'linkerd-namespace': [
    ['shop', { namespace: 'shop' }],
    ['legacy', { namespace: 'legacy' }],
  ],
  'linkerd-health': [['linkerd + viz', { namespace: 'linkerd' }]],
  'linkerd-deployment': [
    ['shop/web', { namespace: 'shop', deployment: 'web' }],
    ['shop/api', { namespace: 'shop', deployment: 'api' }],
  ],
  'linkerd-daemonset': [['shop/node-agent', { namespace: 'shop', daemonset: 'node-agent' }]],
  'linkerd-statefulset': [['shop/db', { namespace: 'shop', statefulset: 'db' }]],
  'linkerd-job': [['shop/migrate', { namespace: 'shop', job: 'migrate' }]],
  'linkerd-cronjob': [['shop/report', { namespace: 'shop', cronjob: 'report' }]],
  'linkerd-replicaset': [['shop/cache', { namespace: 'shop', replicaset: 'cache' }]],
  'linkerd-replicationcontroller': [['legacy/legacy', { namespace: 'legacy', replicationcontroller: 'legacy' }]],
  'linkerd-pod': [['shop/web pod', { namespace: 'shop', pod: 'web-6d8f7c9b5-x2k9p' }]],
  'linkerd-service': [
    ['shop/web (HTTP, HTTPRoute)', { namespace: 'shop', service: 'web' }],
    ['shop/api (gRPC, GRPCRoute)', { namespace: 'shop', service: 'api' }],
    ['shop/db (opaque TCP)', { namespace: 'shop', service: 'db' }],
  ],
  'linkerd-authority': [['web.shop', { namespace: 'shop', authority: 'web.shop.svc.cluster.local:80' }]],
  'linkerd-route': [['shop, GET /items/{id}', { namespace: 'shop', route: 'GET /items/{id}' }]],
  'linkerd-multicluster': [
    ['all linked clusters', {}],
    ['east', { cluster: 'east', gateway: 'linkerd-gateway' }],
  ],
  'linkerd-prometheus': [['self', {}]],
  'linkerd-kubernetes': [['all nodes', {}]],
};

/**
 * Queries that may return nothing, matched on `uid | scenario | row | panel | series`, and why
 * the fixture mesh has no such traffic. Anything else without data fails the test.
 */
const EXPECTED_EMPTY: [RegExp, string][] = [
  [
    /\| (Traffic to callees|Traffic from callers|Outbound traffic|By client workload|By client pod|Served by workload|Served by pod|Requested by workload|Requested by pod|To linked clusters|To mirrored services|Callers of mirrored services|Gateway: forwarded to services) \| Request rate \| plaintext /,
    'client side, plaintext: every client proxy of the fixture talks to meshed endpoints (the unmeshed ingress has no proxy to measure it)',
  ],
  [
    /^(?!linkerd-(deployment|pod) \| shop\/web|linkerd-namespace \| shop )[^|]+\| [^|]+\| (Inbound traffic|By workload|By pod|Control plane and extensions traffic) \| Request rate \| plaintext /,
    'server side, plaintext: only web receives plaintext requests (from the unmeshed ingress)',
  ],
  [/^(?!linkerd-deployment \| shop\/api )[^|]+\| [^|]+\| Inbound policy \| HTTP authorization \| denied$/, 'policy denies HTTP requests only at api (the calls of legacy)'],
  [/^(?!linkerd-statefulset )[^|]+\| [^|]+\| Inbound policy \| TCP authorization \| denied$/, 'policy denies connections only at db (the unmeshed ingress)'],
  [/^linkerd-multicluster \| [^|]+\| Gateway: from linked clusters \| (HTTP|TCP) authorization \| denied$/, 'the gateway\u2019s policy lets every client of the linked cluster through'],
  [
    /^linkerd-(job|cronjob) \| [^|]+\| (Overview \| (Success rate|Request rate|P95 latency|Open TCP connections|Callers)|Inbound traffic|Inbound policy|Traffic from callers) \|/,
    'the Job and the CronJob serve nothing: their pods only call others',
  ],
  [
    /^linkerd-statefulset \| [^|]+\| (Overview \| (Success rate|Request rate|P95 latency)|(Inbound traffic|Traffic from callers) \| (Success rate|Request rate|Latency)|Inbound policy \| HTTP authorization) \|/,
    'db speaks opaque TCP (PostgreSQL): no HTTP metrics',
  ],
  [/^linkerd-statefulset \| [^|]+\| (Overview \| Callees|Traffic to callees) \|/, 'db calls no one'],
  [/^linkerd-replicaset \| [^|]+\| Traffic to callees \| (Success rate|Request rate|Latency) \|/, 'cache calls only db, over opaque TCP'],
  [
    /^linkerd-service \| shop\/db [^|]*\| (Overview \| (Success rate|Request rate|P95 latency)|By client workload \| (Success rate|Request rate|Latency)|By client pod|By HTTPRoute|By GRPCRoute) \|/,
    'an opaque TCP Service: no HTTP metrics, no routes',
  ],
  [/^linkerd-service \| shop\/web [^|]*\| By GRPCRoute \|/, 'an HTTP Service has no GRPCRoute'],
  [/^linkerd-service \| shop\/api [^|]*\| By HTTPRoute \|/, 'a gRPC Service has no HTTPRoute'],
];

let DASHBOARDS: readonly LinkerdDashboard[];
let mesh: FixtureMesh;
let prom: RunningPrometheus | undefined;
let clock: Clock;

beforeAll(async () => {
  const other = process.env.LINKERD_DASHBOARDS_MODULE;
  DASHBOARDS = other ? ((await import(other)) as { DASHBOARDS: readonly LinkerdDashboard[] }).DASHBOARDS : OURS;
  mesh = fixtureMesh();
  prom = await startPrometheus(mesh, scratchDir('dashboards-prometheus'));
  // Wait until every target has been scraped often enough for rate() over $__rate_interval.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await prom.api<{ result: { value: [number, string] }[] }>('/api/v1/query', { query: 'min(count_over_time(up[30s]))' });
    if (Number(r.result[0]?.value[1] ?? 0) >= 8) break;
    if (Date.now() > deadline) throw new Error(`targets not scraped in time\n${prom.log()}`);
    await new Promise((res) => setTimeout(res, 500));
  }
  clock = { end: Math.floor(Date.now() / 1000), range: 30, scrapeInterval: SCRAPE_INTERVAL_SECONDS, maxDataPoints: 1000 };
}, 60_000);

afterAll(async () => {
  const rss = prom?.peakRssKb();
  if (rss !== undefined) console.log(`prometheus (pid ${prom!.pid}) peak resident memory: ${Math.round(rss / 1024)} MiB`);
  await prom?.stop();
});

/**
 * What every panel of `dashboards` shows, for every variable choice: the last value of each
 * series a panel shows (by panel, series name and labels) and each table column's values.
 */
async function panelNumbers(dashboards: readonly LinkerdDashboard[]): Promise<Map<string, Record<string, number>>> {
  const out = new Map<string, Record<string, number>>();
  for (const d of dashboards) {
    const model = d.build() as unknown as GrafanaModel;
    for (const [scenario, choice] of SCENARIOS[d.uid] ?? []) {
      const { vars } = await resolveVariables(model, prom!, clock, choice);
      for (const { row, panel } of panelsWithRows(model)) {
        const where = `${d.uid} | ${scenario} | ${row} | ${panel.title}`;
        if (panel.type === 'table') {
          for (const [column, series] of await tableColumns(panel, vars, prom!, clock)) out.set(`${where} | ${column}`, numbers(series));
          continue;
        }
        // Series without a display name (a stat's one query) by their place among the shown ones.
        const shown = (panel.targets ?? []).filter((x) => !x.hide);
        for (const [i, t] of shown.entries()) {
          const name = displayName(panel, t);
          out.set(`${where} | ${name === t.refId ? `#${i}` : name}`, numbers((await runTarget(t, vars, prom!, clock, panel)).series));
        }
      }
    }
  }
  return out;
}

const modelOf = (uid: string) => {
  const d = DASHBOARDS.find((x) => x.uid === uid);
  if (!d) throw new Error(`no dashboard ${uid}`);
  return d.build() as unknown as GrafanaModel;
};

async function variables(uid: string, choice: Choice): Promise<{ vars: Map<string, Resolved>; problems: VariableProblem[] }> {
  return resolveVariables(modelOf(uid), prom!, clock, choice);
}
const messages = (ps: VariableProblem[]) => ps.map((p) => p.message);

/** The series of one panel target, by row, panel title and series display name (the variables it uses must resolve). */
async function seriesOf(uid: string, choice: Choice, row: string, title: string, series?: string) {
  const model = modelOf(uid);
  const { vars, problems } = await variables(uid, choice);
  const panel = panelsWithRows(model).find((p) => p.row === row && p.panel.title === title);
  if (!panel) throw new Error(`${uid}: no panel ${row} / ${title}`);
  const target = (panel.panel.targets ?? []).find((t) => !t.hide && (series === undefined || displayName(panel.panel, t) === series));
  if (!target) throw new Error(`${uid}: ${row} / ${title}: no series ${series}`);
  const used = new Set((target.type === 'math' ? (panel.panel.targets ?? []) : [target]).flatMap((t) => [...variablesIn(t.expr ?? '')]));
  expect(messages(problems.filter((p) => used.has(p.variable)))).toEqual([]);
  return runTarget(target, vars, prom!, clock, panel.panel);
}
const last = (values: number[]) => values[values.length - 1];
/** A query's last numbers by series labels (6 significant digits), for LINKERD_DASHBOARDS_DUMP. */
const numbers = (series: { labels: Record<string, string>; values: number[] }[]) =>
  Object.fromEntries(
    series
      .filter((x) => x.values.length > 0)
      .map((x) => [JSON.stringify(Object.entries(x.labels).sort(([a], [b]) => a.localeCompare(b))), Number(last(x.values).toPrecision(6))] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

describe('dashboards against a real Prometheus scraping the fixture mesh', () => {
  it('Prometheus scrapes every fixture target through our scrape jobs, and the relabel rules keep only proxies', async () => {
    const up = await prom!.api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>('/api/v1/query', { query: 'up' });
    const targets = await prom!.api<{ activeTargets: { scrapePool: string; scrapeUrl: string; health: string; lastError: string }[] }>('/api/v1/targets', { state: 'active' });
    expect(prom!.serverErrors.slice(0, 5)).toEqual([]);
    expect(targets.activeTargets.filter((t) => t.health !== 'up').map((t) => `${t.scrapePool} ${t.scrapeUrl}: ${t.lastError}`)).toEqual([]);
    const down = up.result.filter((r) => r.value[1] !== '1').map((r) => JSON.stringify(r.metric));
    expect(down).toEqual([]);
    expect(prom!.serverErrors).toEqual([]);
    const proxies = up.result.filter((r) => r.metric.job === 'linkerd-proxy').map((r) => `${r.metric.namespace}/${r.metric.pod}`);
    expect(proxies.sort()).toEqual(
      mesh.pods
        .filter((p) => p.meshed)
        .map((p) => `${p.namespace}/${p.name}`)
        .sort(),
    );
    const jobs = new Set(up.result.map((r) => r.metric.job));
    expect([...jobs].sort()).toEqual(['kubernetes-nodes-cadvisor', 'linkerd-controller', 'linkerd-multicluster-controller', 'linkerd-proxy', 'prometheus']);
  });

  it('every dashboard: variables resolve, queries run, named series carry their labels, and panels have data where the fixture has traffic', async () => {
    const failures: string[] = [];
    const uids = DASHBOARDS.map((d) => d.uid);
    failures.push(...uids.filter((u) => !SCENARIOS[u]).map((u) => `${u}: no variable choices to evaluate it with`));
    failures.push(...Object.keys(SCENARIOS).filter((u) => !uids.includes(u)).map((u) => `${u}: no such dashboard`));
    const excusesUsed = new Set<RegExp>();
    let evaluated = 0;
    let complete = 0;
    const partial = new Map<string, number>();
    const emptyPanels = new Map<string, string[]>();
    for (const d of DASHBOARDS) {
      const model = modelOf(d.uid);
      for (const [scenario, choice] of SCENARIOS[d.uid] ?? []) {
        const { vars, problems } = await variables(d.uid, choice);
        failures.push(...problems.map((p) => `${d.uid} [${scenario}]: ${p.message}`));
        for (const { row, panel } of panelsWithRows(model)) {
          evaluated += 1;
          const reasons: string[] = [];
          let targetsWithData = 0;
          // The terms of an expression are checked through it.
          for (const t of (panel.targets ?? []).filter((x) => !x.hide)) {
            const name = displayName(panel, t);
            const where = `${d.uid} | ${scenario} | ${row} | ${panel.title} | ${name}`;
            let result;
            try {
              result = await runTarget(t, vars, prom!, clock, panel);
            } catch (e) {
              failures.push(`${where}: query error: ${(e as Error).message}`);
              reasons.push('QUERY ERROR');
              continue;
            }
            const withValues = result.series.filter((s) => s.values.length > 0);
            const named = [...name.matchAll(/\$\{__field\.labels\.(\w+)\}/g)].map((m) => m[1]);
            for (const s of withValues) {
              const missing = named.filter((l) => !s.labels[l]);
              if (missing.length > 0) failures.push(`${where}: a series without ${missing.join(', ')} (${JSON.stringify(s.labels)}) in ${result.query}`);
            }
            if (withValues.length > 0) {
              targetsWithData += 1;
              continue;
            }
            const excuse = EXPECTED_EMPTY.find(([re]) => re.test(where));
            if (excuse) {
              excusesUsed.add(excuse[0]);
              reasons.push(excuse[1]);
            } else {
              failures.push(`${where}: no data for ${result.query}`);
              reasons.push('NO DATA (unexpected)');
            }
          }
          const what = `${d.uid} [${scenario}] ${row} / ${panel.title}`;
          if (reasons.length === 0) complete += 1;
          else if (targetsWithData > 0) for (const r of new Set(reasons)) partial.set(r, (partial.get(r) ?? 0) + 1);
          else for (const r of new Set(reasons)) emptyPanels.set(r, [...(emptyPanels.get(r) ?? []), what]);
        }
      }
    }
    const emptyCount = new Set([...emptyPanels.values()].flat()).size;
    console.log(
      [
        `panels evaluated: ${evaluated} (${DASHBOARDS.length} dashboards, ${Object.values(SCENARIOS).flat().length} choices of their variables)`,
        `panels with data: ${evaluated - emptyCount} (${complete} in every query; the others have a series the fixture has no traffic for:)`,
        ...[...partial].map(([r, n]) => `    ${n} x ${r}`),
        `panels empty: ${emptyCount}, because`,
        ...[...emptyPanels].flatMap(([r, ps]) => [`  ${r}: ${ps.length}`, ...ps.map((p) => `    ${p}`)]),
      ].join('\n'),
    );
    const unused = EXPECTED_EMPTY.filter(([re]) => !excusesUsed.has(re)).map(([re, why]) => `expected empty but has data (or never evaluated): ${re} (${why})`);
    expect([...failures, ...unused]).toEqual([]);
  });

  // A tool for changing the dashboards (not a check of the shipped ones): registered only when asked for.
  if (process.env.LINKERD_DASHBOARDS_COMPARE) it('every panel shows the numbers the dashboards of LINKERD_DASHBOARDS_COMPARE show', async () => {
    const theirs = ((await import(process.env.LINKERD_DASHBOARDS_COMPARE!)) as { DASHBOARDS: readonly LinkerdDashboard[] }).DASHBOARDS;
    // Until every scrape up to the clock's end is stored, so that both see the same samples.
    while (Date.now() / 1000 < clock.end + 2 * SCRAPE_INTERVAL_SECONDS) await new Promise((res) => setTimeout(res, 200));
    const [a, b] = [await panelNumbers(DASHBOARDS), await panelNumbers(theirs)];
    const differences = [...new Set([...a.keys(), ...b.keys()])].filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k))).map((k) => `${k}: ${JSON.stringify(a.get(k))} vs ${JSON.stringify(b.get(k))}`);
    console.log(`panel series compared: ${a.size}, values: ${[...a.values()].reduce((n, x) => n + Object.keys(x).length, 0)}`);
    expect(differences).toEqual([]);
  }, 120_000);

  it('the Deployment dashboard shows the requests per second the fixture sends to web', async () => {
    const { series } = await seriesOf('linkerd-deployment', { namespace: 'shop', deployment: 'web' }, 'Overview', 'Request rate');
    expect(series).toHaveLength(1);
    expect(last(series[0].values)).toBeCloseTo(WEB_INBOUND_RPS, 3);
    const mtls = await seriesOf('linkerd-deployment', { namespace: 'shop', deployment: 'web' }, 'Inbound traffic', 'Request rate');
    const total = mtls.series.reduce((a, s) => a + last(s.values), 0);
    expect(total).toBeCloseTo(8, 3); // mTLS share: report 4 + node-agent 2 + legacy 1 + debug 1
  });

  it('more numbers: success rate, denials, ServiceProfile and Gateway API route rates, as the fixture generates them', async () => {
    const web = { namespace: 'shop', deployment: 'web' };
    // (10 x 0.98 + 4 x 0.75 + 2 + 1 x 0.9 + 1) / 18
    const success = await seriesOf('linkerd-deployment', web, 'Overview', 'Success rate');
    expect(last(success.series[0].values)).toBeCloseTo(16.7 / 18, 3);
    const denied = await seriesOf('linkerd-deployment', { namespace: 'shop', deployment: 'api' }, 'Inbound policy', 'HTTP authorization', 'denied');
    expect(last(denied.series[0].values)).toBeCloseTo(0.5, 3);
    const route = await seriesOf('linkerd-route', { namespace: 'shop', route: 'GET /items/{id}' }, 'ServiceProfile route: served', 'Request rate');
    expect(route.series.map((x) => [x.labels.workload, last(x.values)])).toEqual([['replicaset/cache', expect.closeTo(3, 3)]]);
    const http = await seriesOf('linkerd-route', { namespace: 'shop', route: 'GET /items/{id}' }, 'HTTPRoutes', 'Request rate');
    expect(http.series.map((x) => [x.labels.route_name, last(x.values)])).toEqual([['web-route', expect.closeTo(8, 3)]]);
    const grpc = await seriesOf('linkerd-route', { namespace: 'shop', route: 'GET /items/{id}' }, 'GRPCRoutes', 'Request rate');
    expect(grpc.series.map((x) => [x.labels.route_name, last(x.values)])).toEqual([['api-grpc', expect.closeTo(12.5, 3)]]);
  });

  describe('the multicluster dashboard (issue 17)', () => {
    const east = { cluster: 'east', gateway: 'linkerd-gateway' };
    const byLabels = (series: { labels: Record<string, string>; values: number[] }[], ...labels: string[]) =>
      Object.fromEntries(series.map((x) => [labels.map((l) => x.labels[l]).join(' '), Number(last(x.values).toFixed(4))]));

    it('the variables list the linked cluster and this cluster\u2019s gateway', async () => {
      const { vars, problems } = await variables('linkerd-multicluster', east);
      expect(messages(problems)).toEqual([]);
      expect(vars.get('cluster')?.options).toEqual(['east']);
      expect(vars.get('gateway')?.options).toEqual(['linkerd-gateway']);
    });

    it('traffic to the linked cluster: 3 requests per second to web-east, 2.8 of them successful, from legacy (2) and debug (1)', async () => {
      for (const choice of [{}, east]) {
        const rate = await seriesOf('linkerd-multicluster', choice, 'Overview', 'Request rate');
        expect(last(rate.series[0].values)).toBeCloseTo(3, 3);
        const success = await seriesOf('linkerd-multicluster', choice, 'Overview', 'Success rate');
        expect(last(success.series[0].values)).toBeCloseTo(2.8 / 3, 3);
      }
      const byCluster = await seriesOf('linkerd-multicluster', east, 'To linked clusters', 'Success rate');
      expect(byLabels(byCluster.series, 'dst_target_cluster')).toEqual({ east: expect.closeTo(2.8 / 3, 3) });
      const services = await seriesOf('linkerd-multicluster', east, 'To mirrored services', 'Request rate', 'mTLS ${__field.labels.dst_target_cluster} ${__field.labels.dst_namespace} ${__field.labels.dst_service}');
      expect(byLabels(services.series, 'dst_target_cluster', 'dst_namespace', 'dst_service')).toEqual({ 'east shop web-east': 3 });
      const callers = await seriesOf('linkerd-multicluster', east, 'Callers of mirrored services', 'Request rate', 'mTLS ${__field.labels.namespace} ${__field.labels.workload}');
      expect(byLabels(callers.series, 'namespace', 'workload')).toEqual({ 'legacy replicationcontroller/legacy': 2, 'legacy pod/debug': 1 });
      // web-east (2 clients x 2 connections) and db-east (api, 1 connection), through east's gateway.
      const tcp = await seriesOf('linkerd-multicluster', east, 'Overview', 'Open TCP connections');
      expect(last(tcp.series[0].values)).toBe(5);
      const mirrors = await seriesOf('linkerd-multicluster', east, 'Overview', 'Mirrored services called');
      expect(last(mirrors.series[0].values)).toBe(2);
    });

    it('this cluster\u2019s gateway: east\u2019s frontend calls node-agent through it (1.5 requests per second)', async () => {
      const forwarded = await seriesOf('linkerd-multicluster', east, 'Gateway: forwarded to services', 'Request rate', 'mTLS ${__field.labels.dst_namespace} ${__field.labels.dst_service}');
      expect(byLabels(forwarded.series, 'dst_namespace', 'dst_service')).toEqual({ 'shop node-agent': 1.5 });
      const allowed = await seriesOf('linkerd-multicluster', east, 'Gateway: from linked clusters', 'HTTP authorization', 'allowed');
      expect(last(allowed.series[0].values)).toBeCloseTo(1.5, 3);
      const open = await seriesOf('linkerd-multicluster', east, 'Gateway: from linked clusters', 'TCP connections', 'open ${__field.labels.app}');
      expect(byLabels(open.series, 'app')).toEqual({ 'linkerd-gateway': 2 });
      const targets = await seriesOf('linkerd-multicluster', east, 'Gateway: from linked clusters', 'Connections by target');
      expect(byLabels(targets.series, 'target_name')).toEqual({ 'node-agent.shop.svc.cluster.local': 0.05 });
    });

    it('the service mirror\u2019s probes of east\u2019s gateway', async () => {
      const alive = await seriesOf('linkerd-multicluster', east, 'Overview', 'Gateways alive');
      expect(last(alive.series[0].values)).toBe(1);
      const probes = await seriesOf('linkerd-multicluster', east, 'Service mirrors: gateway probes', 'Probes');
      expect(byLabels(probes.series, 'target_cluster_name', 'probe_successful')).toEqual({ 'east true': expect.closeTo(0.95 / 3, 3), 'east false': expect.closeTo(0.05 / 3, 3) });
      const p50 = await seriesOf('linkerd-multicluster', east, 'Service mirrors: gateway probes', 'Probe latency', 'p50 ${__field.labels.target_cluster_name}');
      // Half the probes take at most 40 ms, none less than 30: the median lies in the (30, 40] bucket.
      expect(p50.series.map((x) => x.labels.target_cluster_name)).toEqual(['east']);
      expect(last(p50.series[0].values)).toBeGreaterThan(30);
      expect(last(p50.series[0].values)).toBeLessThanOrEqual(40);
      const repairs = await seriesOf('linkerd-multicluster', east, 'Service mirrors: gateway probes', 'Endpoint repairs');
      expect(byLabels(repairs.series, 'target_cluster_name')).toEqual({ east: expect.closeTo(1 / 60, 3) });
    });

    it('traffic to a mirror Service is named by the Service in the workload dashboards (its endpoint is a gateway, no pod)', async () => {
      const { series } = await seriesOf('linkerd-replicationcontroller', { namespace: 'legacy', replicationcontroller: 'legacy' }, 'Traffic to callees', 'Request rate', 'mTLS ${__field.labels.dst_namespace} ${__field.labels.dst_workload}');
      expect(byLabels(series, 'dst_namespace', 'dst_workload')).toMatchObject({ 'shop service/web-east': 2 });
    });
  });

  describe('the findings of issue 14', () => {
    it('Authority: the authority variable lists the fixture\'s authorities and the panels count only that authority\'s traffic', async () => {
      const { vars, problems } = await variables('linkerd-authority', { namespace: 'shop' });
      expect(messages(problems)).toEqual([]);
      expect(vars.get('authority')?.options).toContain('web.shop.svc.cluster.local:80');
      // Meshed clients send web 4 + 2 + 1 + 1 requests per second (the unmeshed ingress is not measured by a client proxy).
      const { series } = await seriesOf('linkerd-authority', { namespace: 'shop', authority: 'web.shop.svc.cluster.local:80' }, 'Overview', 'Request rate');
      expect(last(series[0].values)).toBeCloseTo(8, 1);
    });

    it('Health: the time to the first identity certificate expiry has data (control_identity_cert_expiration_timestamp_seconds)', async () => {
      const { series } = await seriesOf('linkerd-health', { namespace: 'linkerd' }, 'Proxies', 'Time to the first identity certificate expiry');
      expect(series.length).toBeGreaterThan(0);
      for (const s of series) expect(last(s.values)).toBeGreaterThan(0);
    });

    it('TCP: a connection is counted once (inbound peer="src", outbound peer="dst")', async () => {
      const choice = { namespace: 'shop', deployment: 'web' };
      // Five HTTP clients call web; each keeps 2 connections to each of the 2 pods.
      const inbound = await seriesOf('linkerd-deployment', choice, 'Inbound traffic', 'TCP connections');
      expect(inbound.series.reduce((a, s) => a + last(s.values), 0)).toBe(20);
      // web calls api (2 pods x 2 connections to 1 pod), cache (2 x 2) and legacy (1 x 2).
      const outbound = await seriesOf('linkerd-deployment', choice, 'Traffic to callees', 'TCP connections');
      expect(outbound.series.reduce((a, s) => a + last(s.values), 0)).toBe(10);
    });

    it('Breakdowns: traffic of every workload kind is named by its workload, never one unlabelled series', async () => {
      const { series } = await seriesOf('linkerd-top-line', {}, 'Overview', 'Request rate');
      expect(series.length).toBe(1);
      const model = modelOf('linkerd-namespace');
      const { vars } = await variables('linkerd-namespace', { namespace: 'shop' });
      const names = new Set<string>();
      // The row that breaks the namespace's traffic down by workload (it was 'By Deployment').
      for (const { panel } of panelsWithRows(model).filter((p) => /^By (workload|Deployment)$/.test(p.row))) {
        for (const t of (panel.targets ?? []).filter((x) => !x.hide)) {
          const r = await runTarget(t, vars, prom!, clock, panel);
          for (const s of r.series) {
            const labels = [...displayName(panel, t).matchAll(/\$\{__field\.labels\.(\w+)\}/g)].map((m) => s.labels[m[1]] ?? '');
            names.add(labels.join(' '));
          }
        }
      }
      expect([...names].filter((n) => n.trim() === '' || n.split(' ').includes(''))).toEqual([]);
      for (const w of ['deployment/web', 'deployment/api', 'statefulset/db', 'daemonset/node-agent', 'replicaset/cache']) {
        // by workload: deployment/web, …; the one unlabelled series it was has a blank name
        expect([...names].some((n) => n.split(' ').includes(w)), `${w} in ${[...names].join(', ')}`).toBe(true);
      }
    });

    it('CronJob: a webhook-injected CronJob\'s pods are selectable, and its traffic shows', async () => {
      const { vars, problems } = await variables('linkerd-cronjob', { namespace: 'shop' });
      expect(messages(problems.filter((p) => p.variable === 'namespace' || p.variable === 'cronjob'))).toEqual([]);
      expect(vars.get('cronjob')?.options).toEqual(['report']);
      const { series } = await seriesOf('linkerd-cronjob', { namespace: 'shop', cronjob: 'report' }, 'Traffic to callees', 'Request rate', 'mTLS ${__field.labels.dst_namespace} ${__field.labels.dst_workload}');
      expect(series.map((s) => s.labels.dst_workload)).toEqual(['deployment/web']);
      expect(last(series[0].values)).toBeCloseTo(4, 1);
    });

    it('Service: a TCP-only Service is selectable, and its connections show', async () => {
      const { vars, problems } = await variables('linkerd-service', { namespace: 'shop' });
      expect(messages(problems)).toEqual([]);
      expect(vars.get('service')?.options).toEqual(['api', 'cache', 'db', 'db-east', 'node-agent', 'web', 'web-east']);
      const { series } = await seriesOf('linkerd-service', { namespace: 'shop', service: 'db' }, 'Overview', 'Open TCP connections');
      expect(last(series[0].values)).toBe(3); // api, migrate and cache, one connection each
    });

    it('Kubernetes: a dashboard of the cadvisor job shows CPU and memory of the fixture\'s nodes and pods', async () => {
      const model = modelOf('linkerd-kubernetes');
      expect(panelsWithRows(model).length).toBeGreaterThan(5);
      const { series } = await seriesOf('linkerd-kubernetes', {}, 'Overview', 'CPU cores');
      expect(last(series[0].values)).toBe(12);
    });
  });
});

