/**
 * The Linkerd Grafana dashboards, written with the Grafana Foundation SDK. The web
 * dashboard links to them by uid (`linkerd-<kind>`) with `var-namespace` and `var-<kind>`.
 */
import { healthDashboard, namespaceDashboard, topLineDashboard } from './mesh';
import { authorityDashboard, podDashboard, routeDashboard, serviceDashboard } from './traffic';
import { WORKLOAD_KINDS, workloadDashboard } from './workloads';

export interface LinkerdDashboard {
  uid: string;
  title: string;
  /** File name in Grafana's dashboards folder (and key of its ConfigMap). */
  file: string;
  /** The dashboard model, as Grafana stores it. */
  build(): Record<string, unknown>;
}

function entry(file: string, make: () => { build(): unknown }): LinkerdDashboard {
  const model = make().build() as { uid: string; title: string };
  return { uid: model.uid, title: model.title, file, build: () => make().build() as unknown as Record<string, unknown> };
}

export const DASHBOARDS: readonly LinkerdDashboard[] = [
  entry('top-line.json', topLineDashboard),
  entry('namespace.json', namespaceDashboard),
  entry('health.json', healthDashboard),
  ...WORKLOAD_KINDS.map((k) => entry(`${k.kind}.json`, () => workloadDashboard(k))),
  entry('pod.json', podDashboard),
  entry('service.json', serviceDashboard),
  entry('authority.json', authorityDashboard),
  entry('route.json', routeDashboard),
];

/** Keys sorted at every level, so that the same dashboard always gives the same bytes. */
function sortKeys(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(sortKeys);
  if (x !== null && typeof x === 'object') {
    return Object.fromEntries(
      Object.keys(x)
        .sort()
        .map((k) => [k, sortKeys((x as Record<string, unknown>)[k])]),
    );
  }
  return x;
}

/** The dashboard as Grafana's JSON, deterministic. */
export function dashboardJson(d: LinkerdDashboard): string {
  return `${JSON.stringify(sortKeys(d.build()), null, 2)}\n`;
}
