/**
 * The control plane's admission-webhook certificates (proxy injector, sp-validator,
 * policy-validator): upstream's modes (src/k8s/webhook-tls.ts) plus ours, cert-manager
 * Certificates rendered by the chart (certManager.webhooks).
 */
import type { Construct } from 'constructs';
import { K8sObject } from '../helm/object';
import type { ValuesRule } from '../helm/rules';
import { serviceCertificate, webhookTlsRules, type WebhookCertificate } from '../k8s/webhook-tls';
import { meta, type CpValues } from './metadata';

export type WebhookSection = 'proxyInjector' | 'profileValidator' | 'policyValidator';

/** The certificate a webhook serves with: generated per render unless given or issued by cert-manager. */
export function webhookCertificate(v: CpValues, section: WebhookSection, service: string): WebhookCertificate {
  return serviceCertificate(v, `${section}Cert`, v.section(section), service, 'certManager.webhooks.enabled');
}

/** The TLS Secret of a webhook (unless externalSecret). */
export function webhookSecret(scope: Construct, v: CpValues, cert: WebhookCertificate, name: string, component: string): void {
  v.when(v.not(cert.tls.externalSecret), () => {
    new K8sObject(scope, `${name}-secret`, {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: meta(v, name, component),
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': cert.crt, 'tls.key': cert.key },
    });
  });
}

/** The rules on each webhook's certificate settings (upstream's, and none given when cert-manager issues them). */
export function webhookRules(v: CpValues): ValuesRule[] {
  return (['proxyInjector', 'profileValidator', 'policyValidator'] as const).flatMap((section) => webhookTlsRules(v, section, { managed: 'certManager.webhooks.enabled' }));
}
