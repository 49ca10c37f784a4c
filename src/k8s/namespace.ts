/**
 * What Linkerd's namespaces need, for the `namespace` rule of each chart definition (rendered
 * as a `Namespace` object by the constructs and dist/, never by the Helm charts).
 */
import type { NamespaceMetadata } from '../helm/chart';

const ENFORCE = 'pod-security.kubernetes.io/enforce';

/**
 * The Pod Security level of a namespace of meshed pods: proxy-init (NET_ADMIN and NET_RAW, as
 * root) is admitted only by "privileged"; with the CNI plugin in its place every pod of ours
 * meets "restricted".
 */
export function meshedPodSecurity(cniEnabled: boolean | undefined): Record<string, string> {
  return { [ENFORCE]: cniEnabled ? 'restricted' : 'privileged' };
}

/** An extension's namespace: `linkerd.io/extension` (read by `linkerd <extension> check`) and its Pod Security level. */
export function extensionNamespace(extension: string, cniEnabled: boolean | undefined, annotations: Record<string, string> = {}): NamespaceMetadata {
  return { labels: { 'linkerd.io/extension': extension, ...meshedPodSecurity(cniEnabled) }, annotations };
}

/**
 * The CNI plugin's namespace: "privileged" (the plugin writes to the nodes' CNI folders through
 * hostPath volumes), never injected, and marked as the plugin's.
 */
export const CNI_NAMESPACE_LABELS: Record<string, string> = {
  'linkerd.io/cni-resource': 'true',
  'config.linkerd.io/admission-webhooks': 'disabled',
  [ENFORCE]: 'privileged',
};
