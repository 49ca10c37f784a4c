/**
 * What the Argo CD cluster files share (argocd.test.ts, argocd-helm.test.ts): the Applications as
 * the tests read them, a Git work tree that pushes to the cluster's Git server, a refresh that
 * waits until Argo CD has compared again, and the controllers this cluster lacks, played by the
 * test where Argo CD waits for their work:
 * - cert-manager: Issuers and Certificates are marked Ready;
 * - the tap API server: no pod serves linkerd-viz's APIService, so the live APIService is annotated
 *   argocd.argoproj.io/ignore-healthcheck;
 * - a cloud load balancer: a LoadBalancer Service (the multicluster gateway's) gets an address.
 */
import { execFileSync } from 'node:child_process';
import { ARGOCD_NAMESPACE } from '../../../scripts/cluster/argocd';
import { eventually, getJson, kubectl } from './cluster';

export const NS = ARGOCD_NAMESPACE;

export interface Condition {
  type: string;
  status?: string;
  message?: string;
}

export interface AppResource {
  group?: string;
  kind: string;
  namespace?: string;
  name: string;
  status?: string;
  health?: { status: string; message?: string };
}

/** An Argo CD Application, the fields the tests read. */
export interface App {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: {
    sync?: { status: string; revision?: string };
    health?: { status: string; message?: string; lastTransitionTime?: string };
    conditions?: Condition[];
    resources?: AppResource[];
    operationState?: { phase: string; message?: string; syncResult?: { revision?: string } };
  };
}

export function app(name: string): Promise<App> {
  return getJson<App>(['get', 'applications.argoproj.io', name, '-n', NS]);
}

export const settled = (a: App) => a.status?.sync?.status === 'Synced' && a.status?.health?.status === 'Healthy';

/** Asks Argo CD to compare again (hard: regenerating the manifests) and waits until it has. */
export async function refresh(name: string, kind: 'normal' | 'hard'): Promise<App> {
  await kubectl(['annotate', 'applications.argoproj.io', name, '-n', NS, `argocd.argoproj.io/refresh=${kind}`, '--overwrite']);
  return eventually(`${name} to be refreshed`, 180, async () => {
    const a = await app(name);
    return a.metadata.annotations?.['argocd.argoproj.io/refresh'] === undefined ? a : undefined;
  });
}

/**
 * A Git work tree in `dir`: `git(args)` runs there as a test author; `push(message)` commits
 * everything and pushes it to `main` (with `force`, replacing what an earlier file pushed), and
 * returns the commit.
 */
export function workTree(dir: string, options: { force?: boolean } = {}): { git: (args: string[]) => string; push: (message: string) => string } {
  const author = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
  const git = (args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...author } });
  const push = (message: string) => {
    git(['add', '-A']);
    git(['commit', '--quiet', '--allow-empty', '-m', message]);
    git(['push', '--quiet', ...(options.force ? ['--force'] : []), 'origin', 'HEAD:main']);
    return git(['rev-parse', 'HEAD']).trim();
  };
  return { git, push };
}

/** What Argo CD waits for that this cluster has no controller for (see the file's comment). */
export async function playControllers(): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const ready = { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Test', message: 'marked Ready by the test (no cert-manager runs here)', lastTransitionTime: now }] } };
  for (const kind of ['issuers.cert-manager.io', 'certificates.cert-manager.io']) {
    // Before cert-manager's CRDs are installed there is nothing to mark.
    const list = await getJson<{ items: { metadata: { name: string; namespace: string }; status?: { conditions?: Condition[] } }[] }>(['get', kind, '-A']).catch(() => ({ items: [] }));
    for (const o of list.items.filter((i) => !i.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) {
      await kubectl(['patch', kind, o.metadata.name, '-n', o.metadata.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify(ready)]);
    }
  }
  for (const a of (await kubectl(['get', 'apiservices', '-o', 'name'])).stdout.split('\n').filter((l) => l.includes('tap.linkerd.io'))) {
    await kubectl(['annotate', a, 'argocd.argoproj.io/ignore-healthcheck=true', '--overwrite']);
  }
  // The cloud's load balancer: the multicluster gateway's Service (type LoadBalancer) gets an
  // address, as Argo CD waits for one. Loopback: nothing dials it.
  const services = await getJson<{ items: { metadata: { name: string; namespace: string }; spec: { type?: string }; status?: { loadBalancer?: { ingress?: object[] } } }[] }>(['get', 'services', '-A']);
  for (const svc of services.items.filter((i) => i.spec.type === 'LoadBalancer' && !i.status?.loadBalancer?.ingress?.length)) {
    await kubectl(['patch', 'service', svc.metadata.name, '-n', svc.metadata.namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } } })]);
  }
}
