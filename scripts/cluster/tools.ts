/**
 * Builds the binaries of the test cluster from Go modules, pinned by the wrapper modules in
 * scripts/cluster/modules/ (their go.mod/go.sum are the pins), and caches them under
 * .tools/<tool>-<version>/. A cached tool is reused; a build writes to a temporary folder and
 * renames it into place, so an interrupted build leaves no half-built cache behind.
 *
 *   npx tsx scripts/cluster/tools.ts           # build whatever the cluster misses, print the paths
 *   npx tsx scripts/cluster/tools.ts --argocd  # and Argo CD and kustomize (npm run cluster -- up --argocd)
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const TOOLS_DIR = join(ROOT, '.tools');
const MODULES = join(__dirname, 'modules');

interface ToolSpec {
  /** Wrapper module folder under scripts/cluster/modules/. */
  module: string;
  /** The module whose version names the cache folder (read from the wrapper's go.mod). */
  pinned: string;
  /** Packages to build (one binary each, named after the package's last element). */
  packages: string[];
  /** The binary's name when the one package's last element is not (e.g. Argo CD's `cmd`). */
  binary?: string;
  /** Extra -ldflags, given the pinned version. */
  ldflags?: (version: string) => string[];
  /** Files to copy from a required module's source (default: the pinned one) into the cache folder. */
  extras?: { from: string; to: string; module?: string }[];
  /** What the first build costs on a 2-core machine, for the progress line. */
  coldMinutes: number;
}

/** Version ldflags so that `--version` and the API server's /version report the real release (Helm's kubeVersion checks read it). */
function kubernetesVersionFlags(version: string): string[] {
  const [major, minor] = version.replace(/^v/, '').split('.');
  const flags: string[] = [];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    flags.push(`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`);
  }
  return flags;
}

export const TOOLS = {
  kubernetes: {
    module: 'kubernetes',
    pinned: 'k8s.io/kubernetes',
    packages: ['cmd/kube-apiserver', 'cmd/kube-controller-manager', 'cmd/kube-scheduler', 'cmd/kubectl'].map((p) => `k8s.io/kubernetes/${p}`),
    ldflags: kubernetesVersionFlags,
    coldMinutes: 15,
  },
  etcd: { module: 'etcd', pinned: 'go.etcd.io/etcd/server/v3', packages: ['.'], coldMinutes: 3 },
  kwok: {
    module: 'kwok',
    pinned: 'sigs.k8s.io/kwok',
    packages: ['sigs.k8s.io/kwok/cmd/kwok'],
    // kwok has no built-in behaviour: its "fast" stages (nodes Ready, pods Running and Ready,
    // Job pods Succeeded, deletions finished) come with the module as manifests.
    extras: [
      { from: 'kustomize/stage/node/fast/node-initialize.yaml', to: 'stages/node-initialize.yaml' },
      // Node leases renewed: without them the node lifecycle controller marks every pod NotReady.
      { from: 'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml', to: 'stages/node-heartbeat-with-lease.yaml' },
      { from: 'kustomize/stage/pod/fast/pod-ready.yaml', to: 'stages/pod-ready.yaml' },
      { from: 'kustomize/stage/pod/fast/pod-complete.yaml', to: 'stages/pod-complete.yaml' },
      { from: 'kustomize/stage/pod/fast/pod-delete.yaml', to: 'stages/pod-delete.yaml' },
    ],
    coldMinutes: 4,
  },
  /**
   * Argo CD: one binary that runs each component named by ARGOCD_BINARY_NAME (application
   * controller, repo server, CLI). The wrapper module copies Argo CD's own replace block.
   */
  argocd: {
    module: 'argocd',
    pinned: 'github.com/argoproj/argo-cd/v3',
    packages: ['github.com/argoproj/argo-cd/v3/cmd'],
    binary: 'argocd',
    // Without them `argocd version` says v99.99.99 (the source's placeholder).
    ldflags: (version) => [`-X github.com/argoproj/argo-cd/v3/common.version=${version.replace(/^v/, '')}`, '-X github.com/argoproj/argo-cd/v3/common.kubectlVersion=v0.34.0'],
    // Installed as Argo CD's own manifests install them: its CRDs, its ConfigMaps and Secret, and
    // the application controller's ServiceAccount and (cluster) roles.
    extras: [
      ...['application', 'applicationset', 'appproject'].map((k) => ({ from: `manifests/crds/${k}-crd.yaml`, to: `crds/${k}-crd.yaml` })),
      ...['cm', 'cmd-params-cm', 'rbac-cm', 'secret', 'gpg-keys-cm', 'ssh-known-hosts-cm', 'tls-certs-cm'].map((k) => ({ from: `manifests/base/config/argocd-${k}.yaml`, to: `install/argocd-${k}.yaml` })),
      ...['sa', 'role', 'rolebinding'].map((k) => ({ from: `manifests/base/application-controller-roles/argocd-application-controller-${k}.yaml`, to: `install/argocd-application-controller-${k}.yaml` })),
      ...['clusterrole', 'clusterrolebinding'].map((k) => ({ from: `manifests/cluster-rbac/application-controller/argocd-application-controller-${k}.yaml`, to: `install/argocd-application-controller-${k}.yaml` })),
    ],
    coldMinutes: 25,
  },
  /** The repo server renders every dist/ folder (each carries a kustomization.yaml) with it. */
  kustomize: { module: 'kustomize', pinned: 'sigs.k8s.io/kustomize/kustomize/v5', packages: ['sigs.k8s.io/kustomize/kustomize/v5'], binary: 'kustomize', coldMinutes: 3 },
  /** No binary: the CRD manifests of the cert-manager and trust-manager releases that dist/linkerd-certificates targets. */
  crds: {
    module: 'crds',
    pinned: 'github.com/cert-manager/cert-manager',
    packages: [],
    extras: [
      ...['certificates', 'certificaterequests', 'issuers', 'clusterissuers'].map((k) => ({ from: `deploy/crds/cert-manager.io_${k}.yaml`, to: `cert-manager/${k}.yaml` })),
      { module: 'github.com/cert-manager/trust-manager', from: 'deploy/crds/trust.cert-manager.io_bundles.yaml', to: 'trust-manager/bundles.yaml' },
    ],
    coldMinutes: 1,
  },
} satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;

/** The version the wrapper module pins for a tool (its go.mod is the one source). */
export function toolVersion(name: ToolName): string {
  const spec: ToolSpec = TOOLS[name];
  const gomod = readFileSync(join(MODULES, spec.module, 'go.mod'), 'utf8');
  const m = new RegExp(`^\\s*(?:require\\s+)?${spec.pinned.replace(/[.]/g, '\\.')}\\s+(v\\S+)`, 'm').exec(gomod);
  if (!m) throw new Error(`scripts/cluster/modules/${spec.module}/go.mod does not require ${spec.pinned}`);
  return m[1];
}

export function toolDir(name: ToolName): string {
  return join(TOOLS_DIR, `${name}-${toolVersion(name)}`);
}

/** Path of one binary of a tool (built or not). */
export function toolPath(name: ToolName, binary: string = name): string {
  return join(toolDir(name), binary);
}

function binaries(spec: ToolSpec): string[] {
  if (spec.binary) return [spec.binary];
  return spec.packages.map((p) => (p === '.' ? spec.module : p.split('/').pop()!));
}

function run(cmd: string, args: string[], cwd: string, log: (line: string) => void, label: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOFLAGS: '-mod=readonly' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const tick = setInterval(() => log(`  ${label}: still building (${Math.round((Date.now() - started) / 1000)} s)`), 60_000);
    child.on('error', (e) => {
      clearInterval(tick);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(tick);
      if (code === 0) resolve(out);
      else reject(new Error(`${label}: ${cmd} ${args.join(' ')} failed (exit ${code}):\n${out.slice(-4000)}`));
    });
  });
}

/** Builds one tool unless its cache folder is complete; returns the folder. */
export async function ensureTool(name: ToolName, log: (line: string) => void = console.log): Promise<string> {
  const spec: ToolSpec = TOOLS[name];
  const version = toolVersion(name);
  const dir = toolDir(name);
  const wanted = [...binaries(spec), ...(spec.extras ?? []).map((e) => e.to)];
  if (wanted.every((f) => existsSync(join(dir, f)))) return dir;

  const moduleDir = join(MODULES, spec.module);
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  log(`building ${name} ${version} from Go modules into ${dir} (first build: about ${spec.coldMinutes} min on 2 cores; cached afterwards)`);
  const ldflags = ['-s', '-w', ...(spec.ldflags?.(version) ?? [])].join(' ');
  try {
    const out = spec.binary ? join(tmp, spec.binary) : `${tmp}/`;
    if (spec.packages.length) await run('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', out, ...spec.packages], moduleDir, log, name);
    for (const e of spec.extras ?? []) {
      await run('go', ['mod', 'download', e.module ?? spec.pinned], moduleDir, log, name);
      const src = (await run('go', ['list', '-m', '-f', '{{.Dir}}', e.module ?? spec.pinned], moduleDir, log, name)).trim();
      mkdirSync(join(tmp, e.to, '..'), { recursive: true });
      cpSync(join(src, e.from), join(tmp, e.to));
    }
    writeFileSync(join(tmp, 'VERSION'), `${version}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  log(`built ${name} ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}

/** What `npm run cluster -- up --argocd` adds to the cluster (scripts/cluster/argocd.ts). */
export const ARGOCD_TOOLS: ToolName[] = ['argocd', 'kustomize'];

/** The tools of the cluster itself (without Argo CD's). */
export const BASE_TOOLS = (Object.keys(TOOLS) as ToolName[]).filter((t) => !ARGOCD_TOOLS.includes(t));

/** Builds the cluster tools that are missing (one at a time: each Go build uses every core); the cluster's own unless told which. */
export async function ensureClusterTools(log: (line: string) => void = console.log, names: ToolName[] = BASE_TOOLS): Promise<void> {
  for (const name of names) await ensureTool(name, log);
}

if (require.main === module) {
  const names = process.argv.includes('--argocd') ? (Object.keys(TOOLS) as ToolName[]) : BASE_TOOLS;
  ensureClusterTools(console.log, names)
    .then(() => {
      for (const name of names) console.log(`${name} ${toolVersion(name)}: ${toolDir(name)}`);
    })
    .catch((e: Error) => {
      console.error(`error: ${e.message}`);
      process.exit(1);
    });
}
