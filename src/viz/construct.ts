/** The linkerd-viz chart as a construct for cdk8s apps. */
import type { Construct } from 'constructs';
import { ConcreteChart, type Release, type UserValues } from '../helm/chart';
import { linkerdVizChart } from './chart';
import type { VizValues, vizValues } from './values';

export interface LinkerdVizProps {
  /** Values, as for the Helm chart (all optional). Validated: a bad key throws ValuesError naming it. */
  values?: UserValues<VizValues>;
  /** The extension's namespace. Default `linkerd-viz`. */
  namespace?: string;
}

/**
 * The Linkerd viz extension: Prometheus, the metrics API, tap, the web dashboard and
 * Grafana with the Linkerd dashboards.
 *
 *     new LinkerdViz(app, 'linkerd-viz', { values: { grafana: { enabled: true } } });
 */
export class LinkerdViz extends ConcreteChart<typeof vizValues> {
  constructor(scope: Construct, id: string, props: LinkerdVizProps = {}) {
    const release: Release = { name: id, namespace: props.namespace ?? 'linkerd-viz' };
    super(scope, id, linkerdVizChart, props.values ?? {}, release);
  }
}
