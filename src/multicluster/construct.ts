/** The linkerd-multicluster chart as a construct. */
import type { Construct } from 'constructs';
import type { LinkerdControlPlane } from '../control-plane/construct';
import { ConcreteChart, type Release, type UserValues } from '../helm/chart';
import { linkerdMulticlusterChart } from './chart';
import type { MulticlusterValues, multiclusterValues } from './values';

export interface LinkerdMulticlusterProps {
  /** Values, as for the Helm chart (all optional). Validated: a bad key throws ValuesError naming it. */
  values?: UserValues<MulticlusterValues>;
  /** The extension's namespace. Default `linkerd-multicluster`. */
  namespace?: string;
  /**
   * Whether the chart renders its `Namespace` object, labelled as its pods and Linkerd need
   * (Pod Security level, Linkerd's own labels), so that `kubectl apply` of the synthesized app
   * works on a fresh cluster. Set false when something else owns the namespace (Helm's
   * `--create-namespace`, Argo CD's `CreateNamespace=true`, a platform team).
   * @default true
   */
  namespaceObject?: boolean;
  /** The control plane of this cluster: its namespace and trust domain name the gateway identity. */
  controlPlane?: LinkerdControlPlane;
}

/**
 * Multi-cluster communication: the gateway, the Link CRD, the local service mirror and the
 * ServiceAccount that linked clusters read this cluster with.
 *
 *     new LinkerdMulticluster(app, 'linkerd-multicluster', { controlPlane });
 */
export class LinkerdMulticluster extends ConcreteChart<typeof multiclusterValues> {
  constructor(scope: Construct, id: string, props: LinkerdMulticlusterProps = {}) {
    const release: Release = { name: id, namespace: props.namespace ?? 'linkerd-multicluster' };
    const cp = props.controlPlane;
    const values = {
      ...(cp ? { linkerdNamespace: cp.release.namespace, identityTrustDomain: cp.resolvedValues.identityTrustDomain || cp.resolvedValues.clusterDomain } : {}),
      ...props.values,
    } as UserValues<MulticlusterValues>;
    super(scope, id, linkerdMulticlusterChart, values, release, { namespaceObject: props.namespaceObject ?? true });
  }
}
