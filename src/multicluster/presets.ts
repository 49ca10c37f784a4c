/** Values presets shipped with the linkerd-multicluster chart. */
import type { UserValues } from '../helm/chart';
import type { MulticlusterValues } from './values';

/** High availability, with the same keys and settings as upstream's values-ha.yaml. */
export const multiclusterHaValues = {
  gateway: { replicas: 3 },
  enablePodAntiAffinity: true,
} satisfies UserValues<MulticlusterValues>;
