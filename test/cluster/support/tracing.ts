/**
 * Running the OpenTelemetry collector and Jaeger (built from Go modules into .tools/) with the
 * configurations linkerd-jaeger renders. The only rewrite is the test harness's: every listen
 * address moves to a free 127.0.0.1 port, the collector exports to the Jaeger started here, the
 * k8sattributes processor reads a kubeconfig (built from the collector ServiceAccount's token)
 * instead of the pod's mounted token, and badger writes under a temporary folder.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { leavesLoopback } from '../../../scripts/cluster/cluster';
import { ensureTool, toolPath } from '../../../scripts/cluster/tools';
import { CHARTS_DIR, helm, parseManifests, type K8sObject } from './cluster';

export type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The collector and Jaeger binaries (built once, then cached). */
export async function tracingBinaries(): Promise<{ otelcol: string; jaeger: string }> {
  await ensureTool('otelcol');
  await ensureTool('jaeger');
  return { otelcol: toolPath('otelcol'), jaeger: toolPath('jaeger') };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The result of `<binary> validate --config <file>`: exit code and output. */
export function validate(binary: string, config: Config): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-validate-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, dump(config));
  return new Promise((resolve) => {
    const child = spawn(binary, ['validate', `--config=${file}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, output });
    });
  });
}

/** Where a started binary listens (127.0.0.1 ports), by the port the chart's configuration names. */
export interface Running {
  pid: number;
  /** Chart port (4317, 4318, 13133, 16686 …) → the loopback port it listens on here. */
  ports: Map<number, number>;
  output: () => string;
  exited: () => number | null | undefined;
  /** The process's TCP and UDP sockets now (`ss` lines): `listening` and those leaving loopback. */
  sockets: () => { listening: string[]; outside: string[] };
  stop: () => Promise<void>;
}

/** Moves every `0.0.0.0:<port>` endpoint (and the telemetry reader) to a free loopback port. */
async function toLoopback(config: Config, ports: Map<number, number>): Promise<Config> {
  const copy = JSON.parse(JSON.stringify(config)) as Config;
  const walk = async (node: unknown): Promise<void> => {
    if (Array.isArray(node)) for (const n of node) await walk(n);
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      for (const [k, val] of Object.entries(o)) {
        const m = typeof val === 'string' ? /^0\.0\.0\.0:(\d+)$/.exec(val) : null;
        if (k === 'endpoint' && m) {
          const port = ports.get(Number(m[1])) ?? (await freePort());
          ports.set(Number(m[1]), port);
          o[k] = `127.0.0.1:${port}`;
        } else if (k === 'prometheus' && val && typeof val === 'object' && (val as Config).host === '0.0.0.0') {
          const chartPort = Number((val as Config).port);
          const port = ports.get(chartPort) ?? (await freePort());
          ports.set(chartPort, port);
          o[k] = { ...(val as Config), host: '127.0.0.1', port };
        } else await walk(val);
      }
    }
  };
  await walk(copy);
  return copy;
}

export interface StartOptions {
  /** Environment added to the binary's (KUBECONFIG for the collector). */
  env?: Record<string, string>;
  /** Last edit of the configuration after the loopback rewrite. */
  edit?: (config: Config) => void;
}

/** Starts a binary with the configuration moved to loopback; stop() ends it by its PID. */
export async function start(binary: string, config: Config, opts: StartOptions = {}): Promise<Running> {
  const ports = new Map<number, number>();
  const local = await toLoopback(config, ports);
  opts.edit?.(local);
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-run-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, dump(local));
  const child: ChildProcess = spawn(binary, [`--config=${file}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  let output = '';
  let code: number | null | undefined;
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const closed = new Promise<void>((resolve) => child.on('close', (c) => ((code = c), resolve())));
  return {
    pid: child.pid!,
    ports,
    output: () => output,
    exited: () => code,
    sockets: () => {
      const mine = execFileSync('ss', ['-Htuanp'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`pid=${child.pid},`));
      return { listening: mine.filter((l) => /\sLISTEN\s/.test(l)), outside: mine.filter(leavesLoopback) };
    },
    stop: async () => {
      if (code === undefined) {
        process.kill(child.pid!, 'SIGTERM');
        await closed;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once `url` answers 200 (or the process has exited: then rejects with its output). */
export async function ready(run: Running, url: string, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let last = '';
  while (Date.now() < deadline) {
    if (run.exited() !== undefined) throw new Error(`exited with code ${run.exited()} before ${url} answered:\n${run.output().slice(-3000)}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer 200 within ${seconds} s (${last}):\n${run.output().slice(-3000)}`);
}

/**
 * Polls `url` for `seconds` and resolves with the HTTP statuses it answered, in order, without
 * repeats (for a program that must not become ready); rejects as soon as it answers 200.
 */
export async function neverReady(run: Running, url: string, seconds: number): Promise<string[]> {
  const deadline = Date.now() + seconds * 1000;
  const seen: string[] = [];
  while (Date.now() < deadline) {
    let status: string;
    try {
      status = String((await fetch(url)).status);
    } catch (e) {
      status = (e as Error).message;
    }
    if (status === '200') throw new Error(`${url} answered 200 after ${seen.join(', ')}:\n${run.output().slice(-3000)}`);
    if (seen[seen.length - 1] !== status) seen.push(status);
    await new Promise((r) => setTimeout(r, 500));
  }
  return seen;
}

export const JAEGER_NS = 'linkerd-jaeger';

export interface Rendered {
  collector: Config;
  jaeger: Config;
  objects: K8sObject[];
}

/** `helm template` of charts/linkerd-jaeger with `--set` flags: its objects and the two configurations of its ConfigMaps. */
export async function renderJaeger(set: string[] = [], ns = JAEGER_NS): Promise<Rendered> {
  const out = await helm(4, ['template', 'linkerd-jaeger', join(CHARTS_DIR, 'linkerd-jaeger'), '-n', ns, ...set.flatMap((s) => ['--set', s])]);
  const objects = parseManifests(out.stdout);
  const data = (name: string, key: string) => {
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name) as (K8sObject & { data: Record<string, string> }) | undefined;
    if (!cm) throw new Error(`no ConfigMap ${name} in the rendering`);
    return load(cm.data[key]) as Config;
  };
  return { collector: data('collector-config', 'collector.yaml'), jaeger: data('jaeger-config', 'jaeger.yaml'), objects };
}

/** Value variations users set; each must give configurations both programs accept and start with. */
export const VARIATIONS: { name: string; set: string[]; namespace?: string }[] = [
  { name: 'defaults', set: [] },
  { name: 'batches of 512 spans or 200ms', set: ['collector.batch.sendBatchSize=512', 'collector.batch.timeout=200ms'] },
  { name: 'memory limit at 50% of the container', set: ['collector.memoryLimitPercentage=50', 'collector.resources.memory.limit=512Mi'] },
  { name: 'memory store of 5000 traces', set: ['jaeger.storage.maxTraces=5000'] },
  { name: 'badger store keeping spans 24h', set: ['jaeger.storage.type=badger', 'jaeger.storage.badger.ttl=24h', 'jaeger.storage.badger.size=1Gi'] },
  { name: '3 collector replicas with CPU and memory limits', set: ['collector.replicas=3', 'collector.resources.cpu.limit=1', 'collector.resources.memory.limit=1Gi'] },
  { name: 'another namespace and cluster domain', set: ['clusterDomain=cluster.example'], namespace: 'tracing' },
  // The schema's bounds: what it lets through, both programs must take.
  {
    name: 'the smallest values the schema allows: memory limit 21%, batches of 1 span sent at once, 1 trace kept',
    set: ['collector.memoryLimitPercentage=21', 'collector.batch.sendBatchSize=1', 'collector.batch.timeout=0s', 'jaeger.storage.maxTraces=1'],
  },
  { name: 'the largest memory limit the schema allows (100%), badger keeping spans 1s', set: ['collector.memoryLimitPercentage=100', 'jaeger.storage.type=badger', 'jaeger.storage.badger.ttl=1s'] },
];

/** Starts Jaeger (badger under `dir`, its query gRPC port on loopback too) and waits until its query API answers. */
export async function startJaeger(binary: string, config: Config, dir: string): Promise<Running> {
  const run = await start(binary, config, {
    edit: (c) => {
      const badger = c.extensions.jaeger_storage.backends.traces.badger;
      if (badger) badger.directories = { keys: join(dir, 'keys'), values: join(dir, 'values') };
      // Jaeger's query service also serves gRPC (default port 16685 on every address).
      c.extensions.jaeger_query.grpc = { endpoint: '127.0.0.1:0' };
    },
  });
  try {
    await ready(run, `http://127.0.0.1:${run.ports.get(16686)}/jaeger/api/services`);
  } catch (e) {
    await run.stop();
    throw e;
  }
  return run;
}
