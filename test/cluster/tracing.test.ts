/**
 * linkerd-jaeger's collector against the project's cluster (tracing-configs.test.ts judges the
 * configurations without it): the collector built with the collector builder from exactly our
 * components (scripts/cluster/modules/otelcol) and Jaeger v2 (scripts/cluster/modules/jaeger).
 *
 * 1. For the defaults and the value variations, the collector starts with the configuration of
 *    `helm template`'s ConfigMap, exporting to a Jaeger started with the rendered jaeger.yaml, and
 *    reports ready: its k8sattributes processor has synced its pod informer (`wait_for_metadata`)
 *    as the chart's collector ServiceAccount (a token from the TokenRequest API).
 * 2. A span sent as linkerd2-proxy v2.366.0 sends it (OTLP/gRPC, an unset instrumentation scope,
 *    and its resource: `service.name` linkerd-proxy, `host.name`, `process.pid`,
 *    `process.start_timestamp`, the pod's labels from the downward API and the attributes of
 *    `proxy.tracing.labels`) for a meshed pod of the cluster passes through the collector and comes
 *    back from Jaeger's query API with the pod's Kubernetes attributes. The connection comes from
 *    127.0.0.1, an address of no pod, as in the mesh, where the collector sees its own inbound
 *    proxy: the pod is found by the `k8s.pod.ip` resource attribute (or `k8s.pod.uid`, shown by an
 *    application's span that carries only that).
 * 3. Without any one rule of the chart's collector ClusterRole (get, list, watch pods) the
 *    collector never becomes ready: its health check (the pod's probes) answers 503 past the
 *    processor's 10 s wait for metadata, and its log says the server forbade the ServiceAccount to
 *    list pods. (It does not exit: collector 0.162.0 blocks when k8sattributes reports the failed
 *    start, open-telemetry/opentelemetry-collector#8116.)
 *
 * Every process started here listens on loopback only (checked with `ss` before it is stopped by
 * its PID).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneValues } from '../../src/control-plane/values';
import { defaultsOf } from '../../src/values/model';
import { KUBECONFIG, deleteNamespace, eventually, getJson, kubectl, type K8sObject } from './support/cluster';
import { exportRequest, exportTraces, newSpan, type AttributeValue } from './support/otlp';
import { JAEGER_NS as NS, VARIATIONS, neverReady, ready, renderJaeger, start, startJaeger, tracingBinaries, type Config, type Running } from './support/tracing';

const APP_NS = 'tracing-app';
const MANAGER = '--field-manager=cdk8s-linkerd-tracing-test';

let bins: { otelcol: string; jaeger: string };
let work: string;
let tokenKubeconfig: string;
const running: Running[] = [];

/** A kubeconfig that authenticates as the chart's collector ServiceAccount (a TokenRequest token). */
async function collectorKubeconfig(): Promise<string> {
  const token = (await kubectl(['create', 'token', 'collector', '-n', NS, '--duration=1h'])).stdout.trim();
  const admin = load(readFileSync(KUBECONFIG, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
  const file = join(work, 'collector.kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: admin.clusters[0].cluster }],
    users: [{ name: 'collector', user: { token } }],
    contexts: [{ name: 'collector', context: { cluster: 'test', user: 'collector' } }],
    'current-context': 'collector',
  };
  writeFileSync(file, dump(config), { mode: 0o600 });
  return file;
}

async function startJaegerHere(config: Config): Promise<Running> {
  const run = await startJaeger(bins.jaeger, config, mkdtempSync(join(work, 'badger-')));
  running.push(run);
  return run;
}

/** Starts the collector, exporting to `jaegerOtlp` (a loopback port), looking pods up as the collector ServiceAccount. */
async function startCollector(config: Config, jaegerOtlp: number): Promise<Running> {
  const run = await start(bins.otelcol, config, {
    env: { KUBECONFIG: tokenKubeconfig },
    edit: (c) => {
      c.processors.k8sattributes.auth_type = 'kubeConfig';
      c.exporters['otlp/jaeger'].endpoint = `127.0.0.1:${jaegerOtlp}`;
    },
  });
  running.push(run);
  return run;
}

/** Stops a process by its PID, once its sockets are shown to be on loopback only. */
async function stop(run: Running): Promise<void> {
  const { listening, outside } = run.sockets();
  if (run.exited() === undefined) expect(listening.length, `${run.pid} listens on nothing`).toBeGreaterThan(0);
  expect(outside, `sockets of ${run.pid} off loopback`).toEqual([]);
  await run.stop();
  running.splice(running.indexOf(run), 1);
}

beforeAll(async () => {
  bins = await tracingBinaries();
  work = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-tracing-'));
  // The collector's identity on the server: the chart's ServiceAccount, ClusterRole and binding.
  const { objects } = await renderJaeger();
  await kubectl(['create', 'namespace', NS]);
  const rbac = objects.filter((o) => ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind) && /collector/.test(o.metadata.name));
  expect(rbac.map((o) => o.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'ServiceAccount']);
  await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], rbac.map((o) => JSON.stringify(o)).join('\n'));
  tokenKubeconfig = await collectorKubeconfig();
});

afterAll(async () => {
  for (const run of [...running]) await run.stop();
  await kubectl(['delete', 'clusterrolebinding,clusterrole', '-l', 'linkerd.io/extension=jaeger,component=collector', '--ignore-not-found']).catch(() => undefined);
  for (const ns of [APP_NS, NS]) await deleteNamespace(ns).catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the collector starts with each rendered configuration, as the chart\'s ServiceAccount', () => {
  for (const variation of VARIATIONS) {
    it(variation.name, async () => {
      const { collector, jaeger } = await renderJaeger(variation.set, variation.namespace);
      const j = await startJaegerHere(jaeger);
      const c = await startCollector(collector, j.ports.get(4317)!);
      await ready(c, `http://127.0.0.1:${c.ports.get(13133)}/`);
      await stop(c);
      await stop(j);
    });
  }
});

describe("a span's journey: proxy → collector (k8sattributes, chart RBAC) → Jaeger → query API", () => {
  type Pod = { name: string; uid: string; ip: string; node: string; labels: Record<string, string> };
  let pod: Pod;
  let jaeger: Running;
  let collector: Running;

  beforeAll(async () => {
    // A meshed workload: a Deployment whose pod has the proxy container (kwok runs nothing; the pod gets an IP from 127.64.0.0/16).
    await kubectl(['create', 'namespace', APP_NS]);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'books', namespace: APP_NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'books' } },
        template: {
          metadata: { labels: { app: 'books', 'app.kubernetes.io/name': 'books', 'app.kubernetes.io/version': 'v1', 'app.kubernetes.io/part-of': 'bookshop' } },
          spec: {
            containers: [
              { name: 'app', image: 'example.org/books:1.2.3' },
              { name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:edge-26.8.3' },
            ],
          },
        },
      },
    };
    await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], JSON.stringify(deployment));
    pod = await eventually('the books pod to have an IP', 120, async () => {
      type Item = { metadata: { name: string; uid: string; labels: Record<string, string> }; spec: { nodeName?: string }; status: { podIP?: string } };
      const pods = await getJson<{ items: Item[] }>(['get', 'pods', '-n', APP_NS, '-l', 'app=books']);
      const p = pods.items.find((x) => x.status.podIP && x.spec.nodeName);
      return p ? { name: p.metadata.name, uid: p.metadata.uid, ip: p.status.podIP!, node: p.spec.nodeName!, labels: p.metadata.labels } : undefined;
    });
    const { collector: collectorConfig, jaeger: jaegerConfig } = await renderJaeger();
    jaeger = await startJaegerHere(jaegerConfig);
    collector = await startCollector(collectorConfig, jaeger.ports.get(4317)!);
    await ready(collector, `http://127.0.0.1:${collector.ports.get(13133)}/`);
  });

  /** What linkerd2-proxy v2.366.0 puts in its resource (linkerd/app/src/env/trace.rs, trace_collector/otel_collector.rs), for this pod. */
  function proxyResource(): Record<string, AttributeValue> {
    const tracing = (defaultsOf(controlPlaneValues) as { proxy: { tracing: { traceServiceName: string; labels: Record<string, string> } } }).proxy.tracing;
    // The proxy container's environment: the chart's $(_pod_*) variables, HOSTNAME (the pod's name).
    const vars: Record<string, string> = { _pod_ip: pod.ip, _pod_uid: pod.uid, _pod_containerName: 'linkerd-proxy' };
    const extra = Object.fromEntries(Object.entries(tracing.labels).map(([k, v]) => [k, v.replace(/\$\((\w+)\)/g, (_, name: string) => vars[name] ?? `$(${name})`)]));
    return {
      'process.pid': 1,
      'process.start_timestamp': Math.floor(Date.now() / 1000) - 60,
      'host.name': pod.name,
      // Later sources win: the service name, the pod's labels (LINKERD2_PROXY_TRACE_ATTRIBUTES_PATH), proxy.tracing.labels.
      'service.name': tracing.traceServiceName,
      ...pod.labels,
      ...extra,
    };
  }

  type Trace = { spans: { operationName: string; processID: string }[]; processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }> };

  /** The trace from Jaeger's query API (as the UI reads it), once it is there: each span's process, by span name. */
  async function fromJaeger(traceId: string): Promise<Record<string, { serviceName: string; tags: Record<string, string> }>> {
    const api = `http://127.0.0.1:${jaeger.ports.get(16686)}/jaeger/api/traces/${traceId}`;
    const trace = await eventually(`trace ${traceId} in Jaeger's query API`, 120, async () => {
      const res = await fetch(api);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { data: Trace[] }).data[0];
    }).catch((e: Error) => {
      throw new Error(`${e.message}\n--- collector\n${collector.output().slice(-3000)}\n--- jaeger\n${jaeger.output().slice(-3000)}`);
    });
    return Object.fromEntries(
      trace.spans.map((s) => {
        const p = trace.processes[s.processID];
        return [s.operationName, { serviceName: p.serviceName, tags: Object.fromEntries(p.tags.map((t) => [t.key, typeof t.value === 'string' ? t.value : JSON.stringify(t.value)])) }];
      }),
    );
  }

  /** What the collector looked up in the cluster for the books pod (none of which the proxy sends). */
  const lookedUp = () => ({
    'k8s.namespace.name': APP_NS,
    'k8s.pod.name': pod.name,
    'k8s.node.name': pod.node,
    'k8s.deployment.name': 'books',
    'k8s.replicaset.name': `books-${pod.labels['pod-template-hash']}`,
  });

  it('arrives in Jaeger with the pod, its workload and its proxy container found by the collector', async () => {
    const resource = proxyResource();
    expect(resource).toMatchObject({ 'service.name': 'linkerd-proxy', 'k8s.pod.ip': pod.ip, 'k8s.pod.uid': pod.uid, 'k8s.container.name': 'linkerd-proxy' });
    for (const key of Object.keys(lookedUp())) expect(resource).not.toHaveProperty([key]);

    const span = { ...newSpan('GET /books', { 'http.method': 'GET', 'http.path': '/books' }), parentSpanId: randomBytes(8) };
    await exportTraces(`127.0.0.1:${collector.ports.get(4317)}`, exportRequest([{ resource, spans: [span] }]));
    const spans = await fromJaeger(span.traceId.toString('hex'));
    expect(Object.keys(spans)).toEqual(['GET /books']);
    const { serviceName, tags } = spans['GET /books'];
    expect(serviceName).toBe('linkerd-proxy');
    expect(tags).toMatchObject({
      // From the proxy.
      'k8s.pod.ip': pod.ip,
      'k8s.pod.uid': pod.uid,
      'k8s.container.name': 'linkerd-proxy',
      'host.name': pod.name,
      'app.kubernetes.io/name': 'books',
      'app.kubernetes.io/version': 'v1',
      'app.kubernetes.io/part-of': 'bookshop',
      // Looked up in the cluster by the collector, as the chart's ServiceAccount: the pod, its workload, the named container's image.
      ...lookedUp(),
      'container.image.name': 'cr.l5d.io/linkerd/proxy',
      'container.image.tags': '["edge-26.8.3"]',
    });
  });

  it("an application's span with only the pod UID gets the pod's labels and the application container's image", async () => {
    // A meshed application exporting through its proxy: its SDK's resource, no pod IP, no labels.
    const resource = { 'service.name': 'books', 'k8s.pod.uid': pod.uid, 'k8s.container.name': 'app' };
    const span = newSpan('list books');
    await exportTraces(`127.0.0.1:${collector.ports.get(4317)}`, exportRequest([{ resource, spans: [span] }], 'books-sdk'));
    const { serviceName, tags } = (await fromJaeger(span.traceId.toString('hex')))['list books'];
    expect(serviceName).toBe('books');
    expect(tags).toMatchObject({
      ...lookedUp(),
      'app.kubernetes.io/name': 'books',
      'app.kubernetes.io/version': 'v1',
      'app.kubernetes.io/part-of': 'bookshop',
      'container.image.name': 'example.org/books',
      'container.image.tags': '["1.2.3"]',
    });
    expect(tags).not.toHaveProperty(['k8s.pod.ip']);
  });

  afterAll(async () => {
    if (collector) await stop(collector);
    if (jaeger) await stop(jaeger);
  });
});

describe("the collector needs every rule of the chart's ClusterRole", () => {
  type ClusterRole = K8sObject & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
  let role: ClusterRole;
  let jaegerConfig: Config;
  let collectorConfig: Config;

  beforeAll(async () => {
    const r = await renderJaeger();
    role = r.objects.find((o) => o.kind === 'ClusterRole' && /collector/.test(o.metadata.name)) as ClusterRole;
    jaegerConfig = r.jaeger;
    collectorConfig = r.collector;
  });
  afterAll(async () => {
    await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], JSON.stringify(role));
  });

  it('is ready with the whole ClusterRole and never ready without any one of its rules, the server refusing that rule', async () => {
    const jaeger = await startJaegerHere(jaegerConfig);
    const health = (run: Running) => `http://127.0.0.1:${run.ports.get(13133)}/`;
    const whole = await startCollector(collectorConfig, jaeger.ports.get(4317)!);
    await ready(whole, health(whole));
    expect(whole.output()).not.toMatch(/forbidden/);
    await stop(whole);
    expect(role.rules.length).toBeGreaterThan(0);
    for (let i = 0; i < role.rules.length; i++) {
      const rule = role.rules[i];
      const without = { ...role, rules: role.rules.filter((_, j) => j !== i) };
      await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], JSON.stringify(without));
      const run = await startCollector(collectorConfig, jaeger.ports.get(4317)!);
      // Past k8sattributes' wait for metadata (10 s): the health check the probes read never says 200.
      const statuses = await neverReady(run, health(run), 30);
      expect(statuses[statuses.length - 1], `collector without the rule for ${rule.resources.join(', ')}`).toBe('503');
      expect(run.exited(), 'the collector hangs rather than exits (collector#8116)').toBeUndefined();
      expect(run.output()).toContain(`${rule.resources[0]} is forbidden: User \\"system:serviceaccount:${NS}:collector\\" cannot list resource \\"${rule.resources[0]}\\"`);
      expect(run.output()).not.toContain('Everything is ready');
      await stop(run);
      await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], JSON.stringify(role));
    }
    await stop(jaeger);
  });
});
