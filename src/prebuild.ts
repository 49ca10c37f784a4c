/**
 * The prebuilt data of the built package (src/helm/prebuilt.ts): what every process would
 * otherwise compute from the package's own code, written by scripts/prebuild.mjs into
 * lib/prebuilt/ after tsc (`npm run build`):
 * - every chart's cross-field rules (`valuesRules`), which take a template-mode build of the
 *   chart to find (the owned keys of user maps, the size of annotations), and the file name of its
 *   values validator (a digest of the schema's JSON text);
 * - linkerd-viz's Grafana dashboards as JSON, which the Grafana Foundation SDK builds.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHARTS } from './charts';
import { prebuiltChart } from './helm/chart';
import { toPrebuilt } from './helm/prebuilt';
import { PREBUILT_DASHBOARDS, dashboardFiles } from './viz/grafana';

/** The prebuilt data, by name, as it is computed from the code (never read from an earlier build). */
export function prebuiltData(): Map<string, unknown> {
  const data = new Map<string, unknown>();
  for (const def of Object.values(CHARTS)) data.set(def.name, prebuiltChart(def));
  data.set(PREBUILT_DASHBOARDS, dashboardFiles());
  return data;
}

/** Writes the prebuilt data into `dir` (emptied first); returns the files written. */
export function writePrebuilt(dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  // Computed with no folder in place, so that nothing is read from an earlier build.
  const data = prebuiltData();
  mkdirSync(dir, { recursive: true });
  return [...data].map(([name, value]) => {
    const file = join(dir, `${name}.json`);
    // Renamed into place: a process reading the folder meets a whole file or none (then computes).
    writeFileSync(`${file}.${process.pid}`, `${JSON.stringify(toPrebuilt(value, name))}\n`);
    renameSync(`${file}.${process.pid}`, file);
    return file;
  });
}
