/** How the control plane and viz are set up to use linkerd-jaeger (values for those charts). */
import type { ControlPlaneValues } from '../control-plane/values';
import type { UserValues } from '../helm/chart';
import { collectorEndpoint, PORTS } from './config';

export interface TracingTarget {
  /** Namespace of linkerd-jaeger. */
  namespace: string;
  clusterDomain?: string;
}

/** Control-plane values that send the proxies' (and controllers') spans to the collector, over mTLS to its mesh identity. */
export function tracingValues({ namespace, clusterDomain = 'cluster.local' }: TracingTarget): UserValues<ControlPlaneValues> {
  const endpoint = collectorEndpoint(namespace, clusterDomain);
  return {
    proxy: { tracing: { enabled: true, collector: { endpoint, meshIdentity: { serviceAccountName: 'collector', namespace } } } },
    controller: { tracing: { enabled: true, collector: { endpoint } } },
  };
}

/** Viz values that link the dashboard to the Jaeger UI. */
export function vizJaegerValues({ namespace }: TracingTarget) {
  return { jaegerUrl: `jaeger.${namespace}:${PORTS.ui}` };
}
