/**
 * Policy helpers a person reaches for: a Server for a workload's port, an
 * AuthorizationPolicy that admits ServiceAccounts, an HTTPRoute to a Service, a
 * ServiceProfile with retries and timeouts. They build the typed custom resources of
 * src/crds (checked against the CRD schemas when created).
 */
import type { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';
import { AuthorizationPolicy, HTTPRoute, MeshTLSAuthentication, Server, ServiceProfile } from '../crds/resources';
import { WORKLOAD_KINDS } from './inject';

type Protocol = 'HTTP/1' | 'HTTP/2' | 'gRPC' | 'opaque' | 'TLS' | 'unknown';

function podLabelsOf(workload: ApiObject): Record<string, string> {
  const kind = WORKLOAD_KINDS[workload.kind];
  const json = workload.toJson() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const labels = kind.template.reduce((o, k) => o?.[k], json)?.metadata?.labels as Record<string, string> | undefined;
  if (!labels || Object.keys(labels).length === 0) throw new Error(`${workload.node.path}: its pod template has no labels to select it by`);
  return labels;
}

function namespaceOf(o: ApiObject): string | undefined {
  return o.metadata.namespace;
}

/** A Server for one port of a workload (selecting its pods by their template labels). */
export function serverForPort(scope: Construct, id: string, o: { workload: ApiObject; port: number | string; proxyProtocol?: Protocol; name?: string }): Server {
  return new Server(scope, id, {
    metadata: { name: o.name ?? id, namespace: namespaceOf(o.workload) },
    spec: { podSelector: { matchLabels: podLabelsOf(o.workload) }, port: o.port, ...(o.proxyProtocol ? { proxyProtocol: o.proxyProtocol } : {}) },
  });
}

/** A ServiceAccount, by name and namespace. */
export interface ServiceAccountRef {
  name: string;
  namespace: string;
}

/**
 * Admits the given ServiceAccounts (over mTLS) to a Server: a MeshTLSAuthentication listing
 * their identities, and an AuthorizationPolicy that requires it.
 */
export function allowServiceAccounts(scope: Construct, id: string, o: { server: Server; serviceAccounts: ServiceAccountRef[] }): AuthorizationPolicy {
  if (o.serviceAccounts.length === 0) throw new Error(`${id}: give at least one ServiceAccount`);
  const namespace = namespaceOf(o.server);
  const authn = new MeshTLSAuthentication(scope, `${id}-clients`, {
    metadata: { name: `${o.server.name}-clients`, namespace },
    spec: { identityRefs: o.serviceAccounts.map((sa) => ({ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace })) },
  });
  return new AuthorizationPolicy(scope, id, {
    metadata: { name: `${o.server.name}-allow`, namespace },
    spec: {
      targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: o.server.name },
      requiredAuthenticationRefs: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: authn.name }],
    },
  });
}

/** An HTTPRoute (policy.linkerd.io) that sends requests for path prefixes of a Service to it, with a timeout. */
export function httpRoute(
  scope: Construct,
  id: string,
  o: { service: { name: string; namespace: string; port: number }; pathPrefixes?: string[]; timeout?: string; name?: string },
): HTTPRoute {
  const prefixes = o.pathPrefixes ?? ['/'];
  const rule = {
    matches: prefixes.map((value) => ({ path: { type: 'PathPrefix' as const, value } })),
    backendRefs: [{ name: o.service.name, port: o.service.port }],
    timeouts: o.timeout ? { request: o.timeout } : {},
  };
  return new HTTPRoute(scope, id, {
    metadata: { name: o.name ?? id, namespace: o.service.namespace },
    spec: {
      parentRefs: [{ group: 'core', kind: 'Service', name: o.service.name, port: o.service.port }],
      rules: [rule],
    },
  });
}

/** A route of a ServiceProfile: a method and path regex, optionally retried and timed out. */
export interface ProfileRoute {
  name: string;
  method?: string;
  pathRegex: string;
  retryable?: boolean;
  timeout?: string;
}

/** A ServiceProfile for a Service: per-route metrics, retries (within a budget) and timeouts. */
export function serviceProfile(
  scope: Construct,
  id: string,
  o: { service: { name: string; namespace: string }; clusterDomain?: string; routes: ProfileRoute[]; retryBudget?: { retryRatio: number; minRetriesPerSecond: number; ttl: string } },
): ServiceProfile {
  return new ServiceProfile(scope, id, {
    metadata: { name: `${o.service.name}.${o.service.namespace}.svc.${o.clusterDomain ?? 'cluster.local'}`, namespace: o.service.namespace },
    spec: {
      routes: o.routes.map((r) => ({
        name: r.name,
        condition: { pathRegex: r.pathRegex, ...(r.method ? { method: r.method } : {}) },
        ...(r.retryable !== undefined ? { isRetryable: r.retryable } : {}),
        ...(r.timeout ? { timeout: r.timeout } : {}),
      })),
      ...(o.retryBudget ? { retryBudget: o.retryBudget } : {}),
    },
  });
}
