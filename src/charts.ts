/** The charts this distribution ships, by name. */
import { linkerdControlPlaneChart } from './control-plane/chart';
import { linkerdCrdsChart } from './crds/chart';
import type { ChartDefinition } from './helm/chart';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const CHARTS: Record<string, ChartDefinition<any>> = {
  [linkerdCrdsChart.name]: linkerdCrdsChart,
  [linkerdControlPlaneChart.name]: linkerdControlPlaneChart,
};

/**
 * The charts rendered into dist/ and their values. The control plane joins when its
 * GitOps preset (cert-manager for every certificate, no key in the output) exists.
 */
export const DIST_CHARTS: Record<string, Record<string, unknown>> = {
  [linkerdCrdsChart.name]: {},
};

/** The namespace `dist/` renders each chart into. */
export const DIST_NAMESPACE = 'linkerd';

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
