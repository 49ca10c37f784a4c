/**
 * `cdk8s-linkerd upgrade-plan`: what upgrading the installed Helm releases of our charts to a
 * target (the charts of this tree, or a published version) would do, in the order to do it: CRDs
 * first, then the control plane, then the extensions; per release the objects added, changed and
 * removed (a server-side dry-run apply against the live cluster, src/check/live-diff.ts), and the
 * workloads that restart with the reason (a checksum annotation, or another pod-template change).
 * A jump upstream forbids is refused with the reason.
 */
import { diffObjects, generatedFields, type ObjectDiff } from './live-diff';
import { helmRelease, type HelmRelease, type Kube, type KubeObject } from './kube';

/** The install order of our charts: CRDs, then what the others need, then the extensions. */
export const UPGRADE_ORDER = ['gateway-api-crds', 'linkerd-crds', 'linkerd2-cni', 'linkerd-control-plane', 'linkerd-viz', 'linkerd-jaeger', 'linkerd-multicluster', 'linkerd-multicluster-link'];

export interface Restart {
  workload: string;
  reason: string;
}

export interface ReleasePlan {
  release: string;
  namespace: string;
  chart: string;
  from: { chart: string; linkerd?: string; revision: number };
  to: { chart: string; linkerd?: string };
  objects: ObjectDiff[];
  restarts: Restart[];
}

export interface Refusal {
  release: string;
  reason: string;
}

export interface UpgradePlan {
  releases: ReleasePlan[];
  refusals: Refusal[];
}

/** The target's objects for one release, rendered with that release's user values. */
export type RenderTarget = (chart: string, release: HelmRelease) => Promise<{ objects: KubeObject[]; again: KubeObject[]; chartVersion: string; linkerd?: string }>;

/** Every deployed Helm release of one of our charts, in upgrade order. */
export async function installedReleases(kube: Kube, charts: string[]): Promise<HelmRelease[]> {
  const secrets = await kube.list<KubeObject>(`/api/v1/secrets?labelSelector=${encodeURIComponent('owner=helm,status=deployed')}`);
  const found: HelmRelease[] = [];
  for (const s of secrets) {
    const r = await helmRelease(kube, s.metadata.labels!.name, s.metadata.namespace!);
    if (r && charts.includes(r.chart.metadata.name) && !found.some((f) => f.name === r.name && f.namespace === r.namespace)) found.push({ ...r, namespace: r.namespace ?? s.metadata.namespace });
  }
  const rank = (r: HelmRelease) => UPGRADE_ORDER.indexOf(r.chart.metadata.name);
  return found.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** edge-26.8.3 → [26, 8, 3]; stable-2.14.10 → [2, 14, 10]; undefined for anything else. */
function linkerdVersion(v: string | undefined): { channel: string; parts: number[] } | undefined {
  const m = /^(edge|stable|enterprise)-(\d+)\.(\d+)\.(\d+)$/.exec(v ?? '');
  return m ? { channel: m[1], parts: m.slice(2).map(Number) } : undefined;
}

function older(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

type Crd = KubeObject & { spec: { versions: { name: string }[] }; status?: { storedVersions?: string[] } };
const isCrd = (o: KubeObject): o is Crd => o.kind === 'CustomResourceDefinition';

/** Why upstream (or the API server) forbids this jump; undefined when it does not. */
async function refusal(kube: Kube, release: HelmRelease, target: { objects: KubeObject[]; linkerd?: string }): Promise<string | undefined> {
  const [from, to] = [linkerdVersion(release.chart.metadata.appVersion), linkerdVersion(target.linkerd)];
  if (from && to && from.channel === to.channel && older(to.parts, from.parts)) {
    return `a downgrade from ${release.chart.metadata.appVersion} to ${target.linkerd}: Linkerd supports upgrades only (CRD storage versions and proxy protocols move forward); reinstall instead`;
  }
  for (const crd of target.objects.filter(isCrd)) {
    const live = await kube.get<Crd>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    const dropped = (live?.status?.storedVersions ?? []).filter((v) => !crd.spec.versions.some((x) => x.name === v));
    if (dropped.length > 0) {
      return `CustomResourceDefinition ${crd.metadata.name}: objects are stored at ${dropped.join(', ')}, which the target no longer serves; the API server refuses the CRD until they are migrated (upgrade through a release that serves both first)`;
    }
  }
  return undefined;
}

const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet']);

function leafDiff(a: unknown, b: unknown, path: string[] = [], out: string[][] = []): string[][] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) leafDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], [...path, k], out);
  } else if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path);
  return out;
}

const isChecksum = (p: string[]) => p[0] === 'metadata' && p[1] === 'annotations' && p[2]?.startsWith('checksum/');

/**
 * Which workloads roll their pods, and why: the pod-template fields that change, and checksums of
 * certificates Helm generates at render time (new ones at every `helm upgrade`, so the pods roll
 * even when nothing else changes).
 */
export function restartsOf(objects: ObjectDiff[]): Restart[] {
  const out: Restart[] = [];
  for (const d of objects) {
    if (!WORKLOADS.has(d.kind) || d.change === 'added' || d.change === 'removed') continue;
    const generated = (d.generated ?? []).filter((p) => p[0] === 'spec' && p[1] === 'template').map((p) => p.slice(2));
    const [before, after] = [(d.live?.spec as { template?: unknown })?.template, (d.merged?.spec as { template?: unknown })?.template];
    const changed = d.change === 'changed' ? leafDiff(before, after) : [];
    if (changed.length === 0 && generated.length === 0) continue;
    const checksums = changed.filter(isChecksum).map((p) => p[2]);
    const fields = [...new Set(changed.filter((p) => !isChecksum(p)).map((p) => p.slice(0, 4).join('.')))];
    const reasons = [
      ...(checksums.length > 0 ? [`checksum ${[...new Set(checksums)].join(', ')} (configuration it mounts changed)`] : []),
      ...(fields.length > 0 ? [`pod template: ${fields.slice(0, 4).join(', ')}${fields.length > 4 ? ` and ${fields.length - 4} more` : ''}`] : []),
      ...(generated.length > 0 ? [`${[...new Set(generated.map((p) => p.slice(0, 3).join('.')))].join(', ')} covers webhook certificates Helm generates at render time (every helm upgrade makes new ones)`] : []),
    ];
    out.push({ workload: `${d.kind} ${d.namespace}/${d.name}`, reason: reasons.join('; ') });
  }
  return out;
}

/** The plan; refused releases have no objects (nothing of them is dry-run). */
export async function planUpgrade(kube: Kube, releases: HelmRelease[], render: RenderTarget): Promise<UpgradePlan> {
  const plan: UpgradePlan = { releases: [], refusals: [] };
  for (const r of releases) {
    const chart = r.chart.metadata.name;
    const target = await render(chart, r);
    const why = await refusal(kube, r, target);
    if (why) {
      plan.refusals.push({ release: `${r.namespace}/${r.name}`, reason: why });
      continue;
    }
    const objects = await diffObjects(target.objects, { kube, namespace: r.namespace, release: r.name, generated: generatedFields(target.objects, target.again) });
    plan.releases.push({
      release: r.name,
      namespace: r.namespace,
      chart,
      from: { chart: r.chart.metadata.version, linkerd: r.chart.metadata.appVersion, revision: r.version },
      to: { chart: target.chartVersion, linkerd: target.linkerd },
      objects,
      restarts: restartsOf(objects),
    });
  }
  return plan;
}
