/** The linkerd-jaeger chart as a construct, wired into the control plane and viz. */
import type { Construct } from 'constructs';
import type { LinkerdControlPlane } from '../control-plane/construct';
import { ConcreteChart, type Release, type UserValues } from '../helm/chart';
import { linkerdJaegerChart } from './chart';
import type { JaegerValues, jaegerValues } from './values';
import { tracingValues, vizJaegerValues } from './wiring';

export interface LinkerdJaegerProps {
  /** Values, as for the Helm chart (all optional). Validated: a bad key throws ValuesError naming it. */
  values?: UserValues<JaegerValues>;
  /** The extension's namespace. Default `linkerd-jaeger`. */
  namespace?: string;
  /**
   * Whether the chart renders its `Namespace` object, labelled as its pods and Linkerd need
   * (Pod Security level, Linkerd's own labels), so that `kubectl apply` of the synthesized app
   * works on a fresh cluster. Set false when something else owns the namespace (Helm's
   * `--create-namespace`, Argo CD's `CreateNamespace=true`, a platform team).
   * @default true
   */
  namespaceObject?: boolean;
  /** The control plane whose proxies (and controllers) should send spans to the collector. */
  controlPlane?: LinkerdControlPlane;
  /** The viz extension whose dashboard should link to Jaeger (and may open its UI). */
  viz?: TracedViz;
}

/** What LinkerdJaeger needs of the viz extension (a `LinkerdViz`): its release, and the dashboard's Jaeger link set. */
export interface TracedViz {
  readonly release: Release;
  addValues(values: ReturnType<typeof vizJaegerValues>): void;
}

/**
 * Distributed tracing: an OpenTelemetry collector and Jaeger. Given the control plane, it
 * turns on the proxies' tracing pointed at the collector with the collector's mesh
 * identity; given viz, it sets the dashboard's Jaeger link.
 *
 *     new LinkerdJaeger(app, 'linkerd-jaeger', { controlPlane, viz });
 */
export class LinkerdJaeger extends ConcreteChart<typeof jaegerValues> {
  constructor(scope: Construct, id: string, props: LinkerdJaegerProps = {}) {
    const release: Release = { name: id, namespace: props.namespace ?? 'linkerd-jaeger' };
    const values = {
      ...(props.controlPlane ? { linkerdNamespace: props.controlPlane.release.namespace } : {}),
      ...(props.viz ? { vizNamespace: props.viz.release.namespace } : {}),
      ...props.values,
    } as UserValues<JaegerValues>;
    super(scope, id, linkerdJaegerChart, values, release, { namespaceObject: props.namespaceObject ?? true });
    const target = { namespace: release.namespace, clusterDomain: this.resolvedValues.clusterDomain };
    props.controlPlane?.addValues(tracingValues(target));
    props.viz?.addValues(vizJaegerValues(target));
  }
}
