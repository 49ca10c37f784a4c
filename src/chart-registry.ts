/**
 * The charts this distribution ships, by name, each loaded when it is asked for: a command on
 * one chart loads that chart's modules only (docs/performance.md). `CHARTS` in charts.ts holds
 * the same definitions, loaded together; test/chart-registry.test.ts keeps the two lists equal.
 * Presets that tie one chart to another are registered here, where the charts are put
 * together, so that no chart's module imports another extension's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CNI_NAMESPACE } from './cni/namespace';
import { gitopsValues } from './control-plane/presets';
import type { TObject } from '@sinclair/typebox';
import type { ChartDefinition } from './helm/chart';
import type * as JaegerWiring from './jaeger/wiring';
import { vizGitopsValues } from './viz/presets';

/**
 * Presets of a chart that come from another chart: the control plane's proxies traced by
 * linkerd-jaeger in its default namespace. linkerd-jaeger's module is given, not imported here:
 * loading it builds linkerd-jaeger's values schema, which naming the charts or rendering another
 * chart does not need (docs/performance.md).
 */
const REGISTERED_PRESETS: Record<string, (jaeger: typeof JaegerWiring) => Record<string, Record<string, unknown>>> = {
  'linkerd-control-plane': (jaeger) => ({ 'values-tracing.yaml': jaeger.tracingValues({ namespace: 'linkerd-jaeger' }) }),
};

const assembled = new WeakMap<object, object>();

/** The chart as it ships: its own presets and those registered for it (the same object on every call). */
export function withRegisteredPresets<S extends TObject>(def: ChartDefinition<S>, jaeger: typeof JaegerWiring): ChartDefinition<S> {
  const extra = REGISTERED_PRESETS[def.name];
  if (!extra) return def;
  const shipped = (assembled.get(def) as ChartDefinition<S> | undefined) ?? { ...def, presets: { ...def.presets, ...extra(jaeger) } };
  assembled.set(def, shipped);
  return shipped;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Each chart's definition, loaded on first call (Node's module cache keeps it). */
export const CHART_LOADERS: Record<string, () => Promise<ChartDefinition<any>>> = {
  'gateway-api-crds': async () => (await import('./gateway-api/chart')).gatewayApiCrdsChart,
  'linkerd-crds': async () => (await import('./crds/chart')).linkerdCrdsChart,
  'linkerd-control-plane': async () => withRegisteredPresets((await import('./control-plane/chart')).linkerdControlPlaneChart, await import('./jaeger/wiring')),
  'linkerd-viz': async () => (await import('./viz/chart')).linkerdVizChart,
  'linkerd-jaeger': async () => (await import('./jaeger/chart')).linkerdJaegerChart,
  'linkerd2-cni': async () => (await import('./cni/chart')).linkerd2CniChart,
  'linkerd-multicluster': async () => (await import('./multicluster/chart')).linkerdMulticlusterChart,
  'linkerd-multicluster-link': async () => (await import('./multicluster/link')).linkerdMulticlusterLinkChart,
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The chart names, in the order the outputs list them. */
export const CHART_NAMES = Object.keys(CHART_LOADERS);

/** A chart name this distribution does not ship (the command's usage error, exit code 2). */
export class UnknownChartError extends Error {
  constructor(readonly chart: string) {
    super(`unknown chart '${chart}' (charts: ${CHART_NAMES.join(', ')})`);
    this.name = 'UnknownChartError';
  }
}

/** The chart named `name`, loaded; an UnknownChartError naming the charts when there is none. */
export async function loadChart(name: string): Promise<ChartDefinition> {
  const load = Object.hasOwn(CHART_LOADERS, name) ? CHART_LOADERS[name] : undefined;
  if (!load) throw new UnknownChartError(name);
  return load();
}

/**
 * An example trust anchor for dist/: a public certificate whose private key was discarded
 * when it was made, so nothing can be signed with it. Read on first use, not when this module
 * loads. Render your own dist with your anchor: `cdk8s-linkerd synth -f my-values.yaml`.
 */
export function exampleTrustAnchor(): string {
  return readFileSync(join(__dirname, '..', 'examples', 'identity', 'example-trust-anchor.crt'), 'utf8');
}

/** This project's repository: dist/argocd/ deploys dist/ from it, as an example. */
export const EXAMPLE_REPO = 'https://github.com/cdk8s-linkerd/cdk8s-linkerd.git';

export { CNI_NAMESPACE };

/** The namespace of the control plane (and of the CRDs' release) in dist/. */
export const DIST_NAMESPACE = 'linkerd';

export interface DistChart {
  namespace: string;
  values: Record<string, unknown>;
  /**
   * Objects of these template files, and the release's Namespace object when `namespace` is set,
   * go to another dist folder (deployed before the chart).
   */
  split?: { files: string[]; namespace?: boolean; folder: string };
}

/** The folder of dist/ that holds the control plane's cert-manager and trust-manager objects. */
export const CERTIFICATES_FOLDER = 'linkerd-certificates';

let controlPlaneDistValues: Record<string, unknown> | undefined;

/** The charts rendered into dist/: their namespace and values (GitOps-ready: reproducible, no key). */
export const DIST_CHARTS: Record<string, DistChart> = {
  /** Cluster-scoped objects only; the namespace is where Argo CD's Application points. */
  'gateway-api-crds': { namespace: DIST_NAMESPACE, values: {} },
  'linkerd-crds': { namespace: DIST_NAMESPACE, values: {} },
  'linkerd-control-plane': {
    namespace: DIST_NAMESPACE,
    /** GitOps values with the example trust anchor, read when first asked for. */
    get values() {
      return (controlPlaneDistValues ??= { ...gitopsValues, identityTrustAnchorsPEM: exampleTrustAnchor() });
    },
    // The namespace goes with the certificates, the first folder applied into it.
    split: { files: ['cert-manager.yaml'], namespace: true, folder: CERTIFICATES_FOLDER },
  },
  'linkerd-viz': { namespace: 'linkerd-viz', values: vizGitopsValues },
  'linkerd-jaeger': { namespace: 'linkerd-jaeger', values: {} },
  'linkerd2-cni': { namespace: CNI_NAMESPACE, values: {} },
  'linkerd-multicluster': { namespace: 'linkerd-multicluster', values: {} },
};
