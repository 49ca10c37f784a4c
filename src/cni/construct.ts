/** The linkerd2-cni chart as a construct, its redirect settings taken from the control plane. */
import type { Construct } from 'constructs';
import type { LinkerdControlPlane } from '../control-plane/construct';
import { ConcreteChart, ValuesError, type Release, type UserValues } from '../helm/chart';
import { CNI_NAMESPACE } from './namespace';
import { linkerd2CniChart } from './chart';
import type { CniValues, cniValues } from './values';

export interface LinkerdCniProps {
  /** Values, as for the Helm chart (all optional). Validated: a bad key throws ValuesError naming it. */
  values?: UserValues<CniValues>;
  /** The plugin's namespace (it must allow privileged pods). Default `linkerd-cni`. */
  namespace?: string;
  /**
   * Whether the chart renders its `Namespace` object, labelled as its pods and Linkerd need
   * (Pod Security level, Linkerd's own labels), so that `kubectl apply` of the synthesized app
   * works on a fresh cluster. Set false when something else owns the namespace (Helm's
   * `--create-namespace`, Argo CD's `CreateNamespace=true`, a platform team).
   * @default true
   */
  namespaceObject?: boolean;
  /**
   * The control plane whose proxies the plugin redirects traffic to: the proxy's ports, UID and
   * GID are taken from its values (a given value that differs is refused with ValuesError).
   */
  controlPlane?: LinkerdControlPlane;
}

/** The CNI values that must agree with a control plane's proxy settings. */
export function cniValuesFor(controlPlane: LinkerdControlPlane): UserValues<CniValues> {
  const proxy = controlPlane.resolvedValues.proxy;
  return {
    inboundProxyPort: proxy.ports.inbound,
    outboundProxyPort: proxy.ports.outbound,
    proxyAdminPort: proxy.ports.admin,
    proxyControlPort: proxy.ports.control,
    proxyUID: proxy.uid,
    proxyGID: proxy.gid,
  };
}

/**
 * The Linkerd CNI plugin: a DaemonSet that sets up each meshed pod's redirect to its proxy, so
 * a control plane with `cniEnabled: true` needs no privileged proxy-init.
 *
 *     new LinkerdCni(app, 'linkerd2-cni', { controlPlane });
 */
export class LinkerdCni extends ConcreteChart<typeof cniValues> {
  constructor(scope: Construct, id: string, props: LinkerdCniProps = {}) {
    const release: Release = { name: id, namespace: props.namespace ?? CNI_NAMESPACE };
    const derived = props.controlPlane ? cniValuesFor(props.controlPlane) : {};
    // A redirect setting that disagrees with the proxy's breaks every meshed pod's traffic.
    const given = (props.values ?? {}) as Record<string, unknown>;
    const conflicts = Object.entries(derived).filter(([k, want]) => given[k] !== undefined && given[k] !== null && given[k] !== want);
    if (conflicts.length > 0) {
      throw new ValuesError(
        linkerd2CniChart.name,
        conflicts.map(([k, want]) => ({ key: k, message: `${JSON.stringify(given[k])} disagrees with the control plane's proxy (${JSON.stringify(want)}); leave it out to take the control plane's` })),
      );
    }
    const values = { ...derived, ...props.values } as UserValues<CniValues>;
    super(scope, id, linkerd2CniChart, values, release, { namespaceObject: props.namespaceObject ?? true });
  }
}
