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
 * The Linkerd viz extension: Prometheus, the metrics API, tap, the web dashboard and
 * Grafana with the Linkerd dashboards.
 *
 *     new LinkerdViz(app, 'linkerd-viz', { values: { grafana: { enabled: true } } });
 */
export class LinkerdViz extends ConcreteChart<typeof vizValues> {
  constructor(scope: Construct, id: string, props: LinkerdVizProps = {}) {
    const release: Release = { name: id, namespace: props.namespace ?? 'linkerd-viz' };
    super(scope, id, linkerdVizChart, props.values ?? {}, release, { namespaceObject: props.namespaceObject ?? true });
  }
}
