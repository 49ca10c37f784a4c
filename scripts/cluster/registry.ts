/**
 * An OCI registry on loopback for the cluster suite: CNCF Distribution's `registry`, built from
 * the pinned Go module (TOOLS.registry), on a free 127.0.0.1 port, with its own storage folder,
 * no authentication and plain HTTP. Started and stopped by PID; its state lives in its folder
 * (default .tools/cluster/registry/), so several registries can run side by side.
 *
 *   npx tsx scripts/cluster/registry.ts up|down|info
 *
 * `up` prints `host:port`; `info` prints one JSON object ({"registry": "host:port", "pid": …}).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { CLUSTER_DIR, freePort, logTail, runCommand } from './cluster';
import { ensureTool, toolPath } from './tools';

export const REGISTRY_DIR = join(CLUSTER_DIR, 'registry');

export interface Registry {
  /** `127.0.0.1:<port>`, for `oci://<registry>/…` with `--plain-http`. */
  registry: string;
  pid: number;
  binary: string;
  dir: string;
}

const stateFile = (dir: string) => join(dir, 'state.json');

function alive(r: Registry): boolean {
  try {
    return readFileSync(`/proc/${r.pid}/cmdline`, 'utf8').split('\0')[0] === r.binary;
  } catch {
    return false;
  }
}

/** The registry running from `dir`, if any. */
export function runningRegistry(dir: string = REGISTRY_DIR): Registry | undefined {
  if (!existsSync(stateFile(dir))) return undefined;
  const r = JSON.parse(readFileSync(stateFile(dir), 'utf8')) as Registry;
  return alive(r) ? r : undefined;
}

function ping(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`http://${address}/v2/`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Starts a registry (building it first if needed) unless one already runs from `dir`. */
export async function startRegistry(dir: string = REGISTRY_DIR, log: (line: string) => void = console.log): Promise<Registry> {
  const running = runningRegistry(dir);
  if (running) return running;
  await ensureTool('registry', log);
  const binary = toolPath('registry');
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const address = `127.0.0.1:${await freePort()}`;
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(join(dir, 'storage'))}`,
      'http:',
      `  addr: ${address}`,
      '',
    ].join('\n'),
  );
  const out = openSync(join(dir, 'registry.log'), 'a');
  // No tracing exporter: the registry would otherwise try to send spans to an OTLP endpoint.
  const child = spawn(binary, ['serve', config], { detached: true, stdio: ['ignore', out, out], env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' } });
  closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`could not start the registry (${binary})`);
  const r: Registry = { registry: address, pid: child.pid, binary, dir };
  writeFileSync(stateFile(dir), JSON.stringify(r, null, 2));
  for (let i = 0; i < 240; i++) {
    if (await ping(address)) {
      log(`registry at ${address} (pid ${r.pid}, storage ${join(dir, 'storage')})`);
      return r;
    }
    if (!alive(r)) throw new Error(`the registry exited; ${logTail(join(dir, 'registry.log'))}`);
    await new Promise((res) => setTimeout(res, 250));
  }
  await stopRegistry(dir);
  throw new Error(`the registry did not answer on ${address}; see ${join(dir, 'registry.log')}`);
}

/** Stops the registry of `dir` by its PID (TERM, then KILL) and deletes its folder with the stored charts. */
export async function stopRegistry(dir: string = REGISTRY_DIR): Promise<void> {
  const r = runningRegistry(dir);
  if (r) {
    process.kill(r.pid, 'SIGTERM');
    for (let i = 0; i < 50 && alive(r); i++) await new Promise((res) => setTimeout(res, 200));
    if (alive(r)) process.kill(r.pid, 'SIGKILL');
    while (alive(r)) await new Promise((res) => setTimeout(res, 100));
  }
  rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) {
  const cmd = process.argv[2];
  const main = async (): Promise<number> => {
    switch (cmd) {
      case 'up':
        console.log((await startRegistry(REGISTRY_DIR, (l) => console.error(l))).registry);
        return 0;
      case 'down':
        await stopRegistry();
        return 0;
      case 'info': {
        const r = runningRegistry();
        console.log(JSON.stringify(r ? { registry: r.registry, pid: r.pid, storage: join(r.dir, 'storage') } : {}));
        return r ? 0 : 3;
      }
      default:
        console.error('usage: npx tsx scripts/cluster/registry.ts up|down|info');
        return 2;
    }
  };
  runCommand(main);
}
