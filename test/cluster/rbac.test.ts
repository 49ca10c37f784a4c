/**
 * RBAC, as the API server sees it. The charts are rendered (`helm template` of charts/, the
 * control plane with the test identity), only what RBAC needs is applied server-side
 * (Namespaces, ServiceAccounts, Roles, ClusterRoles, RoleBindings, ClusterRoleBindings, plus
 * linkerd-crds' CRDs so that `kubectl auth can-i` knows the Linkerd kinds), and then:
 *
 * 1. for every ServiceAccount the charts create, in its own namespace and in every namespace
 *    where a rendered RoleBinding names it, what the server grants (a SelfSubjectRulesReview
 *    made as the ServiceAccount, the data `kubectl auth can-i --list` prints) minus what an
 *    unbound ServiceAccount gets equals what the rendered rules grant through the rendered
 *    bindings (roles the charts bind but do not render are read from the server);
 * 2. every Kubernetes API call the workloads make (test/cluster/support/controller-calls.ts,
 *    facts from upstream's code) is allowed: `kubectl auth can-i`, exit 0 = yes;
 * 3. grants no call needs, and namespaced calls the grant allows in every namespace, are
 *    printed (over-grants compared with what the code needs);
 * 4. the comparison and the checks fail when a rule goes missing (a rule removed on the server).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlPath } from '../../scripts/cluster/cluster';
import { CHARTS_DIR, IDENTITY_FLAGS, KUBECONFIG, deleteNamespace, eventually, getJson, helm, kubectl, parseManifests, type K8sObject } from './support/cluster';
import { CONTROLLER_CALLS, CONTROL_PLANE_NS, JAEGER_NS, NO_CALLS, VIZ_NS, type ControllerCall, type ResourceCall } from './support/controller-calls';

const CHARTS = [
  { name: 'linkerd-crds', namespace: CONTROL_PLANE_NS, flags: [] as string[] },
  { name: 'linkerd-control-plane', namespace: CONTROL_PLANE_NS, flags: IDENTITY_FLAGS },
  { name: 'linkerd-viz', namespace: VIZ_NS, flags: [] as string[] },
  { name: 'linkerd-jaeger', namespace: JAEGER_NS, flags: [] as string[] },
];
const NAMESPACES = [CONTROL_PLANE_NS, VIZ_NS, JAEGER_NS];
const RBAC_KINDS = new Set(['Namespace', 'ServiceAccount', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const MANAGER = '--field-manager=cdk8s-linkerd-rbac-test';
/** A ServiceAccount no binding names: what every ServiceAccount of a namespace gets anyway. */
const UNBOUND = 'cdk8s-linkerd-rbac-unbound';
/** A namespace no chart uses, to see whether a namespaced grant reaches beyond its namespace. */
const PROBE_NS = 'default';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}
type RbacObject = K8sObject & {
  rules?: PolicyRule[];
  aggregationRule?: unknown;
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
};
interface RulesStatus {
  resourceRules?: PolicyRule[];
  nonResourceRules?: { verbs: string[]; nonResourceURLs: string[] }[];
  incomplete: boolean;
  evaluationError?: string;
}

// ---- atoms: (group, resource, name or any, verb) and (URL, verb) ---------------------------

const ANY = '';
function atomsOf(rules: PolicyRule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) {
    for (const v of r.verbs) {
      for (const u of r.nonResourceURLs ?? []) out.add(`url ${u} ${v}`);
      for (const g of r.apiGroups ?? []) for (const res of r.resources ?? []) for (const n of r.resourceNames?.length ? r.resourceNames : [ANY]) out.add(`res ${g}|${res}|${n}|${v}`);
    }
  }
  return out;
}
/** "verb group/resource[/name]" or "verb URL", for people. */
function show(atom: string): string {
  if (atom.startsWith('url ')) {
    const [, u, v] = atom.split(' ');
    return `${v} ${u}`;
  }
  const [g, res, n, v] = atom.slice(4).split('|');
  return `${v} ${g || 'core'}/${res}${n ? `/${n}` : ''}`;
}
const minus = (a: Set<string>, b: Set<string>) => new Set([...a].filter((x) => !b.has(x)));

// ---- rendering and the server ---------------------------------------------------------------

async function render(chart: (typeof CHARTS)[number]): Promise<RbacObject[]> {
  const out = await helm(4, ['template', chart.name, join(CHARTS_DIR, chart.name), '-n', chart.namespace, ...chart.flags]);
  return parseManifests(out.stdout) as RbacObject[];
}

const listOf = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const userOf = (sa: string) => `system:serviceaccount:${sa.replace('/', ':')}`;

/** What the server grants USER in NS: a SelfSubjectRulesReview created as that user (the request `kubectl auth can-i --list` makes and prints). */
async function rulesReview(user: string, ns: string): Promise<RulesStatus> {
  const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: ns } };
  const out = await kubectl(['create', '--validate=false', '-o', 'json', `--as=${user}`, '-f', '-'], JSON.stringify(review));
  return (JSON.parse(out.stdout) as { status: RulesStatus }).status;
}
function grantedAtoms(s: RulesStatus): Set<string> {
  return atomsOf([...(s.resourceRules ?? []), ...(s.nonResourceRules ?? []).map((r) => ({ ...r, apiGroups: [], resources: [] }))]);
}

const execFileAsync = promisify(execFile);
type Answer = { allowed: boolean; via: 'can-i' | 'SelfSubjectAccessReview'; command: string };

/** Runs at most `n` of `tasks` at a time (the machine is shared). */
async function pool<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

interface Check {
  call: ControllerCall;
  verb: string;
  resource?: string;
}

function expand(calls: ControllerCall[]): Check[] {
  return calls.flatMap((call) => call.verbs.flatMap((verb): Check[] => ('url' in call ? [{ call, verb }] : call.resources.map((resource) => ({ call, verb, resource })))));
}

function describeCheck(c: Check): string {
  if ('url' in c.call) return `${c.verb} ${c.call.url}`;
  const call = c.call as ResourceCall;
  return `${c.verb} ${call.group || 'core'}/${c.resource}${call.name ? `/${call.name}` : ''} ${call.namespace === 'all' ? '(all namespaces)' : `-n ${call.namespace}`}`;
}

/**
 * `kubectl auth can-i VERB RESOURCE[.GROUP][/NAME] [--subresource S] (-n NS | --all-namespaces) --as SA`.
 * kubectl maps RESOURCE with discovery and, for a kind the server does not serve (Gateway API
 * without its CRDs, tap.linkerd.io while the tap APIService has no pod), would ask about a
 * wrong resource; those are asked with the request can-i sends itself, a SelfSubjectAccessReview
 * made as the ServiceAccount, with group and resource spelled out.
 */
async function allowed(c: Check, known: Set<string>, ns?: string): Promise<Answer> {
  const as = `--as=${userOf(c.call.sa)}`;
  let args: string[];
  if ('url' in c.call) {
    args = ['auth', 'can-i', c.verb, c.call.url, as];
  } else {
    const call = c.call as ResourceCall;
    const [res, sub] = c.resource!.split('/');
    const gr = call.group ? `${res}.${call.group}` : res;
    const namespace = ns ?? call.namespace;
    if (!known.has(gr)) {
      const attrs = { verb: c.verb, group: call.group, resource: res, subresource: sub, name: call.name, namespace: namespace === 'all' ? '' : namespace };
      const review = { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } };
      const out = await kubectl(['create', '--validate=false', '-o', 'json', as, '-f', '-'], JSON.stringify(review));
      return { allowed: (JSON.parse(out.stdout) as { status: { allowed: boolean } }).status.allowed, via: 'SelfSubjectAccessReview', command: `SelfSubjectAccessReview ${JSON.stringify(attrs)}` };
    }
    args = ['auth', 'can-i', c.verb, `${gr}${call.name ? `/${call.name}` : ''}`, ...(sub ? ['--subresource', sub] : []), ...(namespace === 'all' ? ['--all-namespaces'] : ['-n', namespace]), as];
  }
  const command = `kubectl ${args.join(' ')}`;
  try {
    await execFileAsync(kubectlPath(), args, { env: { ...process.env, KUBECONFIG } });
    return { allowed: true, via: 'can-i', command };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (err.code === 1 && /^no\b/.test(err.stdout ?? '') && !/doesn't have a resource type/.test(err.stderr ?? '')) return { allowed: false, via: 'can-i', command };
    throw new Error(`${command}: exit ${err.code}: ${err.stdout ?? ''} ${err.stderr ?? ''}`);
  }
}

// ---- the suite ----------------------------------------------------------------------------

interface Row {
  sa: string;
  namespace: string;
  granted: Set<string>;
  expected: Set<string>;
}

describe('RBAC: what the API server grants each ServiceAccount', () => {
  let rendered: RbacObject[] = [];
  let crdsRendered: RbacObject[] = [];
  let applied: RbacObject[] = [];
  let serviceAccounts: string[] = [];
  let known = new Set<string>();
  const serverRoles = new Map<string, PolicyRule[]>();
  const baselines = new Map<string, Set<string>>();

  async function roleRules(kind: string, name: string, ns: string): Promise<PolicyRule[]> {
    const own = rendered.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === ns));
    if (own && !own.aggregationRule) return own.rules ?? [];
    const key = `${kind}/${kind === 'Role' ? ns : ''}/${name}`;
    if (!serverRoles.has(key)) {
      const obj = await getJson<{ rules?: PolicyRule[] }>(['get', kind.toLowerCase(), name, ...(kind === 'Role' ? ['-n', ns] : [])]);
      serverRoles.set(key, obj.rules ?? []);
    }
    return serverRoles.get(key)!;
  }

  function names(b: RbacObject, sa: string): boolean {
    const [ns, name] = sa.split('/');
    return (b.subjects ?? []).some((s) =>
      s.kind === 'ServiceAccount' ? s.name === name && (s.namespace ?? b.metadata.namespace) === ns
        : s.kind === 'User' ? s.name === userOf(sa)
          : s.kind === 'Group' && ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${ns}`].includes(s.name),
    );
  }

  /** The rendered bindings' grant to SA in NS. */
  async function expectedAtoms(sa: string, ns: string): Promise<Set<string>> {
    const rules: PolicyRule[] = [];
    for (const b of rendered.filter((o) => (o.kind === 'ClusterRoleBinding' || (o.kind === 'RoleBinding' && o.metadata.namespace === ns)) && names(o, sa))) {
      rules.push(...(await roleRules(b.roleRef!.kind, b.roleRef!.name, b.metadata.namespace ?? ns)));
    }
    return atomsOf(rules);
  }

  async function baseline(sa: string, ns: string): Promise<Set<string>> {
    const key = `${sa.split('/')[0]} ${ns}`;
    if (!baselines.has(key)) baselines.set(key, grantedAtoms(await rulesReview(`system:serviceaccount:${sa.split('/')[0]}:${UNBOUND}`, ns)));
    return baselines.get(key)!;
  }

  function reviewNamespaces(sa: string): string[] {
    const own = sa.split('/')[0];
    const bound = rendered.filter((o) => o.kind === 'RoleBinding' && names(o, sa)).map((o) => o.metadata.namespace!);
    return [...new Set([own, ...bound])].sort();
  }

  async function row(sa: string, ns: string): Promise<Row> {
    const status = await rulesReview(userOf(sa), ns);
    expect(status.incomplete, `${sa} in ${ns}: ${status.evaluationError}`).toBe(false);
    expect(status.evaluationError ?? '').toBe('');
    const base = await baseline(sa, ns);
    return { sa, namespace: ns, granted: minus(grantedAtoms(status), base), expected: minus(await expectedAtoms(sa, ns), base) };
  }

  beforeAll(async () => {
    const started = Date.now();
    const docs = await Promise.all(CHARTS.map(render));
    crdsRendered = docs[0];
    rendered = docs.slice(1).flat().filter((o) => RBAC_KINDS.has(o.kind));
    serviceAccounts = rendered.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    // The charts do not render their namespaces (Helm's --create-namespace does): apply them first.
    const namespaces = NAMESPACES.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } })) as RbacObject[];
    const crds = crdsRendered.filter((o) => o.kind === 'CustomResourceDefinition');
    applied = [...namespaces, ...rendered.filter((o) => o.kind !== 'Namespace'), ...crds];
    await kubectl(['apply', '--server-side', MANAGER, '-f', '-'], listOf(applied));
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', ...crds.map((c) => `crd/${c.metadata.name}`)]);
    // Discovery names ("pods", "deployments.apps", "servers.policy.linkerd.io") that kubectl auth can-i can map.
    known = await eventually('the Linkerd kinds in discovery', 60, async () => {
      const names = new Set((await kubectl(['api-resources', '-o', 'name'])).stdout.split('\n').filter(Boolean));
      return names.has('servers.policy.linkerd.io') && names.has('serviceprofiles.linkerd.io') ? names : undefined;
    });
    console.log(`rendered and applied ${applied.length} objects (${serviceAccounts.length} ServiceAccounts) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    const clusterScoped = applied.filter((o) => !o.metadata.namespace && o.kind !== 'Namespace');
    const elsewhere = applied.filter((o) => o.metadata.namespace && !NAMESPACES.includes(o.metadata.namespace));
    // Waited for: a CRD still terminating when the next suite installs linkerd-crds makes Helm refuse to adopt it.
    if (clusterScoped.length + elsewhere.length) await kubectl(['delete', '--ignore-not-found', '--wait=true', '--timeout=180s', '-f', '-'], listOf([...clusterScoped, ...elsewhere])).catch(() => undefined);
    await Promise.all(NAMESPACES.map(deleteNamespace));
  });

  it('linkerd-crds creates no ServiceAccount and no RBAC object', () => {
    expect(crdsRendered.filter((o) => RBAC_KINDS.has(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
    expect(serviceAccounts.length).toBeGreaterThan(0);
  });

  it('grants each ServiceAccount exactly what the rendered Roles and ClusterRoles grant through the rendered bindings', async () => {
    const rows: Row[] = [];
    for (const sa of serviceAccounts) for (const ns of reviewNamespaces(sa)) rows.push(await row(sa, ns));
    const w = Math.max(...rows.map((r) => r.sa.length));
    const lines = rows.map((r) => {
      const equal = r.granted.size === r.expected.size && [...r.granted].every((a) => r.expected.has(a));
      return `${r.sa.padEnd(w)}  ${r.namespace.padEnd(14)}  ${String(r.granted.size).padStart(7)}  ${equal ? 'yes' : 'NO'}`;
    });
    console.log(['RBAC: atoms granted beyond an unbound ServiceAccount\'s', `${'ServiceAccount'.padEnd(w)}  ${'namespace'.padEnd(14)}  granted  equal`, ...lines].join('\n'));
    const diffs = rows
      .map((r) => ({ where: `${r.sa} in ${r.namespace}`, missing: [...minus(r.expected, r.granted)].map(show).sort(), extra: [...minus(r.granted, r.expected)].map(show).sort() }))
      .filter((d) => d.missing.length || d.extra.length);
    expect(diffs).toEqual([]);
  });

  it('allows every Kubernetes API call the controllers make (upstream edge-26.8.3)', async () => {
    // The table names only ServiceAccounts the charts create, and covers every one that has a grant.
    expect(CONTROLLER_CALLS.map((c) => c.sa).filter((sa) => !serviceAccounts.includes(sa))).toEqual([]);
    const covered = new Set([...CONTROLLER_CALLS.map((c) => c.sa), ...NO_CALLS]);
    expect(serviceAccounts.filter((sa) => !covered.has(sa))).toEqual([]);

    const checks = expand(CONTROLLER_CALLS);
    const answers = await pool(4, checks.map((c) => () => allowed(c, known)));
    const results = checks.map((c, i) => ({ ...c, ...answers[i] }));
    const bySa = new Map<string, { ok: number; denied: number; gaps: number }>();
    for (const r of results) {
      const s = bySa.get(r.call.sa) ?? { ok: 0, denied: 0, gaps: 0 };
      if (r.call.upstreamGap) s.gaps++;
      else if (r.allowed) s.ok++;
      else s.denied++;
      bySa.set(r.call.sa, s);
    }
    const w = Math.max(...[...bySa.keys()].map((k) => k.length));
    console.log(
      [
        `controller calls: ${results.length} checks (${results.filter((r) => r.via === 'can-i').length} with kubectl auth can-i, ${results.filter((r) => r.via !== 'can-i').length} with a SelfSubjectAccessReview)`,
        `${'ServiceAccount'.padEnd(w)}  allowed  denied  upstream-gap`,
        ...[...bySa].map(([sa, s]) => `${sa.padEnd(w)}  ${String(s.ok).padStart(7)}  ${String(s.denied).padStart(6)}  ${String(s.gaps).padStart(12)}`),
        ...results.filter((r) => r.call.upstreamGap).map((r) => `  upstream gap (denied here too): ${r.call.sa} ${describeCheck(r)}: ${r.call.upstreamGap}`),
      ].join('\n'),
    );
    const denied = results.filter((r) => !r.call.upstreamGap && !r.allowed).map((r) => `${r.call.sa} (${r.call.controller}) cannot ${describeCheck(r)} [${r.call.source}]: ${r.command}`);
    expect(denied).toEqual([]);
    // A gap that got allowed means the table is out of date.
    expect(results.filter((r) => r.call.upstreamGap && r.allowed).map((r) => `${r.call.sa} ${describeCheck(r)}`)).toEqual([]);
  });

  it('reports grants no call needs, and namespaced calls allowed in every namespace', async () => {
    const lines: string[] = [];
    for (const sa of serviceAccounts) {
      const calls = CONTROLLER_CALLS.filter((c) => c.sa === sa);
      const granted = new Set<string>();
      for (const ns of reviewNamespaces(sa)) for (const a of (await row(sa, ns)).granted) granted.add(a);
      if (NO_CALLS.includes(sa)) {
        expect([...granted].map(show), `${sa} makes no API call`).toEqual([]);
        continue;
      }
      const needed = (atom: string) =>
        calls.some((c) => {
          if (atom.startsWith('url ')) {
            const [, u, v] = atom.split(' ');
            return 'url' in c && c.url === u && c.verbs.includes(v as never);
          }
          if ('url' in c) return false;
          const [g, res, n, v] = atom.slice(4).split('|');
          return c.group === g && c.verbs.includes(v as never) && (res === '*' || c.resources.includes(res)) && (n === ANY || n === c.name);
        });
      const unused = [...granted].filter((a) => !needed(a)).map(show).sort();
      if (unused.length) lines.push(`${sa}: granted, no call needs it: ${unused.join(', ')}`);
    }
    // A namespaced call whose grant also holds in a namespace the charts do not use comes from a ClusterRoleBinding.
    const namespaced = expand(CONTROLLER_CALLS.filter((c): c is ResourceCall => !('url' in c) && c.namespace !== 'all' && !c.upstreamGap));
    const probes = await pool(4, namespaced.map((c) => () => allowed(c, known, PROBE_NS)));
    const wide = namespaced.filter((_, i) => probes[i].allowed).map((c) => `${c.call.sa}: ${describeCheck(c)} is granted in every namespace`);
    console.log(['over-grants compared with the calls upstream code makes:', ...lines, ...wide].join('\n'));
  });

  it('notices a missing rule: the comparison and the call checks fail when a ClusterRole loses one', async () => {
    const role = rendered.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'linkerd-policy')!;
    const index = role.rules!.findIndex((r) => r.apiGroups?.includes('policy.linkerd.io') && r.resources?.includes('httproutes/status'));
    expect(index).toBeGreaterThanOrEqual(0);
    const sa = `${CONTROL_PLANE_NS}/linkerd-destination`;
    const statusCall = expand(CONTROLLER_CALLS.filter((c) => c.sa === sa)).find((c) => c.resource === 'httproutes/status' && (c.call as ResourceCall).group === 'policy.linkerd.io')!;
    await kubectl(['patch', 'clusterrole', 'linkerd-policy', '--type=json', '-p', JSON.stringify([{ op: 'remove', path: `/rules/${index}` }])]);
    try {
      const broken = await eventually('the server to drop the rule', 30, async () => {
        const r = await row(sa, CONTROL_PLANE_NS);
        return r.granted.size < r.expected.size ? r : undefined;
      });
      expect([...minus(broken.expected, broken.granted)].map(show)).toContain('patch policy.linkerd.io/httproutes/status');
      expect((await allowed(statusCall, known)).allowed).toBe(false);
    } finally {
      await kubectl(['apply', '--server-side', '--force-conflicts', MANAGER, '-f', '-'], listOf([role]));
    }
    await eventually('the rule to be back', 30, async () => ((await allowed(statusCall, known)).allowed ? true : undefined));
  });
});
