/**
 * Linkerd policy objects of the extensions: who may reach each extension server. Built
 * against the CRD types of src/crds (the same schemas the tests validate them with).
 */
import type { Construct } from 'constructs';
import { K8sObject } from '../helm/object';
import type { HelmValues } from '../helm/values';
import { asExtension, extensionMeta } from './metadata';

type Ref = { group?: string; kind: string; name: string; namespace?: string };

export function server<V>(scope: Construct, values: HelmValues<V>, o: { name: string; component?: string; podSelector: Record<string, string>; port: string | number; proxyProtocol: 'HTTP/1' | 'HTTP/2' | 'gRPC' | 'TLS' | 'opaque' | 'unknown' }) {
  const v = asExtension(values);
  return new K8sObject(scope, `server-${o.name}`, {
    apiVersion: 'policy.linkerd.io/v1beta3',
    kind: 'Server',
    metadata: extensionMeta(v, o.name, o.component),
    spec: { podSelector: { matchLabels: o.podSelector }, port: o.port, proxyProtocol: o.proxyProtocol },
  });
}

export function authorizationPolicy<V>(scope: Construct, values: HelmValues<V>, o: { name: string; component?: string; server: string; authentications: Ref[] }) {
  const v = asExtension(values);
  return new K8sObject(scope, `authorization-policy-${o.name}`, {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'AuthorizationPolicy',
    metadata: extensionMeta(v, o.name, o.component),
    spec: { targetRef: { group: 'policy.linkerd.io', kind: 'Server', name: o.server }, requiredAuthenticationRefs: o.authentications },
  });
}

/** Clients by mesh identity: ServiceAccounts (`identityRefs`) or identity names (`identities`, `*` for any meshed client). */
export function meshTlsAuthentication<V>(scope: Construct, values: HelmValues<V>, o: { name: string; component?: string; identityRefs?: Ref[]; identities?: string[] }) {
  const v = asExtension(values);
  return new K8sObject(scope, `meshtls-${o.name}`, {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'MeshTLSAuthentication',
    metadata: extensionMeta(v, o.name, o.component),
    spec: { ...(o.identityRefs ? { identityRefs: o.identityRefs } : {}), ...(o.identities ? { identities: o.identities } : {}) },
  });
}

/** Any client address, IPv4 and IPv6 (the kubelet's and the API server's addresses cannot be known in advance). */
export function anyNetwork<V>(scope: Construct, values: HelmValues<V>, name: string) {
  const v = asExtension(values);
  return new K8sObject(scope, `network-${name}`, {
    apiVersion: 'policy.linkerd.io/v1alpha1',
    kind: 'NetworkAuthentication',
    metadata: extensionMeta(v, name),
    spec: { networks: [{ cidr: '0.0.0.0/0' }, { cidr: '::/0' }] },
  });
}
