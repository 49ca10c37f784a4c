/**
 * `cdk8s-linkerd diff [NAME] <chart>`: what installing or upgrading a chart with these values
 * would change on a live cluster, as `kubectl diff --server-side` prints it.
 *
 * Exit codes (kubectl diff's): 0 no change, 1 changes, 2 bad usage, 4 invalid input or a cluster
 * that cannot be read (one `error:` line each; nothing on stdout).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadChart } from '../chart-registry';
import { ValuesError, helmOrder, renderObjects, resolveValues } from '../helm/chart';
import { formatProblem } from '../values/model';
import { isKubeObject, type KubeObject } from '../check/kube';
import { parseFlags } from './flags';
import { InputError, UsageError, userValues, valueOptions, type Io } from './main';

export const DIFF_HELP = `Usage: cdk8s-linkerd diff [NAME] <chart> [flags]

Shows what 'helm upgrade --install NAME charts/<chart>' with these values would change on a live
cluster: each object the chart renders is applied server-side with dryRun=All (the API server
merges it with the fields other managers own, defaults it and runs admission; nothing is
stored) and compared with the live object; objects of the Helm release NAME that the values no
longer render are shown as removed. Printed as a unified diff, like 'kubectl diff'. Secret values
are masked. Certificates the chart generates at render time (webhooks) are taken as they are live.

Flags:
  -f, --values FILE        values file (repeatable; later files win)
      --set, --set-string, --set-json, --set-file K=V   values, as for 'template'
  -n, --namespace NS       the release's namespace (default "linkerd")
      --kubeconfig FILE    the cluster (default $KUBECONFIG, else ~/.kube/config)
      --context NAME       the kubeconfig's context (default: its current context)
      --field-manager NAME apply as this field manager (default: the one that applied each live
                           object server-side, e.g. Helm 4's "helm", else "cdk8s-linkerd")
  -h, --help               this help

NAME defaults to the chart's name. Exit codes: 0 no change, 1 changes, 2 bad usage,
4 invalid values or a cluster that cannot be read.
`;

/** Renders a chart as `template` does; invalid values are InputError lines naming the key. */
export async function renderChart(chart: string, user: Record<string, unknown>, release: { name: string; namespace: string }): Promise<KubeObject[]> {
  const def = await loadChart(chart);
  let values;
  try {
    values = resolveValues(def, user);
  } catch (e) {
    if (e instanceof ValuesError) throw new InputError(e.problems.map((p) => `${chart}: ${formatProblem(p)}`));
    throw e;
  }
  return helmOrder(renderObjects(def, values, release))
    .map((o) => o.object)
    .filter(isKubeObject);
}

/** A second render with new render-time certificates: what differs from the first is generated. */
export async function renderAgain(chart: string, user: Record<string, unknown>, release: { name: string; namespace: string }): Promise<KubeObject[]> {
  (await import('../helm/generated')).forgetGeneratedCertificates();
  return renderChart(chart, user, release);
}

export const kubeconfigPath = (given: string | undefined) => given ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');

export async function diffCommand(args: string[], io: Io): Promise<number> {
  const { values: flags, positionals } = parseFlags('diff', args, {
    ...valueOptions,
    namespace: { type: 'string', short: 'n' },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    'field-manager': { type: 'string' },
  });
  if (flags.help) return io.stdout(DIFF_HELP), 0;
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('diff takes [NAME] CHART');
  const chart = positionals[positionals.length - 1];
  const name = positionals.length === 2 ? positionals[0] : chart;
  const namespace = (flags.namespace as string | undefined) ?? 'linkerd';
  const { ClusterError, Kube } = await import('../check/kube');
  try {
    const user = userValues(io, flags);
    const release = { name, namespace };
    const rendered = await renderChart(chart, user, release);
    const kube = await Kube.connect(kubeconfigPath(flags.kubeconfig as string | undefined), { context: flags.context as string | undefined });
    const { diffObjects, generatedFields } = await import('../check/live-diff');
    const generated = generatedFields(rendered, await renderAgain(chart, user, release));
    const diffs = await diffObjects(rendered, { kube, namespace, release: name, fieldManager: flags['field-manager'] as string | undefined, generated });
    const changed = diffs.filter((d) => d.change !== 'unchanged');
    for (const d of changed) io.stdout(d.diff);
    io.stderr(`${chart} (release ${name} in ${namespace}, ${kube.source}): ${summary(diffs)}\n`);
    return changed.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof InputError || e instanceof ClusterError) {
      for (const line of e instanceof InputError ? e.lines : [e.message]) io.stderr(`error: ${line}\n`);
      return 4;
    }
    throw e;
  }
}

function summary(diffs: { change: string }[]): string {
  const n = (c: string) => diffs.filter((d) => d.change === c).length;
  return `${n('added')} added, ${n('changed')} changed, ${n('removed')} removed, ${n('unchanged')} unchanged`;
}
