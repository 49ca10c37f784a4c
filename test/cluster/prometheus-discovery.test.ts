/**
 * The viz Prometheus configuration discovers the mesh with the viz chart's own ServiceAccount:
 * the Prometheus release the chart deploys (v2.55.1, built from its Go module into .tools/) runs
 * the prometheus.yml that `helm install` put in the prometheus-config ConfigMap, against this
 * cluster, with a token of the `prometheus` ServiceAccount (TokenRequest API). The harness changes
 * only what a process outside the cluster must: where the API server is (`api_server` and its CA
 * for every `kubernetes_sd_configs`, the service-account token and CA paths, the API-server
 * address of the cAdvisor job), the listen address, the storage path and the rule files' folder.
 * Pods are meshed by manual injection (src/mesh/inject.ts, what the proxy injector adds), the
 * control plane's own pods carry their proxy from the chart. No container runs here, so every
 * scrape fails: the targets and their labels after relabelling are what is checked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkerdControlPlane } from '../../src/control-plane/construct';
import { injectProxy } from '../../src/mesh/inject';
import { IDENTITY_VALUES } from '../fixtures/identity';
import { freePort } from '../fixtures/mesh-metrics/prometheus';
import { prometheusTool } from '../support/prometheus-tools';
import { CHARTS_DIR, IDENTITY_FLAGS, KUBECONFIG, deleteNamespace, eventually, getJson, helm, kubectl, parseManifests, removeLeftoverCrds } from './support/cluster';

const CP_NS = 'linkerd';
const VIZ_NS = 'linkerd-viz';
const APP_NS = 'shop';
const WAIT = ['--server-side=true', '--wait=watcher', '--timeout=5m'];
const ROLE = `linkerd-${VIZ_NS}-prometheus`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Target {
  scrapePool: string;
  labels: Record<string, string>;
  discoveredLabels: Record<string, string>;
  health: string;
}

/** The meshed workloads of the test, one of each kind the proxy job names, and one unmeshed Deployment. */
function workloads(): Json[] {
  const app = new App();
  const cp = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES });
  const chart = new Chart(app, 'shop', { namespace: APP_NS });
  const container = (name: string) => ({ name, image: `example.com/${name}:1`, ports: [{ name: 'http', containerPort: 8080 }] });
  const template = (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [container(app)] } });
  const selector = (app: string) => ({ matchLabels: { app } });
  const meshed = [
    new ApiObject(chart, 'web', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2, selector: selector('web'), template: template('web') } }),
    new ApiObject(chart, 'db', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { serviceName: 'db', replicas: 1, selector: selector('db'), template: template('db') } }),
    new ApiObject(chart, 'agent', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' }, spec: { selector: selector('agent'), template: template('agent') } }),
    new ApiObject(chart, 'cache', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'cache' }, spec: { replicas: 1, selector: selector('cache'), template: template('cache') } }),
  ];
  for (const o of meshed) injectProxy(o, { controlPlane: cp });
  // Not meshed, though it names a port like the proxy's: only the proxy container's port counts.
  const plain = template('legacy');
  plain.spec.containers[0].ports.push({ name: 'linkerd-admin', containerPort: 4191 });
  new ApiObject(chart, 'legacy', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'legacy' }, spec: { replicas: 1, selector: selector('legacy'), template: plain } });
  return Testing.synth(chart) as Json[];
}

/** The API server's address and CA, from the cluster's kubeconfig. */
function apiServer(dir: string): { server: string; caFile: string } {
  const kc = load(readFileSync(KUBECONFIG, 'utf8')) as Json;
  const cluster = kc.clusters[0].cluster;
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, Buffer.from(cluster['certificate-authority-data'], 'base64'));
  return { server: cluster.server, caFile };
}

/** The chart's prometheus.yml with only the harness's changes (see the header). */
function harnessConfig(chartYml: string, o: { server: string; caFile: string; tokenFile: string; port: number; rulesDir: string }): string {
  const config = load(chartYml) as Json;
  const host = new URL(o.server).host;
  config.rule_files = (config.rule_files as string[]).map((f) => f.replace('/etc/prometheus', o.rulesDir));
  for (const job of config.scrape_configs as Json[]) {
    if (job.job_name === 'prometheus') job.static_configs = [{ targets: [`127.0.0.1:${o.port}`] }];
    for (const sd of job.kubernetes_sd_configs ?? []) Object.assign(sd, { api_server: o.server, bearer_token_file: o.tokenFile, tls_config: { ca_file: o.caFile } });
    if (job.bearer_token_file) job.bearer_token_file = o.tokenFile;
    if (job.tls_config?.ca_file) job.tls_config.ca_file = o.caFile;
    for (const r of job.relabel_configs ?? []) if (r.replacement === 'kubernetes.default.svc:443') r.replacement = host;
  }
  return dump(config, { lineWidth: -1 });
}

interface RunningPrometheus {
  port: number;
  log: () => string;
  get: <T>(path: string) => Promise<T>;
  stop: () => Promise<void>;
}

async function startPrometheus(dir: string, name: string, configYml: string, rules: { file: string; text: string } | undefined, tokenFile: string): Promise<RunningPrometheus> {
  const { server, caFile } = apiServer(dir);
  const port = await freePort();
  const rulesDir = join(dir, `${name}-rules`);
  rmSync(rulesDir, { recursive: true, force: true });
  mkdirSync(rulesDir, { recursive: true });
  if (rules) writeFileSync(join(rulesDir, rules.file), rules.text);
  const configFile = join(dir, `${name}.yml`);
  writeFileSync(configFile, harnessConfig(configYml, { server, caFile, tokenFile, port, rulesDir }));
  let log = '';
  const child: ChildProcess = spawn(
    prometheusTool('prometheus'),
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, `${name}-data`)}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=6h', '--log.level=debug'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const get = <T>(path: string) =>
    new Promise<T>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, timeout: 10_000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(body) as { data: T }).data) : reject(new Error(`GET ${path}: ${res.statusCode} ${body}`))));
      });
      req.on('error', reject);
      req.end();
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  await eventually(`Prometheus ${name} ready\n${log}`, 60, async () => (child.exitCode === null ? await get('/api/v1/status/buildinfo') : Promise.reject(new Error(`exited: ${log.slice(-2000)}`))));
  return { port, log: () => log, get, stop };
}

describe('viz Prometheus discovery with the chart\u2019s ServiceAccount (Prometheus v2.55.1)', () => {
  let dir: string;
  let tokenFile: string;
  let configYml: string;
  let rulesYml: string;
  let prom: RunningPrometheus | undefined;
  let pods: Json[];

  beforeAll(async () => {
    await removeLeftoverCrds();
    dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-prom-'));
    await helm(4, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', CP_NS, '--create-namespace', ...WAIT]);
    await helm(4, ['install', 'linkerd-control-plane', join(CHARTS_DIR, 'linkerd-control-plane'), '-n', CP_NS, ...IDENTITY_FLAGS, ...WAIT]);
    await helm(4, ['install', 'linkerd-viz', join(CHARTS_DIR, 'linkerd-viz'), '-n', VIZ_NS, '--create-namespace', ...WAIT]);
    await kubectl(['create', 'namespace', APP_NS]);
    await kubectl(['apply', '--server-side', '-f', '-'], workloads().map((d) => dump(d)).join('---\n'));
    // Every pod of the workloads exists and is Running (kwok).
    await eventually('the shop pods running', 120, async () => {
      const list = (await getJson<{ items: Json[] }>(['get', 'pods', '-n', APP_NS])).items;
      const running = list.filter((p) => p.status?.phase === 'Running' && p.status?.podIP);
      const nodes = (await getJson<{ items: unknown[] }>(['get', 'nodes'])).items.length;
      return running.length === 2 + 1 + nodes + 1 + 1 ? list : undefined;
    });
    pods = [];
    for (const ns of [CP_NS, VIZ_NS, APP_NS]) pods.push(...(await getJson<{ items: Json[] }>(['get', 'pods', '-n', ns])).items);
    const manifest = parseManifests((await helm(4, ['get', 'manifest', 'linkerd-viz', '-n', VIZ_NS])).stdout);
    const data = (name: string) => (manifest.find((d) => d.kind === 'ConfigMap' && d.metadata.name === name) as Json | undefined)?.data as Record<string, string>;
    configYml = data('prometheus-config')['prometheus.yml'];
    rulesYml = data('prometheus-rules')['linkerd_rules.yml'];
    tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, (await kubectl(['create', 'token', 'prometheus', '-n', VIZ_NS, '--duration=1h'])).stdout.trim());
    prom = await startPrometheus(dir, 'viz', configYml, { file: 'linkerd_rules.yml', text: rulesYml }, tokenFile);
  }, 900_000);

  afterAll(async () => {
    await prom?.stop();
    await deleteNamespace(APP_NS).catch(() => undefined);
    await helm(4, ['uninstall', 'linkerd-viz', '-n', VIZ_NS, '--ignore-not-found', '--wait']).catch(() => undefined);
    await helm(4, ['uninstall', 'linkerd-control-plane', '-n', CP_NS, '--ignore-not-found', '--wait']).catch(() => undefined);
    await helm(4, ['uninstall', 'linkerd-crds', '-n', CP_NS, '--ignore-not-found', '--wait']).catch(() => undefined);
    for (const ns of [VIZ_NS, CP_NS]) await deleteNamespace(ns).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 600_000);

  /** The meshed pods: those with a linkerd-proxy container (sidecar or native sidecar). */
  const meshedPods = () => pods.filter((p) => [...(p.spec.containers ?? []), ...(p.spec.initContainers ?? [])].some((c: Json) => c.name === 'linkerd-proxy'));
  const targets = async (p: RunningPrometheus, pool: string, count: number) =>
    eventually(`${count} targets in ${pool}`, 120, async () => {
      const t = (await p.get<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets.filter((x) => x.scrapePool === pool);
      return t.length >= count ? t : undefined;
    });

  it('lists every meshed pod\u2019s proxy admin endpoint, with the labels the dashboards and the metrics API query, and no unmeshed pod', async () => {
    const meshed = meshedPods();
    expect(meshed.map((p) => `${p.metadata.namespace}/${p.metadata.labels?.app ?? p.metadata.labels?.['linkerd.io/control-plane-component']}`)).toEqual(
      expect.arrayContaining(['linkerd/destination', 'linkerd/identity', 'linkerd/proxy-injector', 'shop/web', 'shop/db', 'shop/agent', 'shop/cache']),
    );
    const proxies = await targets(prom!, 'linkerd-proxy', meshed.length);
    const byPod = new Map(proxies.map((t) => [`${t.labels.namespace}/${t.labels.pod}`, t]));
    expect([...byPod.keys()].sort()).toEqual(meshed.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort());
    for (const pod of meshed) {
      const t = byPod.get(`${pod.metadata.namespace}/${pod.metadata.name}`)!;
      expect(t.labels.instance).toBe(`${pod.status.podIP}:4191`);
      const kindLabel = Object.entries(pod.metadata.labels as Record<string, string>).find(([k]) => /^linkerd\.io\/proxy-(deployment|statefulset|daemonset|replicaset|job|cronjob|replicationcontroller)$/.test(k));
      const [kind, name] = [kindLabel![0].replace('linkerd.io/proxy-', ''), kindLabel![1]];
      expect(t.labels).toMatchObject({ job: 'linkerd-proxy', namespace: pod.metadata.namespace, pod: pod.metadata.name, control_plane_ns: CP_NS, [kind]: name, workload: `${kind}/${name}` });
      // Pod labels come along without the linkerd.io/ prefix; Prometheus' own __ labels do not.
      expect(Object.keys(t.labels).filter((k) => k.startsWith('__'))).toEqual([]);
      expect(t.health).not.toBe('up');
    }
    expect(byPod.get(`${APP_NS}/${meshed.find((p) => p.metadata.labels?.app === 'web')!.metadata.name}`)!.labels).toMatchObject({ app: 'web', deployment: 'web', workload_ns: APP_NS });
    // legacy names a port linkerd-admin, viz's pods ask for injection (no injector runs here): neither is a proxy target.
    expect([...byPod.keys()].filter((k) => k.includes('legacy') || k.startsWith(`${VIZ_NS}/`))).toEqual([]);
  });

  it('lists the control-plane and viz controllers\u2019 admin endpoints by component', async () => {
    const expected = pods
      .filter((p) => [CP_NS, VIZ_NS].includes(p.metadata.namespace))
      .flatMap((p) => (p.spec.containers as Json[]).filter((c) => c.name !== 'linkerd-proxy' && (c.ports ?? []).some((port: Json) => /admin$/.test(port.name ?? ''))).map((c) => `${p.status.podIP}/${c.name}`));
    expect(expected.length).toBeGreaterThanOrEqual(5);
    const controllers = await targets(prom!, 'linkerd-controller', expected.length);
    expect(controllers.map((t) => `${t.labels.instance.split(':')[0]}/${t.labels.component}`).sort()).toEqual([...expected].sort());
    for (const c of ['destination', 'identity', 'policy', 'proxy-injector', 'sp-validator']) expect(controllers.map((t) => t.labels.component)).toContain(c);
  });

  it('loads the chart\u2019s alerting rules', async () => {
    const rules = await prom!.get<{ groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    const all = rules.groups.flatMap((g) => g.rules);
    expect(all.length).toBe(10);
    expect(new Set(all.map((r) => r.name))).toEqual(
      new Set(['LinkerdControlPlaneComponentDown', 'LinkerdProxyCertificateNotRenewed', 'LinkerdIdentityIssuerCertificateExpiring', 'LinkerdWorkloadSuccessRateLow', 'LinkerdWorkloadLatencyHigh', 'LinkerdProxyVersionMismatch']),
    );
  });

  it('discovers nothing once the ClusterRole loses its pods rule', async () => {
    const role = await getJson<Json>(['get', 'clusterrole', ROLE]);
    const broken: Json = { ...role, rules: (role.rules as Json[]).map((r) => ({ ...r, resources: (r.resources as string[]).filter((x) => x !== 'pods') })) };
    delete broken.metadata.resourceVersion;
    await kubectl(['replace', '-f', '-'], JSON.stringify(broken));
    let denied: RunningPrometheus | undefined;
    try {
      denied = await startPrometheus(dir, 'denied', configYml, undefined, tokenFile);
      const log = await eventually('a forbidden pod list in the log', 120, async () => (/pods is forbidden/.test(denied!.log()) ? denied!.log() : undefined));
      expect(log).toContain(`system:serviceaccount:${VIZ_NS}:prometheus`);
      const active = (await denied.get<{ activeTargets: Target[] }>('/api/v1/targets?state=active')).activeTargets;
      expect(active.filter((t) => t.scrapePool === 'linkerd-proxy' || t.scrapePool === 'linkerd-controller')).toEqual([]);
    } finally {
      await denied?.stop();
      const now = await getJson<Json>(['get', 'clusterrole', ROLE]);
      await kubectl(['replace', '-f', '-'], JSON.stringify({ ...role, metadata: { ...role.metadata, resourceVersion: now.metadata.resourceVersion } }));
    }
  });
});
