/** The linkerd-crds chart as a construct for cdk8s apps. */
import type { Construct } from 'constructs';
import { ConcreteChart, type Release, type UserValues } from '../helm/chart';
import type { Static } from '../values/model';
import { linkerdCrdsChart, type crdsValues } from './chart';

export type LinkerdCrdsValues = Static<typeof crdsValues>;

export interface LinkerdCrdsProps {
  /** Values, as for the Helm chart (validated; a bad key throws ValuesError naming it). */
  values?: UserValues<LinkerdCrdsValues>;
  /** The control plane's namespace (labels the CRDs). Default `linkerd`. */
  namespace?: string;
}

/**
 * Every CRD that Linkerd's control plane and extensions read:
 *
 *     new LinkerdCrds(app, 'linkerd-crds');
 */
export class LinkerdCrds extends ConcreteChart<typeof crdsValues> {
  constructor(scope: Construct, id: string, props: LinkerdCrdsProps = {}) {
    const release: Release = { name: id, namespace: props.namespace ?? 'linkerd' };
    super(scope, id, linkerdCrdsChart, props.values, release);
  }
}
