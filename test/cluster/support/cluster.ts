/**
 * What the cluster suites share: the running cluster's kubeconfig, kubectl and the pinned Helm
 * binaries against it, the identity certificates, and waiting for the server to settle.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadAll } from 'js-yaml';
import { KUBECONFIG, kubectlPath } from '../../../scripts/cluster/cluster';
import { helmBinary, type HelmMajor } from '../../support/helm';

export { KUBECONFIG };
export const ROOT = join(__dirname, '..', '..', '..');
export const CHARTS_DIR = join(ROOT, 'charts');
export const DIST_DIR = join(ROOT, 'dist');

const execFileAsync = promisify(execFile);

export interface Run {
  stdout: string;
  stderr: string;
}

/** Runs a command against the cluster; rejects with the command, exit code and output on failure. */
async function run(bin: string, label: string, args: string[], input?: string, env: Record<string, string> = {}): Promise<Run> {
  const child = execFileAsync(bin, args, { env: { ...process.env, KUBECONFIG, ...env }, maxBuffer: 1 << 28 });
  if (input !== undefined) {
    child.child.stdin!.write(input);
    child.child.stdin!.end();
  }
  try {
    const { stdout, stderr } = await child;
    return { stdout, stderr };
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string; code?: number };
    throw new Error(`${label} ${args.join(' ')} failed (exit ${err.code}):\n${(err.stderr ?? '').trim()}\n${(err.stdout ?? '').trim().slice(-2000)}`);
  }
}

export function kubectl(args: string[], input?: string): Promise<Run> {
  return run(kubectlPath(), 'kubectl', args, input);
}

/**
 * Helm with its own caches under the cluster's state, so nothing of the user's Helm setup is read
 * or written. When a waiting command fails, the error carries what the namespace's pods wait for.
 */
export async function helm(major: HelmMajor, args: string[], input?: string): Promise<Run> {
  const home = join(KUBECONFIG, '..', `helm${major}-home`);
  try {
    return await run(helmBinary(major), `helm${major}`, args, input, {
      HELM_CACHE_HOME: join(home, 'cache'),
      HELM_CONFIG_HOME: join(home, 'config'),
      HELM_DATA_HOME: join(home, 'data'),
    });
  } catch (e) {
    if (!args.some((a) => a.startsWith('--wait')) || !args.includes('-n')) throw e;
    throw new Error(`${(e as Error).message}\n${await waitingFor(args[args.indexOf('-n') + 1])}`);
  }
}

/** The namespace's workloads and pods, and its latest warning events: why a --wait did not end. */
async function waitingFor(ns: string): Promise<string> {
  const show = async (args: string[]) => (await kubectl(args).catch((e: Error) => ({ stdout: e.message }))).stdout.trim();
  return [
    `--- kubectl get deployments,replicasets,daemonsets,statefulsets,pods -n ${ns} -o wide`,
    await show(['get', 'deployments,replicasets,daemonsets,statefulsets,pods', '-n', ns, '-o', 'wide']),
    `--- warning events in ${ns} (latest 30)`,
    (await show(['get', 'events', '-n', ns, '--field-selector', 'type=Warning', '--sort-by=.lastTimestamp'])).split('\n').slice(-30).join('\n'),
  ].join('\n');
}

export async function getJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse((await kubectl([...args, '-o', 'json'])).stdout) as T;
}

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } } & Record<string, unknown>;

export function parseManifests(text: string): K8sObject[] {
  return (loadAll(text) as (K8sObject | null)[]).filter((d): d is K8sObject => !!d && typeof d === 'object');
}

/** `--set-file` flags giving the control plane the test trust anchor and issuer. */
export { IDENTITY_SET_FILE_FLAGS as IDENTITY_FLAGS, identityPem } from '../../fixtures/identity';

/** Polls until `check` returns a value (not undefined), or fails after `seconds` with the last reason. */
export async function eventually<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** Deletes a namespace and waits until it is gone (kwok finishes the pods' deletion). */
export async function deleteNamespace(ns: string): Promise<void> {
  await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true', '--timeout=180s']);
}

/** Every object of every listable kind, as "kind/namespace/name" (for before/after comparisons). */
export async function inventory(): Promise<Set<string>> {
  const kinds = (await kubectl(['api-resources', '--verbs=list', '-o', 'name'])).stdout.split('\n').filter(Boolean);
  // Churn the cluster makes by itself, not objects a chart owns.
  const skip = new Set(['events', 'events.events.k8s.io', 'leases.coordination.k8s.io', 'endpoints', 'endpointslices.discovery.k8s.io', 'componentstatuses', 'nodes', 'ipaddresses.networking.k8s.io', 'servicecidrs.networking.k8s.io', 'controllerrevisions.apps']);
  const out = await kubectl(['get', kinds.filter((k) => !skip.has(k)).join(','), '-A', '--ignore-not-found', '-o', 'jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']);
  return new Set(out.stdout.split('\n').filter(Boolean));
}

/** Server-side dry-run create with strict field validation: what the API server (schemas, CEL rules, admission) says about an object. */
export async function serverVerdict(obj: object): Promise<{ accepted: boolean; message: string }> {
  try {
    await kubectl(['create', '--dry-run=server', '--validate=strict', '-o', 'name', '-f', '-'], JSON.stringify(obj));
    return { accepted: true, message: '' };
  } catch (e) {
    const msg = (e as Error).message.split('\n').slice(1).join(' ').replace(/\s+/g, ' ').trim();
    return { accepted: false, message: msg };
  }
}

interface CrdStatus {
  metadata: { name: string; deletionTimestamp?: string; finalizers?: string[] };
  spec: { group: string };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** The API groups of every CRD a chart or dist/ folder of this project (or its cert-manager/trust-manager prerequisites) installs. */
const SUITE_CRD_GROUPS = /(^|\.)linkerd\.io$|^gateway\.networking\.k8s\.io$|(^|\.)cert-manager\.io$/;

async function suiteCrds(): Promise<CrdStatus[]> {
  return (await getJson<{ items: CrdStatus[] }>(['get', 'crd'])).items.filter((c) => SUITE_CRD_GROUPS.test(c.spec.group));
}

/**
 * Deletes the CRDs an earlier suite left behind (or is still deleting) and waits until the server
 * has forgotten them: `helm install linkerd-crds` refuses to adopt a CRD it did not create, so a
 * CRD still terminating from the previous suite would fail the next one. Says what it removed.
 */
export async function removeLeftoverCrds(log: (line: string) => void = console.log): Promise<void> {
  const left = await suiteCrds();
  if (left.length === 0) return;
  const names = left.map((c) => c.metadata.name);
  const terminating = left.filter((c) => c.metadata.deletionTimestamp).length;
  log(`[cluster] ${left.length} CRDs from an earlier suite (${terminating} already terminating): removing ${names.join(', ')}`);
  await kubectl(['delete', 'crd', ...names, '--ignore-not-found', '--wait=false']);
  let still: CrdStatus[] = [];
  await eventually('the leftover CRDs to be gone', 180, async () => {
    still = await suiteCrds();
    return still.length === 0 ? true : undefined;
  }).catch((e: Error) => {
    const why = still.map((c) => `${c.metadata.name}: finalizers ${JSON.stringify(c.metadata.finalizers ?? [])}; ${(c.status?.conditions ?? []).map((x) => `${x.type}=${x.status} ${x.message ?? ''}`.trim()).join('; ')}`);
    throw new Error(`${e.message}\n${why.join('\n')}`);
  });
}
