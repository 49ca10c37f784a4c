/**
 * `cdk8s-linkerd upgrade-plan`: what upgrading the installed releases to a target would do, in
 * order (src/check/upgrade-plan.ts). The target is the charts of this cdk8s-linkerd (default),
 * or a published version rendered by Helm from an OCI registry.
 *
 * Exit codes: 0 nothing to change, 1 a plan with changes, 2 bad usage, 4 invalid input or a
 * cluster that cannot be read, 5 an upgrade upstream forbids (the plan says why).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { CHART_NAMES } from '../chart-registry';
import type { HelmRelease, KubeObject } from '../check/kube';
import type { RenderTarget, UpgradePlan } from '../check/upgrade-plan';
import { CHART_VERSION, LINKERD_VERSION } from '../version';
import { kubeconfigPath, renderAgain, renderChart } from './diff';
import { parseFlags } from './flags';
import { InputError, UsageError, type Io } from './main';

export const UPGRADE_PLAN_HELP = `Usage: cdk8s-linkerd upgrade-plan [flags]

Plans the upgrade of every Helm release of our charts installed in the cluster to a target, in
the order to apply it: CRDs first (gateway-api-crds, linkerd-crds), then linkerd2-cni and the
control plane, then the extensions. For each release: the objects added, changed and removed
(each a server-side dry run against the live cluster, with the release's own values), and the
workloads that restart and why (a checksum annotation, or another pod-template change).
Refuses, with the reason, a jump upstream forbids: a downgrade, or CRDs that drop a version
objects are still stored at.

Flags:
      --to VERSION         target chart version in --registry (default: this cdk8s-linkerd's charts,
                           ${CHART_VERSION}, Linkerd ${LINKERD_VERSION})
      --registry oci://HOST/PATH  where the published charts are (needs --to)
      --plain-http         the registry speaks HTTP (a registry on loopback)
      --helm PATH          the Helm that renders published charts (default "helm")
      --kubeconfig FILE    the cluster (default $KUBECONFIG, else ~/.kube/config)
      --context NAME       the kubeconfig's context
      --diff               print each changed object's unified diff
  -o, --output FORMAT      human (default) or json
  -h, --help               this help

Exit codes: 0 nothing to change, 1 changes planned, 2 bad usage, 4 invalid input or a cluster
that cannot be read, 5 an upgrade upstream forbids (the plan says why).
`;

const run = promisify(execFile);

/** The published chart VERSION, rendered by Helm with the release's values (`helm template`). */
function publishedTarget(registry: string, version: string, helm: string, plainHttp: boolean): RenderTarget {
  return async (chart, release) => {
    const dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-plan-'));
    try {
      const values = join(dir, 'values.json');
      writeFileSync(values, JSON.stringify(release.config ?? {}));
      const ref = `${registry.replace(/\/+$/, '')}/${chart}`;
      const args = ['template', release.name, ref, '--version', version, '-n', release.namespace, '-f', values, ...(plainHttp ? ['--plain-http'] : [])];
      const env = { ...process.env, HELM_CACHE_HOME: join(dir, 'cache'), HELM_CONFIG_HOME: join(dir, 'config'), HELM_DATA_HOME: join(dir, 'data') };
      const render = async () => {
        try {
          const out = (await run(helm, args, { env, maxBuffer: 1 << 28 })).stdout;
          return parseAllDocuments(out).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => !!o && typeof o === 'object' && 'kind' in o);
        } catch (e) {
          const err = e as NodeJS.ErrnoException & { stderr?: string };
          throw new InputError([`${ref} --version ${version}: ${err.code === 'ENOENT' ? `no Helm at ${helm} (--helm PATH)` : (err.stderr ?? err.message).trim().split('\n').pop()}`]);
        }
      };
      const objects = await render();
      const shown = await run(helm, ['show', 'chart', ref, '--version', version, ...(plainHttp ? ['--plain-http'] : [])], { env });
      const linkerd = /^appVersion: "?([^"\n]+)"?$/m.exec(shown.stdout)?.[1];
      return { objects, again: await render(), chartVersion: version, linkerd };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** This tree's charts, rendered as `template` renders them. */
const localTarget: RenderTarget = async (chart: string, release: HelmRelease) => {
  const r = { name: release.name, namespace: release.namespace };
  const user = release.config ?? {};
  return { objects: await renderChart(chart, user, r), again: await renderAgain(chart, user, r), chartVersion: CHART_VERSION, linkerd: LINKERD_VERSION };
};

function human(plan: UpgradePlan, diffs: boolean): string {
  const lines: string[] = [];
  for (const r of plan.refusals) lines.push(`refused ${r.release}: ${r.reason}`);
  plan.releases.forEach((r, i) => {
    const changed = r.objects.filter((o) => o.change !== 'unchanged');
    lines.push(`${i + 1}. ${r.namespace}/${r.release} (${r.chart}): chart ${r.from.chart} → ${r.to.chart}, Linkerd ${r.from.linkerd ?? '?'} → ${r.to.linkerd ?? '?'}${changed.length === 0 ? ': no change' : ''}`);
    for (const c of ['added', 'changed', 'removed'] as const) {
      const of = changed.filter((o) => o.change === c);
      if (of.length > 0) lines.push(`   ${c} (${of.length}): ${of.map((o) => `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`).join(', ')}`);
    }
    for (const s of r.restarts) lines.push(`   restarts ${s.workload}: ${s.reason}`);
    if (diffs) for (const o of changed) lines.push(o.diff.trimEnd());
  });
  if (plan.releases.length === 0 && plan.refusals.length === 0) lines.push('no release of these charts is installed (helm list -A)');
  return `${lines.join('\n')}\n`;
}

export async function upgradePlanCommand(args: string[], io: Io): Promise<number> {
  const { values: flags, positionals } = parseFlags('upgrade-plan', args, {
    to: { type: 'string' },
    registry: { type: 'string' },
    'plain-http': { type: 'boolean' },
    helm: { type: 'string' },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    diff: { type: 'boolean' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) return io.stdout(UPGRADE_PLAN_HELP), 0;
  if (positionals.length > 0) throw new UsageError(`upgrade-plan takes no arguments (got ${positionals.join(' ')})`);
  const output = (flags.output as string | undefined) ?? 'human';
  if (output !== 'human' && output !== 'json') throw new UsageError(`--output ${JSON.stringify(output)}: expected human or json`);
  const [to, registry] = [flags.to as string | undefined, flags.registry as string | undefined];
  if ((to === undefined) !== (registry === undefined)) throw new UsageError('--to VERSION and --registry oci://HOST/PATH go together (without both, the target is this cdk8s-linkerd\'s charts)');
  if (registry !== undefined && !registry.startsWith('oci://')) throw new UsageError(`--registry ${registry}: expected oci://HOST[:PORT]/PATH`);
  const { ClusterError, Kube } = await import('../check/kube');
  try {
    const kube = await Kube.connect(kubeconfigPath(flags.kubeconfig as string | undefined), { context: flags.context as string | undefined });
    const { installedReleases, planUpgrade } = await import('../check/upgrade-plan');
    const releases = await installedReleases(kube, CHART_NAMES);
    const target = registry && to ? publishedTarget(registry, to, (flags.helm as string | undefined) ?? 'helm', flags['plain-http'] === true) : localTarget;
    const plan = await planUpgrade(kube, releases, target);
    if (output === 'json') {
      const slim = { ...plan, releases: plan.releases.map((r) => ({ ...r, objects: r.objects.filter((o) => o.change !== 'unchanged').map(({ id, kind, name, namespace, change }) => ({ id, kind, name, namespace, change })) })) };
      io.stdout(`${JSON.stringify(slim, null, 2)}\n`);
    } else io.stdout(human(plan, flags.diff === true));
    if (plan.refusals.length > 0) return 5;
    return plan.releases.some((r) => r.objects.some((o) => o.change !== 'unchanged')) ? 1 : 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof ClusterError) {
      for (const line of e instanceof InputError ? e.lines : [e.message]) io.stderr(`error: ${line}\n`);
      return 4;
    }
    throw e;
  }
}
