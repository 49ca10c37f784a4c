/**
 * Typed constructs for Linkerd's custom resources, for cdk8s apps:
 *
 *     new Server(chart, 'web-http', { metadata: { name: 'web-http' }, spec: { podSelector: {...}, port: 'http' } });
 *
 * The spec type comes from the same schema as the CRD, and the spec is checked
 * against that schema when the construct is created: wrong types, missing fields and
 * unknown fields (which the API server would silently drop) throw, naming the path.
 */
import { ApiObject, type ApiObjectMetadata } from 'cdk8s';
import type { Construct } from 'constructs';
import { authorizationPolicyCrd, type AuthorizationPolicySpec } from './authorization-policy';
import { storageVersion, type CrdDefinition } from './definition';
import { egressNetworkCrd, type EgressNetworkSpec } from './egress-network';
import { externalWorkloadCrd, type ExternalWorkloadSpec } from './external-workload';
import { httpLocalRateLimitPolicyCrd, type HTTPLocalRateLimitPolicySpec } from './http-local-ratelimit-policy';
import { httpRouteCrd, type HTTPRouteSpec } from './httproute';
import { linkCrd, type LinkSpec } from './link';
import { meshTlsAuthenticationCrd, type MeshTLSAuthenticationSpec } from './meshtls-authentication';
import { networkAuthenticationCrd, type NetworkAuthenticationSpec } from './network-authentication';
import { serverCrd, type ServerSpec } from './server';
import { serverAuthorizationCrd, type ServerAuthorizationSpec } from './server-authorization';
import { serviceProfileCrd, type ServiceProfileSpec } from './serviceprofile';
import { validateCustomResource } from './validate';

export interface CustomResourceProps<Spec> {
  metadata?: ApiObjectMetadata;
  spec: Spec;
}

export class InvalidCustomResourceError extends Error {
  constructor(kind: string, id: string, problems: string[]) {
    super(`${kind} '${id}' is invalid:\n${problems.map((p) => `  spec.${p.replace(/^spec\./, '')}`).join('\n')}`);
    this.name = 'InvalidCustomResourceError';
  }
}

/** A Linkerd custom resource at the storage version of its CRD. */
export abstract class LinkerdResource<Spec> extends ApiObject {
  readonly spec: Spec;
  protected constructor(scope: Construct, id: string, def: CrdDefinition, props: CustomResourceProps<Spec>) {
    const version = storageVersion(def).name;
    const apiVersion = `${def.group}/${version}`;
    const problems = validateCustomResource(def, version, { apiVersion, kind: def.kind, spec: props.spec }, { unknownFields: 'reject' });
    if (problems.length > 0) throw new InvalidCustomResourceError(def.kind, id, problems);
    super(scope, id, { apiVersion, kind: def.kind, metadata: props.metadata, spec: props.spec });
    this.spec = props.spec;
  }
}

// One class per kind, spelled out (rather than made by a class factory) so that each has its
// own name and docs in the API reference and in editors.

/** A port on a set of workloads that policy attaches to. */
export class Server extends LinkerdResource<ServerSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ServerSpec>) {
    super(scope, id, serverCrd, props);
  }
}
/** Which clients may reach a Server (legacy; prefer AuthorizationPolicy). */
export class ServerAuthorization extends LinkerdResource<ServerAuthorizationSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ServerAuthorizationSpec>) {
    super(scope, id, serverAuthorizationCrd, props);
  }
}
/** Authorizes clients, by authentication, to reach a target. */
export class AuthorizationPolicy extends LinkerdResource<AuthorizationPolicySpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<AuthorizationPolicySpec>) {
    super(scope, id, authorizationPolicyCrd, props);
  }
}
/** Clients identified by their mesh TLS identity. */
export class MeshTLSAuthentication extends LinkerdResource<MeshTLSAuthenticationSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<MeshTLSAuthenticationSpec>) {
    super(scope, id, meshTlsAuthenticationCrd, props);
  }
}
/** Clients identified by their network address. */
export class NetworkAuthentication extends LinkerdResource<NetworkAuthenticationSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<NetworkAuthenticationSpec>) {
    super(scope, id, networkAuthenticationCrd, props);
  }
}
/** A network outside the cluster that meshed workloads may reach. */
export class EgressNetwork extends LinkerdResource<EgressNetworkSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<EgressNetworkSpec>) {
    super(scope, id, egressNetworkCrd, props);
  }
}
/** Rate limits for HTTP traffic to a Server. */
export class HTTPLocalRateLimitPolicy extends LinkerdResource<HTTPLocalRateLimitPolicySpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<HTTPLocalRateLimitPolicySpec>) {
    super(scope, id, httpLocalRateLimitPolicyCrd, props);
  }
}
/** Linkerd's HTTPRoute (policy.linkerd.io). */
export class HTTPRoute extends LinkerdResource<HTTPRouteSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<HTTPRouteSpec>) {
    super(scope, id, httpRouteCrd, props);
  }
}
/** Per-route metrics, retries and timeouts for a service. */
export class ServiceProfile extends LinkerdResource<ServiceProfileSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ServiceProfileSpec>) {
    super(scope, id, serviceProfileCrd, props);
  }
}
/** A workload outside Kubernetes that joins the mesh. */
export class ExternalWorkload extends LinkerdResource<ExternalWorkloadSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<ExternalWorkloadSpec>) {
    super(scope, id, externalWorkloadCrd, props);
  }
}
/** A link to another cluster whose services this cluster mirrors (the Link CRD of the linkerd-multicluster chart). */
export class Link extends LinkerdResource<LinkSpec> {
  constructor(scope: Construct, id: string, props: CustomResourceProps<LinkSpec>) {
    super(scope, id, linkCrd, props);
  }
}
