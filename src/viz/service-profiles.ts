/** ServiceProfiles that name the routes of the metrics API and Prometheus (per-route metrics in the dashboard). */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { anyNetwork } from '../extension/policy';
import { extensionLabels } from '../extension/metadata';
import { type Vv } from './metadata';

const route = (method: 'GET' | 'POST', path: string) => ({ name: `${method} ${path}`, condition: { method, pathRegex: path } });

export const METRICS_API_ROUTES = ['StatSummary', 'TopRoutes', 'ListPods', 'ListServices', 'SelfCheck', 'Gateways', 'Edges'].map((r) => route('POST', `/api/v1/${r}`));
export const PROMETHEUS_ROUTES = [route('POST', '/api/v1/query'), route('GET', '/api/v1/query_range'), route('GET', '/api/v1/series')];

export class ServiceProfiles extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'service-profiles.yaml');
    const ns = v.release.namespace;
    const profile = (service: string, routes: unknown[]) =>
      new K8sObject(this, `profile-${service}`, {
        apiVersion: 'linkerd.io/v1alpha2',
        kind: 'ServiceProfile',
        metadata: { name: v.fmt`${service}.${ns}.svc.${v.ref('clusterDomain')}`, namespace: ns, labels: extensionLabels(v) },
        spec: { routes },
      });
    profile('metrics-api', METRICS_API_ROUTES);
    v.when('prometheus.enabled', () => profile('prometheus', PROMETHEUS_ROUTES));
  }
}

/** Who may reach the viz admin ports: the kubelet (probes), from any address. */
export class AdminPolicy extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'admin-policy.yaml');
    anyNetwork(this, v, 'kubelet');
  }
}
