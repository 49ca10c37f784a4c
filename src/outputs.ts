/** The generated outputs: Helm charts in charts/ and raw YAML in dist/. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { CHARTS, DIST_CHARTS } from './charts';
import { mergeUserValues, renderObjects, resolveValues, toManifest, writeChart } from './helm/chart';

export type Progress = (line: string) => void;

/** Writes every Helm chart into `dir` (one folder per chart). */
export function writeCharts(dir: string, progress: Progress = () => {}): string[] {
  const names = Object.keys(CHARTS);
  return names.map((name, i) => {
    const out = writeChart(CHARTS[name], dir);
    progress(`[${i + 1}/${names.length}] chart ${name} -> ${out}`);
    return out;
  });
}

/**
 * Writes the raw manifests of every chart into `dir/<chart>/` with a kustomization.
 * `valuesByChart` gives user values per chart name.
 */
export function writeDist(dir: string, valuesByChart: Record<string, Record<string, unknown>> = {}, progress: Progress = () => {}): string[] {
  for (const name of Object.keys(valuesByChart)) {
    if (!CHARTS[name]) throw new Error(`values given for unknown chart '${name}'`);
  }
  // Validate everything before writing anything.
  const resolved = Object.entries(DIST_CHARTS).map(
    ([name, dist]) => [name, CHARTS[name], resolveValues(CHARTS[name], mergeUserValues(dist.values, valuesByChart[name] ?? {})), dist.namespace] as const,
  );
  const names = resolved.map(([n]) => n);
  return resolved.map(([name, def, values, namespace], i) => {
    const folder = join(dir, name);
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const objects = renderObjects(def, values, { name, namespace });
    writeFileSync(join(folder, `${name}.yaml`), toManifest(name, objects));
    writeFileSync(join(folder, 'kustomization.yaml'), dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [`${name}.yaml`] }));
    progress(`[${i + 1}/${names.length}] dist ${name}: ${objects.length} objects -> ${folder}`);
    return folder;
  });
}
