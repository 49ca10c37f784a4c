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
import type { IBundle } from '@kubernetes-models/cert-manager/trust.cert-manager.io/v1alpha1/Bundle';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { ECDSA_P256, certificate, servingCertificates } from '../k8s/cert-manager';
import { rule, type ValuesRule } from '../helm/rules';
import { componentLabels, createdBy, meta, type CpValues } from './metadata';
import type { WebhookSection } from './webhook';

type BundleSpec = IBundle['spec'];

/** The webhooks whose certificates cert-manager can issue: section → Service (= Certificate name). */
export const WEBHOOK_SERVICES: Record<WebhookSection, { service: string; component: string }> = {
  proxyInjector: { service: 'linkerd-proxy-injector', component: 'proxy-injector' },
  profileValidator: { service: 'linkerd-sp-validator', component: 'destination' },
  policyValidator: { service: 'linkerd-policy-validator', component: 'destination' },
};

export class CertManagerObjects extends Component {
  constructor(scope: Construct, id: string, v: CpValues) {
    super(scope, id, 'cert-manager.yaml');
    const ns = v.release.namespace;

    v.when('certManager.identityIssuer.enabled', () => {
      const ref = v.section('certManager.identityIssuer');
      const name = v.fmt`identity.${ns}.${v.orElse(v.ref('identityTrustDomain'), v.ref('clusterDomain'))}`;
      certificate(this, meta(v, 'linkerd-identity-issuer', 'identity'), {
        secretName: 'linkerd-identity-issuer',
        duration: ref.duration,
        renewBefore: ref.renewBefore,
        issuerRef: { name: ref.issuerRef.name, kind: ref.issuerRef.kind, group: ref.issuerRef.group },
        commonName: name,
        dnsNames: [name],
        isCA: true,
        privateKey: ECDSA_P256,
        usages: ['cert sign', 'crl sign', 'server auth', 'client auth'],
      });
    });

    v.when('certManager.webhooks.enabled', () => {
      const w = v.section('certManager.webhooks');
      servingCertificates(this, v, {
        prefix: 'linkerd-webhook',
        issuerRef: w.issuerRef,
        duration: w.duration,
        renewBefore: w.renewBefore,
        meta: (name, component) => meta(v, name, component),
        services: Object.values(WEBHOOK_SERVICES),
      });
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
export function certManagerRules(v: CpValues): ValuesRule[] {
  const noExternalCA = v.not('identity.externalCA');
  return [
    rule('certManager.identityIssuer.enabled', v.and('certManager.identityIssuer.enabled', noExternalCA), 'needs identity.externalCA: true (cert-manager writes the issuer Secret)'),
    rule(
      'certManager.identityIssuer.enabled',
      v.and('certManager.identityIssuer.enabled', v.not(v.eq(v.ref('identity.issuer.scheme'), 'kubernetes.io/tls'))),
      'needs identity.issuer.scheme: kubernetes.io/tls (the Secret cert-manager writes)',
    ),
    rule('trustManager.enabled', v.and('trustManager.enabled', noExternalCA), 'needs identity.externalCA: true (trust-manager writes linkerd-identity-trust-roots)'),
  ];
}
