/** The linkerd-control-plane chart as a construct for cdk8s apps. */
import type { Construct } from 'constructs';
import { ConcreteChart, type Release, type UserValues } from '../helm/chart';
import { linkerdControlPlaneChart } from './chart';
import type { ControlPlaneValues, controlPlaneValues } from './values';

export interface LinkerdControlPlaneProps {
  /**
   * Values, as for the Helm chart: at least the identity trust anchor and issuer
   * (`identityTrustAnchorsPEM`, `identity.issuer.tls.crtPEM`/`keyPEM`) unless
   * `identity.externalCA`. Validated: a bad key throws ValuesError naming it.
   */
  values: UserValues<ControlPlaneValues>;
  /** The control plane's namespace. Default `linkerd`. */
  namespace?: string;
  /**
   * Whether the chart renders its `Namespace` object, labelled as its pods and Linkerd need
   * (Pod Security level, Linkerd's own labels), so that `kubectl apply` of the synthesized app
   * works on a fresh cluster. Set false when something else owns the namespace (Helm's
   * `--create-namespace`, Argo CD's `CreateNamespace=true`, a platform team).
   * @default true
   */
  namespaceObject?: boolean;
}

/**
 * The Linkerd control plane: identity, destination and policy, the proxy injector, the
 * heartbeat and linkerd-config.
 *
 *     new LinkerdControlPlane(app, 'linkerd-control-plane', { values: { identityTrustAnchorsPEM, identity: { issuer: { tls: { crtPEM, keyPEM } } } } });
 */
export class LinkerdControlPlane extends ConcreteChart<typeof controlPlaneValues> {
  constructor(scope: Construct, id: string, props: LinkerdControlPlaneProps) {
    const release: Release = { name: id, namespace: props.namespace ?? 'linkerd' };
    super(scope, id, linkerdControlPlaneChart, props.values, release, { namespaceObject: props.namespaceObject ?? true });
  }
}
