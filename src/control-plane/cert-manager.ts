/**
 * Certificates managed by cert-manager and trust anchors distributed by trust-manager
 * (our addition): with them the chart renders no private key and no render-time
 * randomness, which is what GitOps output needs.
 *
 * - the identity issuer: a Certificate for Secret `linkerd-identity-issuer`, signed by the
 *   issuer of the trust anchor (`certManager.identityIssuer`);
 * - the webhooks: a Certificate per admission webhook, from the user's issuer or from a
 *   self-signed CA the chart sets up, with cert-manager injecting the CA bundle
 *   (`certManager.webhooks`);
 * - the trust roots: a trust-manager Bundle that writes `linkerd-identity-trust-roots`
 *   into the release namespace (`trustManager`).
 */
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import type { IBundle } from '@kubernetes-models/cert-manager/trust.cert-manager.io/v1alpha1/Bundle';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import type { ValuesProblem } from '../values/model';
import { componentLabels, createdBy, meta, type CpValues } from './metadata';
import type { ControlPlaneValues } from './values';
import type { WebhookSection } from './webhook';

type CertificateSpec = ICertificate['spec'];
type IssuerSpec = NonNullable<IIssuer['spec']>;
type BundleSpec = IBundle['spec'];

/** The webhooks whose certificates cert-manager can issue: section → Service (= Certificate name). */
export const WEBHOOK_SERVICES: Record<WebhookSection, { service: string; component: string }> = {
  proxyInjector: { service: 'linkerd-proxy-injector', component: 'proxy-injector' },
  profileValidator: { service: 'linkerd-sp-validator', component: 'destination' },
  policyValidator: { service: 'linkerd-policy-validator', component: 'destination' },
};

const WEBHOOK_CA = 'linkerd-webhook-ca';
const WEBHOOK_ISSUER = 'linkerd-webhook-issuer';
const WEBHOOK_SELF_SIGNED = 'linkerd-webhook-selfsigned';
const ECDSA = { algorithm: 'ECDSA' as const, size: 256, rotationPolicy: 'Always' as const };

/** The Secret each webhook serves its certificate from (upstream's names). */
export function webhookSecretName(section: WebhookSection): string {
  return `${WEBHOOK_SERVICES[section].service}-k8s-tls`;
}

export class CertManagerObjects extends Component {
  constructor(scope: Construct, id: string, v: CpValues) {
    super(scope, id, 'cert-manager.yaml');
    const ns = v.release.namespace;

    const certificate = (name: string, component: string, spec: CertificateSpec) =>
      new K8sObject(this, `certificate-${name}`, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: meta(v, name, component), spec });
    const issuer = (name: string, spec: IssuerSpec) =>
      new K8sObject(this, `issuer-${name}`, { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta(v, name, 'webhook-ca'), spec });

    v.when('certManager.identityIssuer.enabled', () => {
      const ref = v.section('certManager.identityIssuer');
      const name = v.fmt`identity.${ns}.${v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain'))}`;
      certificate('linkerd-identity-issuer', 'identity', {
        secretName: 'linkerd-identity-issuer',
        duration: ref.duration,
        renewBefore: ref.renewBefore,
        issuerRef: { name: ref.issuerRef.name, kind: ref.issuerRef.kind, group: ref.issuerRef.group },
        commonName: name,
        dnsNames: [name],
        isCA: true,
        privateKey: ECDSA,
        usages: ['cert sign', 'crl sign', 'server auth', 'client auth'],
      });
    });

    v.when('certManager.webhooks.enabled', () => {
      const w = v.section('certManager.webhooks');
      const own = v.not(v.truthy(w.issuerRef.name));
      v.when(own, () => {
        issuer(WEBHOOK_SELF_SIGNED, { selfSigned: {} });
        certificate(WEBHOOK_CA, 'webhook-ca', {
          secretName: WEBHOOK_CA,
          commonName: v.fmt`webhook-ca.${ns}.svc`,
          isCA: true,
          duration: '87600h0m0s',
          renewBefore: '8760h0m0s',
          privateKey: ECDSA,
          issuerRef: { name: WEBHOOK_SELF_SIGNED, kind: 'Issuer', group: 'cert-manager.io' },
        });
        issuer(WEBHOOK_ISSUER, { ca: { secretName: WEBHOOK_CA } });
      });
      for (const { service, component } of Object.values(WEBHOOK_SERVICES)) {
        const host = v.fmt`${service}.${ns}.svc`;
        certificate(service, component, {
          secretName: `${service}-k8s-tls`,
          duration: w.duration,
          renewBefore: w.renewBefore,
          issuerRef: {
            name: v.ternary(own, WEBHOOK_ISSUER, w.issuerRef.name),
            kind: v.ternary(own, 'Issuer', w.issuerRef.kind),
            group: v.ternary(own, 'cert-manager.io', w.issuerRef.group),
          },
          commonName: host,
          dnsNames: [host],
          isCA: false,
          privateKey: { ...ECDSA, encoding: 'PKCS8' },
          usages: ['server auth'],
        });
      }
    });

    v.when('trustManager.enabled', () => {
      const spec: BundleSpec = {
        sources: [{ secret: { name: v.ref('trustManager.source.secret.name'), key: v.ref('trustManager.source.secret.key') } }],
        target: {
          configMap: { key: 'ca-bundle.crt' },
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
        },
      };
      new K8sObject(this, 'trust-roots-bundle', {
        apiVersion: 'trust.cert-manager.io/v1alpha1',
        kind: 'Bundle',
        // A Bundle is cluster-scoped; its name is the ConfigMap's name in every target namespace.
        metadata: { name: 'linkerd-identity-trust-roots', labels: componentLabels(v, 'identity'), annotations: createdBy(v) },
        spec,
      });
    });
  }
}

/** How the cert-manager and trust-manager settings must fit the identity settings. */
export function checkCertManagerValues(values: ControlPlaneValues): ValuesProblem[] {
  const problems: ValuesProblem[] = [];
  const { identity } = values;
  if (values.certManager.identityIssuer.enabled) {
    if (!identity.externalCA) problems.push({ key: 'certManager.identityIssuer.enabled', message: 'needs identity.externalCA: true (cert-manager writes the issuer Secret)' });
    if (identity.issuer.scheme !== 'kubernetes.io/tls') {
      problems.push({ key: 'certManager.identityIssuer.enabled', message: 'needs identity.issuer.scheme: kubernetes.io/tls (the Secret cert-manager writes)' });
    }
  }
  if (values.trustManager.enabled && !identity.externalCA) {
    problems.push({ key: 'trustManager.enabled', message: 'needs identity.externalCA: true (trust-manager writes linkerd-identity-trust-roots)' });
  }
  if (values.certManager.webhooks.enabled) {
    for (const section of Object.keys(WEBHOOK_SERVICES) as WebhookSection[]) {
      for (const key of ['crtPEM', 'keyPEM', 'caBundle', 'injectCaFrom', 'injectCaFromSecret'] as const) {
        if (values[section][key]) problems.push({ key: `${section}.${key}`, message: 'cannot be set when certManager.webhooks.enabled (cert-manager issues the certificate and injects its CA)' });
      }
    }
  }
  return problems;
}
