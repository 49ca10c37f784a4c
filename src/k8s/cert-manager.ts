/**
 * cert-manager objects shared by the charts: Certificates and Issuers built against the
 * types of cert-manager's own CRDs (@kubernetes-models/cert-manager), and the serving
 * certificates of webhooks and API services — from a given issuer, or from a self-signed
 * CA the chart sets up in the release namespace.
 */
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import type { Construct } from 'constructs';
import { K8sObject, type ObjectProps } from '../helm/object';
import type { HelmValues } from '../helm/values';

export type CertificateSpec = ICertificate['spec'];
export type IssuerSpec = NonNullable<IIssuer['spec']>;
type Metadata = ObjectProps['metadata'];

export const ECDSA_P256 = { algorithm: 'ECDSA' as const, size: 256, rotationPolicy: 'Always' as const };

export function certificate(scope: Construct, metadata: Metadata, spec: CertificateSpec): K8sObject {
  return new K8sObject(scope, `certificate-${metadata.name}`, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata, spec });
}

export function issuer(scope: Construct, metadata: Metadata, spec: IssuerSpec): K8sObject {
  return new K8sObject(scope, `issuer-${metadata.name}`, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata, spec });
}

export interface IssuerRef {
  name: string;
  kind: string;
  group: string;
}

export interface ServingCertificates {
  /** Names the chart's own CA objects start with (`<prefix>-selfsigned`, `-ca`, `-issuer`). */
  prefix: string;
  /** The user's issuer; an empty name means: set up the chart's own self-signed CA. */
  issuerRef: IssuerRef;
  duration: string;
  renewBefore: string;
  /** Metadata of the objects, by name and component. */
  meta(name: string, component: string): Metadata;
  /** One Certificate per service: named after it, Secret `<service>-k8s-tls`, DNS name `<service>.<namespace>.svc`. */
  services: { service: string; component: string }[];
}

/**
 * Serving certificates for webhooks and API services. cert-manager's CA injection
 * (`cert-manager.io/inject-ca-from: <namespace>/<service>`) then fills their CA bundles.
 */
export function servingCertificates<V>(scope: Construct, v: HelmValues<V>, o: ServingCertificates): void {
  const ns = v.release.namespace;
  const own = v.not(v.truthy(o.issuerRef.name));
  const [selfSigned, ca, caIssuer] = ['selfsigned', 'ca', 'issuer'].map((s) => `${o.prefix}-${s}`);
  v.when(own, () => {
    issuer(scope, o.meta(selfSigned, 'webhook-ca'), { selfSigned: {} });
    certificate(scope, o.meta(ca, 'webhook-ca'), {
      secretName: ca,
      commonName: v.fmt`${ca}.${ns}.svc`,
      isCA: true,
      duration: '87600h0m0s',
      renewBefore: '8760h0m0s',
      privateKey: ECDSA_P256,
      issuerRef: { name: selfSigned, kind: 'Issuer', group: 'cert-manager.io' },
    });
    issuer(scope, o.meta(caIssuer, 'webhook-ca'), { ca: { secretName: ca } });
  });
  for (const { service, component } of o.services) {
    const host = v.fmt`${service}.${ns}.svc`;
    certificate(scope, o.meta(service, component), {
      secretName: `${service}-k8s-tls`,
      duration: o.duration,
      renewBefore: o.renewBefore,
      issuerRef: {
        name: v.ternary(own, caIssuer, o.issuerRef.name),
        kind: v.ternary(own, 'Issuer', o.issuerRef.kind),
        group: v.ternary(own, 'cert-manager.io', o.issuerRef.group),
      },
      commonName: host,
      dnsNames: [host],
      isCA: false,
      privateKey: { ...ECDSA_P256, encoding: 'PKCS8' },
      usages: ['server auth'],
    });
  }
}
