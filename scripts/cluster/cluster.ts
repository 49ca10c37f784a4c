/**
 * A real Kubernetes API server for tests and for trying the charts by hand:
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes whose
 * pods become Running and Ready without running anything), all on 127.0.0.1.
 *
 *   npm run cluster -- up            # build what is missing, start, wait until ready
 *   npm run cluster -- kubeconfig    # print the kubeconfig's path (last line)
 *   npm run cluster -- status
 *   npm run cluster -- up --argocd   # and a real Argo CD with a Git server and an OCI registry (scripts/cluster/argocd.ts)
 *   npm run -s cluster -- info --json  # {kubeconfig, apiserver, gitUrl, registry, argocdNamespace}
 *   npm run cluster -- down          # stop every process 'up' started, by PID; delete its state
 *
 * Every address is loopback: components listen on 127.0.0.1; pods get addresses from
 * 127.64.0.0/16 and nodes 127.0.0.1, and the API server routes webhooks and API services
 * to endpoints (not to cluster IPs), so nothing it dials can leave the machine.
 */
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TOOLS_DIR, ensureClusterTools, toolPath, toolVersion } from './tools';

export const CLUSTER_DIR = process.env.CDK8S_LINKERD_CLUSTER_DIR ?? join(TOOLS_DIR, 'cluster');
export const KUBECONFIG = join(CLUSTER_DIR, 'kubeconfig');
const STATE = join(CLUSTER_DIR, 'state.json');
const PKI = join(CLUSTER_DIR, 'pki');
const LOGS = join(CLUSTER_DIR, 'logs');

/**
 * Fake nodes: four. The HA presets' required pod anti-affinity needs three; the fourth leaves a
 * free node while a rolling update replaces three HA pods, so a new pod is never unschedulable
 * only because the old ones are still terminating.
 */
export const NODES = ['kwok-node-0', 'kwok-node-1', 'kwok-node-2', 'kwok-node-3'];
export const POD_CIDR = '127.64.0.0/16';
export const SERVICE_CIDR = '10.96.0.0/16';

export interface Proc {
  name: string;
  pid: number;
  binary: string;
}
export interface State {
  apiserver: string;
  procs: Proc[];
  /** Set by `up --argocd` (scripts/cluster/argocd.ts). */
  argocd?: { namespace: string; gitUrl: string; gitDir: string; registry: string };
}

type Log = (line: string) => void;

export function kubectlPath(): string {
  return toolPath('kubernetes', 'kubectl');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: PKI, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA, the API server's serving certificate, an admin client certificate and the service-account key pair. */
function writePki(): void {
  mkdirSync(PKI, { recursive: true });
  const ext = (name: string, text: string) => writeFileSync(join(PKI, name), text);
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=cdk8s-linkerd-test-ca']);
  ext('server.ext', 'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\nextendedKeyUsage=serverAuth\n');
  ext('client.ext', 'extendedKeyUsage=clientAuth\n');
  const leaf = (name: string, subj: string, extFile: string) => {
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj]);
    openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '30', '-extfile', extFile]);
  };
  leaf('apiserver', '/CN=kube-apiserver', 'server.ext');
  leaf('admin', '/O=system:masters/CN=cdk8s-linkerd-admin', 'client.ext');
  leaf('front-proxy-client', '/CN=front-proxy-client', 'client.ext');
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key']);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function writeKubeconfig(server: string): void {
  const b64 = (f: string) => readFileSync(join(PKI, f)).toString('base64');
  writeFileSync(
    KUBECONFIG,
    `apiVersion: v1
kind: Config
clusters:
- name: cdk8s-linkerd-test
  cluster:
    server: ${server}
    certificate-authority-data: ${b64('ca.crt')}
users:
- name: admin
  user:
    client-certificate-data: ${b64('admin.crt')}
    client-key-data: ${b64('admin.key')}
contexts:
- name: cdk8s-linkerd-test
  context: { cluster: cdk8s-linkerd-test, user: admin }
current-context: cdk8s-linkerd-test
`,
    { mode: 0o600 },
  );
}

export function readState(): State | undefined {
  return existsSync(STATE) ? (JSON.parse(readFileSync(STATE, 'utf8')) as State) : undefined;
}

/** True when PID is alive and still runs the binary we started (a PID can be reused). */
function runs(p: Proc): boolean {
  try {
    return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')[0] === p.binary;
  } catch {
    return false;
  }
}

/**
 * Starts a process of the cluster and records its PID. `runs` is what /proc shows as its first
 * argument once it runs (default: binary), for commands that exec another program.
 */
export function start(name: string, binary: string, args: string[], procs: Proc[], opts: { env?: NodeJS.ProcessEnv; runs?: string; cwd?: string } = {}): void {
  mkdirSync(LOGS, { recursive: true });
  const out = openSync(join(LOGS, `${name}.log`), 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', out, out], env: opts.env ?? process.env, cwd: opts.cwd });
  closeSync(out);
  child.unref();
  if (!child.pid) throw new Error(`could not start ${name} (${binary})`);
  procs.push({ name, pid: child.pid, binary: opts.runs ?? binary });
  writeFileSync(STATE, JSON.stringify({ ...(readState() ?? { apiserver: '' }), procs }, null, 2));
}

function get(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      `${url}${path}`,
      { ca: readFileSync(join(PKI, 'ca.crt')), cert: readFileSync(join(PKI, 'admin.crt')), key: readFileSync(join(PKI, 'admin.key')), timeout: 5000 },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Runs a script's command: exits with its code, or with 1 and one line for an error it throws. */
export function runCommand(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: Error) => {
      console.error(`error: ${e.message}`);
      process.exit(1);
    },
  );
}

/** The last lines of a process's log file, for an error that says why it stopped (CI shows the error, not the file). */
export function logTail(file: string, lines = 30): string {
  try {
    return `the end of ${file}:\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`;
  } catch {
    return `no log at ${file}`;
  }
}

export async function waitFor(what: string, seconds: number, procs: Proc[], check: () => Promise<boolean> | boolean, log: Log): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check()) return;
    const dead = procs.find((p) => !runs(p));
    if (dead) throw new Error(`${dead.name} exited while waiting for ${what}; ${logTail(join(LOGS, `${dead.name}.log`))}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  log(`timed out waiting for ${what}`);
  throw new Error(`timed out after ${seconds} s waiting for ${what}; logs in ${LOGS}`);
}

export function kubectl(args: string[], input?: string): string {
  return execFileSync(kubectlPath(), ['--kubeconfig', KUBECONFIG, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });
}

function nodeManifest(name: string): string {
  return `apiVersion: v1
kind: Node
metadata:
  name: ${name}
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: ${name}
    kubernetes.io/os: linux
    type: kwok
`;
}

/** Starts the cluster (building what is missing first); resolves once nodes are Ready and the default ServiceAccount exists. */
export async function up(log: Log = console.log): Promise<State> {
  const existing = readState();
  if (existing && existing.procs.length > 0 && existing.procs.every(runs)) {
    log(`cluster already up at ${existing.apiserver}`);
    return existing;
  }
  if (existing) await down(() => undefined);
  await ensureClusterTools(log);
  const started = Date.now();
  rmSync(CLUSTER_DIR, { recursive: true, force: true });
  mkdirSync(CLUSTER_DIR, { recursive: true });
  writePki();
  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const apiserver = `https://127.0.0.1:${apiPort}`;
  writeFileSync(STATE, JSON.stringify({ apiserver, procs: [] }, null, 2));
  writeKubeconfig(apiserver);
  const procs: Proc[] = [];
  const pki = (f: string) => join(PKI, f);

  log(`starting etcd ${toolVersion('etcd')}`);
  start('etcd', toolPath('etcd'), [
    `--data-dir=${join(CLUSTER_DIR, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
    '--listen-metrics-urls=',
    '--unsafe-no-fsync',
    '--quota-backend-bytes=4294967296',
  ], procs);

  log(`starting kube-apiserver ${toolVersion('kubernetes')} on ${apiserver}`);
  start('kube-apiserver', toolPath('kubernetes', 'kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--tls-cert-file=${pki('apiserver.crt')}`,
    `--tls-private-key-file=${pki('apiserver.key')}`,
    `--client-ca-file=${pki('ca.crt')}`,
    `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
    `--service-account-key-file=${pki('sa.pub')}`,
    `--service-account-signing-key-file=${pki('sa.key')}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--authorization-mode=Node,RBAC',
    '--allow-privileged=true',
    // Webhooks and API services are dialled at their endpoints' (loopback) addresses, never a cluster IP.
    '--enable-aggregator-routing=true',
    '--endpoint-reconciler-type=none',
    `--requestheader-client-ca-file=${pki('ca.crt')}`,
    '--requestheader-allowed-names=front-proxy-client',
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki('front-proxy-client.crt')}`,
    `--proxy-client-key-file=${pki('front-proxy-client.key')}`,
    // Lists and watches straight from etcd. With the watch cache, a CRD deleted seconds after it was
    // created can stay Terminating for minutes (its finalizer cannot list the instances: "storage is
    // (re)initializing"), and the next suite's `helm install linkerd-crds` then refuses to adopt it.
    '--watch-cache=false',
  ], procs);
  await waitFor('the API server to be ready', 120, procs, async () => (await get(apiserver, '/readyz')).status === 200, log);

  log('starting kube-controller-manager, kube-scheduler and kwok');
  start('kube-controller-manager', toolPath('kubernetes', 'kube-controller-manager'), [
    `--kubeconfig=${KUBECONFIG}`,
    '--bind-address=127.0.0.1',
    '--secure-port=0',
    '--leader-elect=false',
    `--service-account-private-key-file=${pki('sa.key')}`,
    `--root-ca-file=${pki('ca.crt')}`,
    '--use-service-account-credentials=true',
    // Kubernetes 1.37 no longer has the cloud controllers in kube-controller-manager (they were off here anyway).
    '--controllers=*,-nodeipam',
  ], procs);
  // A pod found unschedulable is retried on cluster events, and at the latest after this much time
  // (5 minutes by default: as long as Helm's --wait, so one missed event failed an upgrade).
  start('kube-scheduler', toolPath('kubernetes', 'kube-scheduler'), [`--kubeconfig=${KUBECONFIG}`, '--bind-address=127.0.0.1', '--secure-port=0', '--leader-elect=false', '--pod-max-in-unschedulable-pods-duration=20s'], procs);
  const stages = ['node-initialize', 'node-heartbeat-with-lease', 'pod-ready', 'pod-complete', 'pod-delete'].map((s) => toolPath('kwok', `stages/${s}.yaml`));
  start('kwok', toolPath('kwok'), [
    `--kubeconfig=${KUBECONFIG}`,
    ...stages.map((s) => `--config=${s}`),
    '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    `--cidr=${POD_CIDR}`,
    '--node-ip=127.0.0.1',
    '--node-lease-duration-seconds=40',
  ], procs);

  kubectl(['apply', '-f', '-'], NODES.map(nodeManifest).join('---\n'));
  await waitFor('the fake nodes to be Ready', 120, procs, () => {
    try {
      const out = kubectl(['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
      return out.split('\n').filter((l) => l === 'True').length === NODES.length;
    } catch {
      return false;
    }
  }, log);
  await waitFor('the default ServiceAccount', 120, procs, () => {
    try {
      kubectl(['get', 'serviceaccount', 'default', '-n', 'default']);
      return true;
    } catch {
      return false;
    }
  }, log);
  log(`cluster up in ${Math.round((Date.now() - started) / 1000)} s: ${apiserver}, ${NODES.length} nodes`);
  return readState()!;
}

/** Stops every process 'up' started (by PID: TERM, then KILL after 10 s) and deletes the cluster's state. */
export async function down(log: Log = console.log): Promise<void> {
  const state = readState();
  const procs = (state?.procs ?? []).filter(runs).reverse();
  for (const p of procs) process.kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (procs.some(runs) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const p of procs.filter(runs)) process.kill(p.pid, 'SIGKILL');
  while (procs.some(runs)) await new Promise((r) => setTimeout(r, 100));
  rmSync(CLUSTER_DIR, { recursive: true, force: true });
  log(procs.length ? `stopped ${procs.map((p) => `${p.name} (${p.pid})`).join(', ')}` : 'no cluster was running');
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|\[?::1\]?|\[?::ffff:127\.\d+\.\d+\.\d+\]?)$/;
const ANY_PEER = /^(\*|0\.0\.0\.0|\[?::\]?)$/;

/** True when an `ss -Htuanp` line shows a socket bound to, or talking to, anything but loopback. */
export function leavesLoopback(line: string): boolean {
  // netid state recv-q send-q local peer process
  const cols = line.trim().split(/\s+/);
  const [local, peer] = [cols[4], cols[5]].map((a) => a.slice(0, a.lastIndexOf(':')).replace(/%.*$/, ''));
  const listening = cols[1] === 'LISTEN' || cols[1] === 'UNCONN';
  return !LOOPBACK.test(local) || !(LOOPBACK.test(peer) || (listening && ANY_PEER.test(peer)));
}

/** Sockets of the cluster's processes that are not on loopback (from `ss`): empty unless something dialled or listened outside 127.0.0.0/8 and ::1. */
export function nonLoopbackSockets(): string[] {
  const procs = (readState()?.procs ?? []).filter(runs);
  if (procs.length === 0) return [];
  const lines = execFileSync('ss', ['-Htuanp'], { encoding: 'utf8' }).split('\n');
  return lines.filter((l) => procs.some((p) => l.includes(`pid=${p.pid},`)) && leavesLoopback(l));
}

export function status(): { up: boolean; state?: State } {
  const state = readState();
  return { up: !!state && state.procs.length > 0 && state.procs.every(runs), state };
}

if (require.main === module) {
  const cmd = process.argv[2];
  const usage = 'usage: npm run cluster -- up [--argocd]|down|status|kubeconfig|info --json';
  const main = async () => {
    switch (cmd) {
      case 'up':
        await up();
        if (process.argv.includes('--argocd')) await (await import('./argocd')).upArgoCd();
        console.log(`export KUBECONFIG=${KUBECONFIG}`);
        return 0;
      case 'info': {
        const info = (await import('./argocd')).clusterInfo();
        if (process.argv.includes('--json')) console.log(JSON.stringify(info));
        else for (const [k, v] of Object.entries(info)) console.log(`${k}: ${v ?? '-'}`);
        return status().up ? 0 : 3;
      }
      case 'down':
        await down();
        return 0;
      case 'status': {
        const s = status();
        console.log(s.up ? `up at ${s.state!.apiserver}: ${s.state!.procs.map((p) => `${p.name} ${p.pid}`).join(', ')}` : 'down');
        return s.up ? 0 : 3;
      }
      case 'kubeconfig':
        if (!status().up) {
          console.error('error: no cluster is running (npm run cluster -- up)');
          return 1;
        }
        console.log(KUBECONFIG);
        return 0;
      default:
        console.error(usage);
        return 2;
    }
  };
  runCommand(main);
}
