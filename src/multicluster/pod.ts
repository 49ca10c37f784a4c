/** What the service mirrors (the local one and each link's) have in common. */
import type { HelmValues } from '../helm/values';

/**
 * The pod metadata of a service mirror: meshed, evictable, its proxy stopping with it, then the
 * user's pod annotations; `linkerd.io/extension` and the selector labels, then the user's pod labels.
 */
export function serviceMirrorPodMetadata<V>(v: HelmValues<V>, selector: Record<string, string>, user: { annotations: Record<string, string>; labels: Record<string, string> }) {
  return {
    annotations: {
      'linkerd.io/inject': 'enabled',
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
      'config.alpha.linkerd.io/proxy-wait-before-exit-seconds': '0',
      ...v.spreadMap(user.annotations),
    },
    labels: { ...v.owned({ 'linkerd.io/extension': 'multicluster', ...selector }), ...v.spreadMap(user.labels) },
  };
}
