/** Pod-spec pieces every Linkerd chart uses the same way. */

/** The service-account token, mounted by hand (automountServiceAccountToken is off). */
export const KUBE_API_ACCESS_VOLUME = {
  name: 'kube-api-access',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
      { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
    ],
  },
};
export const KUBE_API_ACCESS_MOUNT = { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: 'kube-api-access', readOnly: true };

/** Replicas of a component on different nodes (required) and zones (preferred), selected by `labelKey: component`. */
export function podAntiAffinity(labelKey: string, component: string) {
  const selector = { matchExpressions: [{ key: labelKey, operator: 'In', values: [component] }] };
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ podAffinityTerm: { labelSelector: selector, topologyKey: 'topology.kubernetes.io/zone' }, weight: 100 }],
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: selector, topologyKey: 'kubernetes.io/hostname' }],
    },
  };
}
