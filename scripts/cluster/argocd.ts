/**
 * A real Argo CD next to the test cluster (`npm run cluster -- up --argocd`), as host processes:
 * Redis (Debian's redis-server), a Git server (git daemon, pushes allowed, no auth), Argo CD's
 * repo server and application controller (one binary built from Go modules, the component chosen
 * by ARGOCD_BINARY_NAME), with Argo CD's CRDs, ConfigMaps, Secret and the controller's RBAC
 * applied from the module's own install manifests, and an OCI registry (scripts/cluster/registry.ts)
 * that Helm-source and OCI-source Applications can read charts from. No API server or UI: tests drive Argo CD
 * through its CRDs, as `kubectl apply -f dist/argocd/root.yaml` does.
 *
 * Everything listens on 127.0.0.1. The application controller serves metrics on 0.0.0.0 (fixed in
 * its code), so it runs in a network namespace of its own that sees only the ports it dials (the
 * API server, the repo server, Redis) through scripts/cluster/netns-forward.mjs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CLUSTER_DIR, KUBECONFIG, freePort, kubectl, readState, start, waitFor, type Proc, type State } from './cluster';
import { startRegistry } from './registry';
import { ensureTool, toolVersion } from './tools';

export const ARGOCD_NAMESPACE = 'argocd';
const DIR = join(CLUSTER_DIR, 'argocd');
/** The OCI registry's own folder (storage, config, log), deleted when Argo CD stops. */
const REGISTRY_DIR = join(DIR, 'registry');
const REDIS = '/usr/bin/redis-server';

type Log = (line: string) => void;

function which(binary: string, hint: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${binary} not found: ${hint}`);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port }, () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });
}

function saveState(patch: Partial<State>): void {
  writeFileSync(join(CLUSTER_DIR, 'state.json'), JSON.stringify({ ...readState()!, ...patch }, null, 2));
}

/** A kubeconfig for the application controller's ServiceAccount, so that Argo CD acts with the rights its install manifests grant it. */
function controllerKubeconfig(apiserver: string): string {
  const token = kubectl(['create', 'token', 'argocd-application-controller', '-n', ARGOCD_NAMESPACE, '--duration=48h']).trim();
  const ca = execFileSync('sh', ['-c', `base64 -w0 < ${join(CLUSTER_DIR, 'pki', 'ca.crt')}`], { encoding: 'utf8' }).trim();
  const path = join(DIR, 'controller.kubeconfig');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters:
- name: in-cluster
  cluster: { server: ${apiserver}, certificate-authority-data: ${ca} }
users:
- name: argocd-application-controller
  user: { token: ${token} }
contexts:
- name: in-cluster
  context: { cluster: in-cluster, user: argocd-application-controller, namespace: ${ARGOCD_NAMESPACE} }
current-context: in-cluster
`,
    { mode: 0o600 },
  );
  return path;
}

/** Starts Argo CD against the running cluster (building it first when it is not cached); idempotent. */
export async function upArgoCd(log: Log = console.log): Promise<NonNullable<State['argocd']>> {
  const state = readState();
  if (!state) throw new Error('no cluster is running (npm run cluster -- up)');
  if (state.argocd) return state.argocd;
  which('redis-server', 'install Debian\'s redis-server (apt-get install redis-server)');
  const gitExec = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
  const argocdDir = await ensureTool('argocd', log);
  const kustomizeDir = await ensureTool('kustomize', log);
  // The repo server renders Helm sources with the pinned Helm 3 built from its Go module.
  const helmDir = await ensureTool('helm3', log);
  const started = Date.now();
  // A fresh folder: sockets, the Git repository or a registry left by an earlier Argo CD would be taken for this one's.
  rmSync(DIR, { recursive: true, force: true });
  for (const d of ['redis', 'git', 'tmp', 'home', 'sockets', 'config/tls', 'config/ssh', 'config/gpg']) mkdirSync(join(DIR, d), { recursive: true });
  const procs: Proc[] = [...state.procs];
  const argocd = join(argocdDir, 'argocd');

  // Argo CD's install manifests: CRDs (server-side: the Application CRD is too large for the
  // last-applied annotation), then its namespace's ConfigMaps, Secret and the controller's RBAC.
  log(`installing Argo CD ${toolVersion('argocd')} CRDs and configuration into namespace ${ARGOCD_NAMESPACE}`);
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ARGOCD_NAMESPACE } }));
  kubectl(['apply', '--server-side', '-f', join(argocdDir, 'crds')]);
  kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', join(argocdDir, 'crds')]);
  kubectl(['apply', '-n', ARGOCD_NAMESPACE, '-f', join(argocdDir, 'install')]);
  // The `default` AppProject, which Argo CD's API server creates when it starts (this setup runs no
  // API server): everything allowed, as there. root.yaml and users' own Applications name it.
  kubectl(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default', namespace: ARGOCD_NAMESPACE },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  }));

  const [redisPort, gitPort, repoPort, repoMetrics] = [await freePort(), await freePort(), await freePort(), await freePort()];
  start('redis', REDIS, ['--bind', '127.0.0.1', '--port', String(redisPort), '--dir', join(DIR, 'redis'), '--save', '', '--appendonly', 'no', '--set-proc-title', 'no'], procs);

  // The repository the tests push to: git daemon serves it read-write, without authentication.
  const gitRoot = join(DIR, 'git');
  const gitDir = join(gitRoot, 'linkerd.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', gitDir]);
  start('git-daemon', join(gitExec, 'git-daemon'), ['--reuseaddr', '--listen=127.0.0.1', `--port=${gitPort}`, `--base-path=${gitRoot}`, '--export-all', '--enable=receive-pack', '--informative-errors', gitRoot], procs);
  const gitUrl = `git://127.0.0.1:${gitPort}/linkerd.git`;

  // The OCI registry (CNCF Distribution, plain HTTP on 127.0.0.1), stopped by PID with the rest.
  const registry = await startRegistry(REGISTRY_DIR, log);
  procs.push({ name: 'oci-registry', pid: registry.pid, binary: registry.binary });

  const env = {
    PATH: [helmDir, kustomizeDir, process.env.PATH].join(':'),
    HOME: join(DIR, 'home'),
    TMPDIR: join(DIR, 'tmp'),
    ARGOCD_GPG_ENABLED: 'false',
    // Argo CD's defaults are paths of its container image (/app/config, /tmp): all of them here.
    ARGOCD_ASK_PASS_SOCK: join(DIR, 'askpass.sock'),
    ARGOCD_APP_CONF_PATH: join(DIR, 'config'),
    ARGOCD_TLS_DATA_PATH: join(DIR, 'config', 'tls'),
    ARGOCD_SSH_DATA_PATH: join(DIR, 'config', 'ssh'),
    ARGOCD_GNUPGHOME: join(DIR, 'config', 'gpg'),
  };
  log(`starting argocd-repo-server on 127.0.0.1:${repoPort}, git daemon at ${gitUrl}`);
  start('argocd-repo-server', argocd, [
    '--address=127.0.0.1', `--port=${repoPort}`, '--metrics-address=127.0.0.1', `--metrics-port=${repoMetrics}`,
    '--disable-tls', `--redis=127.0.0.1:${redisPort}`, '--logformat=text',
  ], procs, { env: { ...env, ARGOCD_BINARY_NAME: 'argocd-repo-server' } });

  // The controller: in a network namespace that sees the API server, the repo server and Redis.
  const apiPort = Number(new URL(state.apiserver).port);
  const sockets = join(DIR, 'sockets');
  const forwarded = [apiPort, repoPort, redisPort].map(String);
  const forwarder = join(__dirname, 'netns-forward.mjs');
  start('argocd-forward', process.execPath, [forwarder, 'host', sockets, ...forwarded], procs);
  const kubeconfig = controllerKubeconfig(state.apiserver);
  log('starting argocd-application-controller (own network namespace)');
  start('argocd-application-controller', which('unshare', 'util-linux'), [
    '--net', '--', '/bin/sh', '-c', 'ip link set lo up && exec "$0" "$@"',
    process.execPath, forwarder, 'inside', sockets, ...forwarded, '--',
    argocd, `--repo-server=127.0.0.1:${repoPort}`, '--repo-server-plaintext', `--redis=127.0.0.1:${redisPort}`,
    `--kubeconfig=${kubeconfig}`, `--namespace=${ARGOCD_NAMESPACE}`, '--logformat=text',
    // Resource health in the Application's status (Argo CD 3 keeps it in Redis by default), so that tests read it with kubectl.
    '--persist-resource-health',
    // Git is polled every 3 minutes by default; tests ask for a refresh after a push instead, and
    // this bounds how long a missed refresh can delay them.
    '--app-resync=60',
  ], procs, { env: { ...env, ARGOCD_BINARY_NAME: 'argocd-application-controller', ARGOCD_FAKE_IN_CLUSTER: 'true', KUBECONFIG: kubeconfig }, runs: process.execPath });

  // unshare and sh run first and exec the forwarder (Node) only then: until they have, the PID
  // does not yet run what the state records, and waitFor would take it for an exited process.
  const controller = procs[procs.length - 1];
  const execed = () => {
    try {
      return readFileSync(`/proc/${controller.pid}/cmdline`, 'utf8').split('\0')[0] === controller.binary;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 150 && !execed(); i++) await new Promise((r) => setTimeout(r, 200));
  saveState({ procs, argocd: { namespace: ARGOCD_NAMESPACE, gitUrl, gitDir, registry: registry.registry } });
  // Ready when Redis, the Git server, the repo server and the forwarded ports accept connections;
  // the controller then reconciles any Application as soon as it has listed the cluster.
  await waitFor('Argo CD to be ready', 120, procs, async () => (await Promise.all([redisPort, gitPort, repoPort].map(accepts))).every(Boolean) && readdirSync(sockets).length === forwarded.length, log);
  log(`Argo CD up in ${Math.round((Date.now() - started) / 1000)} s: ${gitUrl}, OCI registry ${registry.registry}, namespace ${ARGOCD_NAMESPACE}`);
  return readState()!.argocd!;
}

/** The processes `upArgoCd` starts (stopped by PID by `npm run cluster -- down`, or here). */
const ARGOCD_PROCS = new Set(['redis', 'git-daemon', 'oci-registry', 'argocd-repo-server', 'argocd-forward', 'argocd-application-controller']);

/** Stops Argo CD's processes (by PID) and forgets it, leaving the cluster running; the objects it created stay. */
export async function downArgoCd(log: Log = console.log): Promise<void> {
  const state = readState();
  if (!state?.argocd) return;
  const mine = state.procs.filter((p) => ARGOCD_PROCS.has(p.name));
  const runs = (p: Proc) => {
    try {
      return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')[0] === p.binary;
    } catch {
      return false;
    }
  };
  const alive = () => mine.filter(runs);
  for (const p of alive().reverse()) process.kill(p.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  for (const p of alive()) process.kill(p.pid, 'SIGKILL');
  rmSync(REGISTRY_DIR, { recursive: true, force: true });
  saveState({ procs: state.procs.filter((p) => !ARGOCD_PROCS.has(p.name)), argocd: undefined });
  log(`stopped ${mine.map((p) => `${p.name} (${p.pid})`).join(', ')}`);
}

/** What `npm run -s cluster -- info --json` prints. */
export function clusterInfo(): { kubeconfig: string; apiserver: string; gitUrl: string | null; registry: string | null; argocdNamespace: string | null } {
  const state = readState();
  return {
    kubeconfig: KUBECONFIG,
    apiserver: state?.apiserver ?? '',
    gitUrl: state?.argocd?.gitUrl ?? null,
    // The OCI registry (`host:port`, plain HTTP): `helm push … oci://<registry>/…` and OCI sources read it.
    registry: state?.argocd?.registry ?? null,
    argocdNamespace: state?.argocd?.namespace ?? null,
  };
}
