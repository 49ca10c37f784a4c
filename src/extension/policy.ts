/**
 * Linkerd policy objects of the extensions: who may reach each extension server. Built
 * against the CRD types of src/crds (the same schemas the tests validate them with).
 */
import type { Construct } from 'constructs';
import { K8sObject } from '../helm/object';
import { extensionMeta, type Ev } from './metadata';

type Ref = { group?: string; kind: string; name: string; namespace?: string };

export function server(scope: Construct, v: Ev, o: { name: string; component?: string; podSelector: Record<string, string>; port: string | number; proxyProtocol: 'HTTP/1' | 'HTTP/2' | 'gRPC' | 'TLS' | 'opaque' | 'unknown' }) {
  return new K8sObject(scope, `server-${o.name}`, {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: extensionMeta(v, o.name, o.component),
    spec: { podSelector: { matchLabels: o.podSelector }, port: o.port, proxyProtocol: o.proxyProtocol },
  });
}

export function authorizationPolicy(scope: Construct, v: Ev, o: { name: string; component?: string; server: string; authentications: Ref[] }) {
  return new K8sObject(scope, `authorization-policy-${o.name}`, {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: extensionMeta(v, o.name, o.component),
    spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: o.server }, requiredAuthenticationRefs: o.authentications },
  });
}

/** Clients by mesh identity: ServiceAccounts (`identityRefs`) or identity names (`identities`, `*` for any meshed client). */
export function meshTlsAuthentication(scope: Construct, v: Ev, o: { name: string; component?: string; identityRefs?: Ref[]; identities?: string[] }) {
  return new K8sObject(scope, `meshtls-${o.name}`, {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'MeshTLSAuthentication',
    metadata: extensionMeta(v, o.name, o.component),
    spec: { ...(o.identityRefs ? { identityRefs: o.identityRefs } : {}), ...(o.identities ? { identities: o.identities } : {}) },
  });
}

/** Any client address, IPv4 and IPv6 (the kubelet's and the API server's addresses cannot be known in advance). */
export function anyNetwork(scope: Construct, v: Ev, name: string) {
  return new K8sObject(scope, `network-${name}`, {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'NetworkAuthentication',
    metadata: extensionMeta(v, name),
    spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
  });
}
