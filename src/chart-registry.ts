/**
 * The charts this distribution ships, by name, each loaded when it is asked for: a command on
 * one chart loads that chart's modules only (docs/performance.md). `CHARTS` in charts.ts holds
 * the same definitions, loaded together; test/chart-registry.test.ts keeps the two lists equal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitopsValues } from './control-plane/presets';
import type { ChartDefinition } from './helm/chart';
import { vizGitopsValues } from './viz/presets';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Each chart's definition, loaded on first call (Node's module cache keeps it). */
export const CHART_LOADERS: Record<string, () => Promise<ChartDefinition<any>>> = {
  'linkerd-crds': async () => (await import('./crds/chart')).linkerdCrdsChart,
  'linkerd-control-plane': async () => (await import('./control-plane/chart')).linkerdControlPlaneChart,
  'linkerd-viz': async () => (await import('./viz/chart')).linkerdVizChart,
  'linkerd-jaeger': async () => (await import('./jaeger/chart')).linkerdJaegerChart,
  'linkerd2-cni': async () => (await import('./cni/chart')).linkerd2CniChart,
  'linkerd-multicluster': async () => (await import('./multicluster/chart')).linkerdMulticlusterChart,
  'linkerd-multicluster-link': async () => (await import('./multicluster/link')).linkerdMulticlusterLinkChart,
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The chart names, in the order the outputs list them. */
export const CHART_NAMES = Object.keys(CHART_LOADERS);

/** The chart named `name`, loaded; a UsageError naming the charts when there is none. */
export async function loadChart(name: string): Promise<ChartDefinition> {
  const load = Object.hasOwn(CHART_LOADERS, name) ? CHART_LOADERS[name] : undefined;
  if (!load) throw new UsageError(`unknown chart '${name}' (charts: ${CHART_NAMES.join(', ')})`);
  return load();
}

/** Bad command-line usage (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * An example trust anchor for dist/: a public certificate whose private key was discarded
 * when it was made, so nothing can be signed with it. Render your own dist with your
 * anchor: `cdk8s-linkerd synth -f my-values.yaml`.
 */
export const EXAMPLE_TRUST_ANCHOR = readFileSync(join(__dirname, '..', 'examples', 'identity', 'example-trust-anchor.crt'), 'utf8');

/** This project's repository: dist/argocd/ deploys dist/ from it, as an example. */
export const EXAMPLE_REPO = 'https://github.com/cdk8s-linkerd/cdk8s-linkerd.git';

/** The namespace of the control plane (and of the CRDs' release) in dist/. */
export const DIST_NAMESPACE = 'linkerd';

export interface DistChart {
  namespace: string;
  values: Record<string, unknown>;
  /** Objects of these template files go to another dist folder (deployed before the chart). */
  split?: { files: string[]; folder: string };
}

/** The namespace of the CNI plugin (upstream's `linkerd install-cni` default). */
export const CNI_NAMESPACE = 'linkerd-cni';

/** The folder of dist/ that holds the control plane's cert-manager and trust-manager objects. */
export const CERTIFICATES_FOLDER = 'linkerd-certificates';

/** The charts rendered into dist/: their namespace and values (GitOps-ready: reproducible, no key). */
export const DIST_CHARTS: Record<string, DistChart> = {
  'linkerd-crds': { namespace: DIST_NAMESPACE, values: {} },
  'linkerd-control-plane': {
    namespace: DIST_NAMESPACE,
    values: { ...gitopsValues, identityTrustAnchorsPEM: EXAMPLE_TRUST_ANCHOR },
    split: { files: ['cert-manager.yaml'], folder: CERTIFICATES_FOLDER },
  },
  'linkerd-viz': { namespace: 'linkerd-viz', values: vizGitopsValues },
  'linkerd-jaeger': { namespace: 'linkerd-jaeger', values: {} },
  'linkerd2-cni': { namespace: CNI_NAMESPACE, values: {} },
  'linkerd-multicluster': { namespace: 'linkerd-multicluster', values: {} },
};
