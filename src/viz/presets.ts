/** Values presets shipped with the linkerd-viz chart. */
import type { UserValues } from '../helm/chart';
import type { VizValues } from './values';

const haResources = { cpu: { limit: '', request: '100m' }, memory: { limit: '250Mi', request: '50Mi' } };

/** High availability, with the same keys and settings as upstream's values-ha.yaml. */
export const vizHaValues = {
  enablePodAntiAffinity: true,
  enablePodDisruptionBudget: true,
  tap: { replicas: 3, resources: haResources },
  dashboard: { resources: haResources },
  prometheus: { resources: { cpu: { limit: '', request: '300m' }, memory: { limit: '8192Mi', request: '300Mi' } } },
} satisfies UserValues<VizValues>;

/**
 * GitOps: no certificate or key generated at render time, so every render gives the same
 * bytes and the output holds no secret — cert-manager issues the tap and tap-injector
 * certificates (from a self-signed CA the chart sets up) and injects their CA bundles.
 */
export const vizGitopsValues = {
  certManager: { enabled: true },
} satisfies UserValues<VizValues>;
