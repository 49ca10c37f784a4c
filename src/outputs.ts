/** The generated outputs: Helm charts in charts/ and raw YAML in dist/. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { CHARTS, DIST_CHARTS } from './charts';
import { mergeUserValues, renderObjects, resolveValues, toManifest, writeChart, type RenderedObject } from './helm/chart';

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

/** One dist/ folder: its name, namespace and objects. */
export interface DistFolder {
  folder: string;
  chart: string;
  namespace: string;
  objects: RenderedObject[];
}

/** What dist/ holds: one folder per chart, plus the folders charts split off (certificates). */
export function distFolders(valuesByChart: Record<string, Record<string, unknown>> = {}): DistFolder[] {
  for (const name of Object.keys(valuesByChart)) {
    if (!CHARTS[name]) throw new Error(`values given for unknown chart '${name}'`);
  }
  // Validate everything before rendering anything.
  const resolved = Object.entries(DIST_CHARTS).map(([name, dist]) => [name, dist, resolveValues(CHARTS[name], mergeUserValues(dist.values, valuesByChart[name] ?? {}))] as const);
  return resolved.flatMap(([name, dist, values]) => {
    const objects = renderObjects(CHARTS[name], values, { name, namespace: dist.namespace });
    const split = dist.split;
    if (!split) return [{ folder: name, chart: name, namespace: dist.namespace, objects }];
    const apart = (o: RenderedObject) => split.files.includes(o.file);
    return [
      { folder: split.folder, chart: name, namespace: dist.namespace, objects: objects.filter(apart) },
      { folder: name, chart: name, namespace: dist.namespace, objects: objects.filter((o) => !apart(o)) },
    ];
  });
}

/**
 * Writes the raw manifests of every chart into `dir/<folder>/` with a kustomization.
 * `valuesByChart` gives user values per chart name.
 */
export function writeDist(dir: string, valuesByChart: Record<string, Record<string, unknown>> = {}, progress: Progress = () => {}): string[] {
  const folders = distFolders(valuesByChart);
  return folders.map(({ folder, chart, objects }, i) => {
    const out = join(dir, folder);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, `${chart}.yaml`), toManifest(chart, objects));
    writeFileSync(join(out, 'kustomization.yaml'), dump({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [`${chart}.yaml`] }));
    progress(`[${i + 1}/${folders.length}] dist ${folder}: ${objects.length} objects -> ${out}`);
    return out;
  });
}
