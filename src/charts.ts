/** The charts this distribution ships, by name. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linkerdControlPlaneChart } from './control-plane/chart';
import { gitopsValues } from './control-plane/presets';
import { linkerdCrdsChart } from './crds/chart';
import type { ChartDefinition } from './helm/chart';
import { linkerdJaegerChart } from './jaeger/chart';
import { linkerdMulticlusterChart } from './multicluster/chart';
import { linkerdMulticlusterLinkChart } from './multicluster/link';
import { linkerdVizChart } from './viz/chart';
import { vizGitopsValues } from './viz/presets';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const CHARTS: Record<string, ChartDefinition<any>> = {
  [linkerdCrdsChart.name]: linkerdCrdsChart,
  [linkerdControlPlaneChart.name]: linkerdControlPlaneChart,
  [linkerdVizChart.name]: linkerdVizChart,
  [linkerdJaegerChart.name]: linkerdJaegerChart,
  [linkerdMulticlusterChart.name]: linkerdMulticlusterChart,
  [linkerdMulticlusterLinkChart.name]: linkerdMulticlusterLinkChart,
};

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

/** The folder of dist/ that holds the control plane's cert-manager and trust-manager objects. */
export const CERTIFICATES_FOLDER = 'linkerd-certificates';

/** The charts rendered into dist/: their namespace and values (GitOps-ready: reproducible, no key). */
export const DIST_CHARTS: Record<string, DistChart> = {
  [linkerdCrdsChart.name]: { namespace: DIST_NAMESPACE, values: {} },
  [linkerdControlPlaneChart.name]: {
    namespace: DIST_NAMESPACE,
    values: { ...gitopsValues, identityTrustAnchorsPEM: EXAMPLE_TRUST_ANCHOR },
    split: { files: ['cert-manager.yaml'], folder: CERTIFICATES_FOLDER },
  },
  [linkerdVizChart.name]: { namespace: 'linkerd-viz', values: vizGitopsValues },
  [linkerdJaegerChart.name]: { namespace: 'linkerd-jaeger', values: {} },
  [linkerdMulticlusterChart.name]: { namespace: 'linkerd-multicluster', values: {} },
};

export function chartNamed(name: string): ChartDefinition {
  const def = CHARTS[name];
  if (!def) throw new UsageError(`unknown chart '${name}' (charts: ${Object.keys(CHARTS).join(', ')})`);
  return def;
}

/** Bad command-line usage (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
