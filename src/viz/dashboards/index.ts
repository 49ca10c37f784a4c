/**
 * The Linkerd Grafana dashboards, written with the Grafana Foundation SDK (one module per
 * dashboard, the panels from ./builders). The web dashboard links to them by uid
 * (`linkerd-<kind>`) with `var-namespace` and `var-<kind>`.
 */
import { authorityDashboard } from './authority';
import { cronjobDashboard } from './cronjob';
import { daemonsetDashboard } from './daemonset';
import { deploymentDashboard } from './deployment';
import { healthDashboard } from './health';
import { jobDashboard } from './job';
import { kubernetesDashboard } from './kubernetes';
import { multiclusterDashboard } from './multicluster';
import { namespaceDashboard } from './namespace';
import { podDashboard } from './pod';
import { prometheusDashboard } from './prometheus';
import { replicasetDashboard } from './replicaset';
import { replicationcontrollerDashboard } from './replicationcontroller';
import { routeDashboard } from './route';
import { serviceDashboard } from './service';
import { statefulsetDashboard } from './statefulset';
import { topLineDashboard } from './top-line';

/** One dashboard as the bundled Grafana provisions it. */
export interface LinkerdDashboard {
  /** Stable uid, `linkerd-<name>`. */
  uid: string;
  title: string;
  /** File name in Grafana's dashboards folder (and key of its ConfigMap): `<name>.json`. */
  file: string;
  /** The dashboard model, as Grafana stores it (JSON-serializable; a new object each call). */
  build(): Record<string, unknown>;
}

/**
 * A dashboard whose uid and title are read from its model when first asked for: importing this
 * module builds nothing (nor loads the SDK, ./builders), which the built package, with the
 * dashboards' JSON prebuilt (src/prebuild.ts), never needs.
 */
function entry(make: () => { build(): { uid?: string; title?: string } }): LinkerdDashboard {
  let named: { uid: string; title: string } | undefined;
  const names = () => {
    if (!named) {
      const { uid, title } = make().build();
      if (!uid?.startsWith('linkerd-') || !title) throw new Error(`dashboard without a linkerd- uid or a title: ${uid}`);
      named = { uid, title };
    }
    return named;
  };
  return {
    get uid() {
      return names().uid;
    },
    get title() {
      return names().title;
    },
    get file() {
      return `${names().uid.slice('linkerd-'.length)}.json`;
    },
    // The SDK's queries carry a marker method; the model Grafana stores is their JSON.
    build: () => JSON.parse(JSON.stringify(make().build())) as Record<string, unknown>,
  };
}

/** Every Linkerd dashboard, the home dashboard (top line) first. */
export const DASHBOARDS: readonly LinkerdDashboard[] = [
  topLineDashboard,
  namespaceDashboard,
  healthDashboard,
  deploymentDashboard,
  daemonsetDashboard,
  statefulsetDashboard,
  jobDashboard,
  cronjobDashboard,
  replicasetDashboard,
  replicationcontrollerDashboard,
  podDashboard,
  serviceDashboard,
  authorityDashboard,
  routeDashboard,
  multiclusterDashboard,
  prometheusDashboard,
  kubernetesDashboard,
].map(entry);

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

/** The dashboard as Grafana's JSON: keys sorted, two-space indent, final newline; byte-reproducible. */
export function dashboardJson(d: LinkerdDashboard): string {
  return `${JSON.stringify(sortKeys(d.build()), null, 2)}\n`;
}
