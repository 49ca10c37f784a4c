/**
 * linkerd-jaeger's collector against the project's cluster (tracing-configs.test.ts judges the
 * configurations without it): the collector built with the collector builder from exactly our
 * components (scripts/cluster/modules/otelcol) and Jaeger v2 (scripts/cluster/modules/jaeger).
 *
 * 1. For the defaults and the value variations, the collector starts with the configuration of
 *    `helm template`'s ConfigMap, exporting to a Jaeger started with the rendered jaeger.yaml, and
 *    reports ready: its k8sattributes processor has synced its pod informer (`wait_for_metadata`)
 *    as the chart's collector ServiceAccount (a token from the TokenRequest API).
 * 2. A span sent as linkerd2-proxy sends it (OTLP/gRPC, service `linkerd-proxy`, the resource
 *    attributes of `proxy.tracing.labels` for a meshed pod of the cluster) passes through the
 *    collector and comes back from Jaeger's query API with the pod's Kubernetes attributes.
 * 3. Without any one rule of the chart's collector ClusterRole (get, list, watch pods) the
 *    collector does not start.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlPlaneValues } from '../../src/control-plane/values';
import { defaultsOf } from '../../src/values/model';
import { KUBECONFIG, deleteNamespace, eventually, getJson, kubectl, type K8sObject } from './support/cluster';
import { exportRequest, exportTraces, newSpan } from './support/otlp';
import { JAEGER_NS as NS, VARIATIONS, exitOf, ready, renderJaeger, start, startJaeger, tracingBinaries, type Config, type Running } from './support/tracing';

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

async function stop(run: Running): Promise<void> {
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
  let pod: { name: string; uid: string; ip: string; node: string };
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
      const pods = await getJson<{ items: { metadata: { name: string; uid: string }; spec: { nodeName?: string }; status: { podIP?: string } }[] }>(['get', 'pods', '-n', APP_NS, '-l', 'app=books']);
      const p = pods.items.find((x) => x.status.podIP && x.spec.nodeName);
      return p ? { name: p.metadata.name, uid: p.metadata.uid, ip: p.status.podIP!, node: p.spec.nodeName! } : undefined;
    });
    const { collector: collectorConfig, jaeger: jaegerConfig } = await renderJaeger();
    jaeger = await startJaegerHere(jaegerConfig);
    collector = await startCollector(collectorConfig, jaeger.ports.get(4317)!);
    await ready(collector, `http://127.0.0.1:${collector.ports.get(13133)}/`);
  });

  it('arrives in Jaeger with the pod, its workload and its labels', async () => {
    // What the proxy sends: its service name and proxy.tracing.labels, with the pod's values for $(_pod_*).
    const proxy = (defaultsOf(controlPlaneValues) as { proxy: { tracing: { traceServiceName: string; labels: Record<string, string> } } }).proxy.tracing;
    const vars: Record<string, string> = { _pod_ip: pod.ip, _pod_uid: pod.uid, _pod_containerName: 'linkerd-proxy' };
    const resource: Record<string, string> = { 'service.name': proxy.traceServiceName };
    for (const [k, v] of Object.entries(proxy.labels)) resource[k] = v.replace(/\$\((\w+)\)/g, (_, name: string) => vars[name] ?? `$(${name})`);
    expect(resource).toMatchObject({ 'service.name': 'linkerd-proxy', 'k8s.pod.ip': pod.ip, 'k8s.pod.uid': pod.uid });

    const span = newSpan('GET /books', { 'http.method': 'GET', 'http.path': '/books' });
    // Sent from the pod's own address, as the pod's proxy would connect.
    await exportTraces(`127.0.0.1:${collector.ports.get(4317)}`, exportRequest(resource, [span]), pod.ip);
    const traceId = span.traceId.toString('hex');
    const api = `http://127.0.0.1:${jaeger.ports.get(16686)}/jaeger/api/traces/${traceId}`;
    type Trace = { spans: { operationName: string; processID: string }[]; processes: Record<string, { serviceName: string; tags: { key: string; value: unknown }[] }> };
    const trace = await eventually(`trace ${traceId} in Jaeger's query API`, 120, async () => {
      const res = await fetch(api);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { data: Trace[] }).data[0];
    });
    expect(trace.spans.map((s) => s.operationName)).toEqual(['GET /books']);
    const process = trace.processes[trace.spans[0].processID];
    expect(process.serviceName).toBe('linkerd-proxy');
    const tags = Object.fromEntries(process.tags.map((t) => [t.key, String(t.value)]));
    expect(tags).toMatchObject({
      // From the proxy (proxy.tracing.labels).
      'k8s.pod.ip': pod.ip,
      'k8s.pod.uid': pod.uid,
      'k8s.container.name': 'linkerd-proxy',
      // Looked up in the cluster by the collector, as the chart's ServiceAccount.
      'k8s.namespace.name': APP_NS,
      'k8s.pod.name': pod.name,
      'k8s.node.name': pod.node,
      'k8s.deployment.name': 'books',
      'app.kubernetes.io/name': 'books',
      'app.kubernetes.io/version': 'v1',
      'app.kubernetes.io/part-of': 'bookshop',
      'container.image.name': 'cr.l5d.io/linkerd/proxy',
      'container.image.tag': 'edge-26.8.3',
    });
    expect(tags['k8s.replicaset.name']).toMatch(/^books-/);
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

  it('starts with the whole ClusterRole and refuses to start without any one of its rules', async () => {
    const jaeger = await startJaegerHere(jaegerConfig);
    const whole = await startCollector(collectorConfig, jaeger.ports.get(4317)!);
    await ready(whole, `http://127.0.0.1:${whole.ports.get(13133)}/`);
    await stop(whole);
    expect(role.rules.length).toBeGreaterThan(0);
    for (let i = 0; i < role.rules.length; i++) {
      const rule = role.rules[i];
      const without = { ...role, rules: role.rules.filter((_, j) => j !== i) };
      await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], JSON.stringify(without));
      const run = await startCollector(collectorConfig, jaeger.ports.get(4317)!);
      const code = await exitOf(run);
      expect(code, `collector without the rule for ${rule.resources.join(', ')}`).not.toBe(0);
      expect(run.output()).toMatch(new RegExp(`${rule.resources[0]}|sync`, 'i'));
      await stop(run);
      await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], JSON.stringify(role));
    }
    await stop(jaeger);
  });
});
