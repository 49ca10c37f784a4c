/** The linkerd-crds chart as a construct for cdk8s apps. */
import type { Construct } from 'constructs';
import { ConcreteChart, type Release, type UserValues } from '../helm/chart';
import { linkerdCrdsChart, type crdsValues } from './chart';
import type { LinkerdCrdsValues } from './values.generated';

/** The chart's values, generated from its schema (crdsValues) with each key's description and default (npm run synth). */
export type { LinkerdCrdsValues };

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
