/** The whole mesh in one construct: CRDs, the CNI plugin, control plane, viz, jaeger and multicluster, wired together. */
import { Construct } from 'constructs';
import { LinkerdCni } from '../cni/construct';
import type { CniValues } from '../cni/values';
import { LinkerdControlPlane } from '../control-plane/construct';
import type { ControlPlaneValues } from '../control-plane/values';
import { LinkerdCrds, type LinkerdCrdsValues } from '../crds/construct';
import type { UserValues } from '../helm/chart';
import { LinkerdJaeger } from '../jaeger/construct';
import type { JaegerValues } from '../jaeger/values';
import { LinkerdMulticluster } from '../multicluster/construct';
import type { MulticlusterValues } from '../multicluster/values';
import { LinkerdViz } from '../viz/construct';
import type { VizValues } from '../viz/values';

export interface LinkerdMeshProps {
  /**
   * Control-plane values: at least the identity (`identityTrustAnchorsPEM`, and the issuer
   * `identity.issuer.tls` unless `identity.externalCA`).
   */
  controlPlane: UserValues<ControlPlaneValues>;
  crds?: UserValues<LinkerdCrdsValues>;
  /** Viz values, or false for no viz. Default: viz with its defaults. */
  viz?: UserValues<VizValues> | false;
  /** Jaeger values, or false for no tracing. Default: no tracing. */
  jaeger?: UserValues<JaegerValues> | false;
  /**
   * CNI plugin values, or false for none. Default: the plugin when the control plane has
   * `cniEnabled: true`. Given (even `{}`), the control plane gets `cniEnabled: true`.
   */
  cni?: UserValues<CniValues> | false;
  /** linkerd-multicluster values, or false for none. Default: no multicluster. */
  multicluster?: UserValues<MulticlusterValues> | false;
  namespaces?: { controlPlane?: string; viz?: string; jaeger?: string; cni?: string; multicluster?: string };
  /** The cluster's DNS domain, given to every chart. Default `cluster.local`. */
  clusterDomain?: string;
  /**
   * Whether each chart renders its `Namespace` object with the labels its pods and Linkerd
   * need (Pod Security "privileged" where proxy-init or the CNI plugin run, "restricted" in
   * CNI mode; `linkerd.io/is-control-plane`, `linkerd.io/extension`, …). Set false when
   * something else creates the namespaces.
   * @default true
   */
  namespaceObjects?: boolean;
}

/**
 * Linkerd with its extensions. The cross-chart settings are done here: every chart gets the
 * same cluster domain and the control plane's namespace; with jaeger, the proxies trace to
 * its collector and the dashboard links to it; with `cniEnabled` (or `cni`), the CNI plugin
 * is installed with the control plane's proxy ports and UID.
 *
 *     new LinkerdMesh(app, 'mesh', { controlPlane: { identityTrustAnchorsPEM, identity: { issuer: { tls } } }, jaeger: {} });
 */
export class LinkerdMesh extends Construct {
  readonly crds: LinkerdCrds;
  readonly controlPlane: LinkerdControlPlane;
  readonly viz?: LinkerdViz;
  readonly jaeger?: LinkerdJaeger;
  readonly cni?: LinkerdCni;
  readonly multicluster?: LinkerdMulticluster;

  constructor(scope: Construct, id: string, props: LinkerdMeshProps) {
    super(scope, id);
    const ns = { controlPlane: 'linkerd', viz: 'linkerd-viz', jaeger: 'linkerd-jaeger', multicluster: 'linkerd-multicluster', ...props.namespaces };
    const clusterDomain = props.clusterDomain ?? 'cluster.local';
    const namespaceObject = props.namespaceObjects ?? true;
    this.crds = new LinkerdCrds(this, 'linkerd-crds', { values: props.crds });
    // The CNI plugin replaces proxy-init: cniEnabled implies it, and asking for it implies cniEnabled.
    const cniEnabled = props.controlPlane.cniEnabled;
    if (props.cni !== undefined && props.cni !== false && cniEnabled === false) {
      throw new Error('LinkerdMesh: cni is given but controlPlane.cniEnabled is false; the CNI plugin replaces proxy-init, so set cniEnabled: true (or leave it out)');
    }
    const withCni = props.cni !== false && (props.cni !== undefined || cniEnabled === true);
    this.controlPlane = new LinkerdControlPlane(this, 'linkerd-control-plane', {
      namespace: ns.controlPlane,
      namespaceObject,
      values: { ...props.controlPlane, clusterDomain, ...(withCni ? { cniEnabled: true } : {}) } as UserValues<ControlPlaneValues>,
    });
    if (withCni) {
      this.cni = new LinkerdCni(this, 'linkerd2-cni', { namespace: ns.cni, namespaceObject, values: props.cni || {}, controlPlane: this.controlPlane });
    }
    // cniEnabled also sets the extensions' namespaces to Pod Security "restricted".
    const common = { clusterDomain, linkerdNamespace: ns.controlPlane, ...(withCni ? { cniEnabled: true } : {}) };
    if (props.viz !== false) {
      this.viz = new LinkerdViz(this, 'linkerd-viz', { namespace: ns.viz, namespaceObject, values: { ...props.viz, ...common } as UserValues<VizValues> });
    }
    if (props.jaeger !== undefined && props.jaeger !== false) {
      this.jaeger = new LinkerdJaeger(this, 'linkerd-jaeger', {
        namespace: ns.jaeger,
        namespaceObject,
        values: { ...props.jaeger, ...common } as UserValues<JaegerValues>,
        controlPlane: this.controlPlane,
        viz: this.viz,
      });
    }
    if (props.multicluster !== undefined && props.multicluster !== false) {
      this.multicluster = new LinkerdMulticluster(this, 'linkerd-multicluster', { namespace: ns.multicluster, namespaceObject, values: { ...props.multicluster, ...(withCni ? { cniEnabled: true } : {}) }, controlPlane: this.controlPlane });
    }
  }
}
