/**
 * The linkerd-control-plane chart: linkerd-config, identity, destination (with the policy
 * controller and the validators), the proxy injector and the heartbeat.
 */
import { checkIdentityPems, checkTrustAnchors } from '../certs/identity';
import type { ChartDefinition } from '../helm/chart';
import { valuesFileHeader, type ValuesProblem } from '../values/model';
import { CertManagerObjects, checkCertManagerValues } from './cert-manager';
import { Config } from './config';
import { Destination } from './destination';
import { Heartbeat } from './heartbeat';
import { gitopsValues, haValues } from './presets';
import { Identity } from './identity';
import { PodMonitors, checkPodMonitorValues } from './pod-monitor';
import { ProxyInjector } from './proxy-injector';
import { proxySettingsFromValues } from './proxy-settings';
import { controlPlaneValues, type ControlPlaneValues } from './values';
import { webhookTlsHelmChecks } from '../k8s/webhook-tls';
import { checkWebhookValues } from './webhook';

/** Cross-field rules: certificates must be present, parse, and chain (unless an external CA manages them). */
export function checkControlPlaneValues(values: ControlPlaneValues, now: Date = new Date()): ValuesProblem[] {
  const problems: ValuesProblem[] = [];
  const externalCA = values.identity.externalCA;
  const ownIssuer = values.identity.issuer.scheme === 'linkerd.io/tls' && !externalCA;
  if (!values.identityTrustAnchorsPEM.trim()) {
    problems.push({ key: 'identityTrustAnchorsPEM', message: 'required: the PEM trust anchor(s) of the mesh (see cdk8s-linkerd certs)' });
  }
  if (ownIssuer) {
    if (!values.identity.issuer.tls.crtPEM.trim()) problems.push({ key: 'identity.issuer.tls.crtPEM', message: 'required unless identity.externalCA' });
    if (!values.identity.issuer.tls.keyPEM.trim()) problems.push({ key: 'identity.issuer.tls.keyPEM', message: 'required unless identity.externalCA' });
  }
  if (problems.length === 0 && ownIssuer) {
    problems.push(
      ...checkIdentityPems(
        { trustAnchorsPEM: values.identityTrustAnchorsPEM, issuerCrtPEM: values.identity.issuer.tls.crtPEM, issuerKeyPEM: values.identity.issuer.tls.keyPEM },
        now,
      ),
    );
  } else if (values.identityTrustAnchorsPEM.trim()) {
    // An external CA (cert-manager) or a kubernetes.io/tls issuer: the anchors are still what every proxy trusts.
    problems.push(...checkTrustAnchors(values.identityTrustAnchorsPEM, now));
  }
  problems.push(...checkWebhookValues(values));
  problems.push(...checkCertManagerValues(values), ...checkPodMonitorValues(values));
  if (values.controller.tracing.enabled && !values.controller.tracing.collector.endpoint && !values.proxy.tracing.collector.endpoint) {
    problems.push({ key: 'controller.tracing.collector.endpoint', message: 'required when controller.tracing.enabled (or set proxy.tracing.collector.endpoint)' });
  }
  return problems;
}

export const linkerdControlPlaneChart: ChartDefinition<typeof controlPlaneValues> = {
  name: 'linkerd-control-plane',
  description: 'The Linkerd control plane: identity, destination and policy, the proxy injector, and the proxy configuration every meshed pod gets.',
  keywords: ['service-mesh', 'linkerd'],
  values: controlPlaneValues,
  valuesHeader: valuesFileHeader('linkerd-control-plane', 'src/control-plane/values.ts'),
  readme: [
    '## Install',
    '',
    'Install linkerd-crds first, into the same namespace. The chart needs the identity trust anchor and issuer',
    '(create a pair with `cdk8s-linkerd certs -o certs/`), unless `identity.externalCA` is set:',
    '',
    '```sh',
    'helm install linkerd-control-plane charts/linkerd-control-plane -n linkerd \\',
    '  --set-file identityTrustAnchorsPEM=certs/ca.crt \\',
    '  --set-file identity.issuer.tls.crtPEM=certs/issuer.crt \\',
    '  --set-file identity.issuer.tls.keyPEM=certs/issuer.key',
    '```',
    '',
    'For high availability add `-f charts/linkerd-control-plane/values-ha.yaml`.',
    '',
    'Bad values are refused before anything is installed: the schema checks types, enums and unknown keys,',
    '`templates/validate-values.yaml` the rules between keys, and `cdk8s-linkerd validate linkerd-control-plane`',
    'additionally checks the certificates themselves (P-256, CA flags, chain, validity, key match).',
  ].join('\n'),
  notes: (v) => ['The Linkerd control plane is installed in the ', v.release.namespace, ' namespace.\n'],
  presets: { 'values-ha.yaml': haValues, 'values-gitops.yaml': gitopsValues },
  check: (values) => checkControlPlaneValues(values),
  helmChecks: (v) => {
    const ownIssuer = v.and(v.eq(v.ref('identity.issuer.scheme'), 'linkerd.io/tls'), v.not('identity.externalCA'));
    const empty = (path: 'identityTrustAnchorsPEM' | 'identity.issuer.tls.crtPEM' | 'identity.issuer.tls.keyPEM') => v.not(v.truthy(v.trim(v.ref(path))));
    const checks = [
      { failWhen: empty('identityTrustAnchorsPEM'), message: 'identityTrustAnchorsPEM: required: the PEM trust anchor(s) of the mesh' },
      { failWhen: v.and(ownIssuer, empty('identity.issuer.tls.crtPEM')), message: 'identity.issuer.tls.crtPEM: required unless identity.externalCA' },
      { failWhen: v.and(ownIssuer, empty('identity.issuer.tls.keyPEM')), message: 'identity.issuer.tls.keyPEM: required unless identity.externalCA' },
      {
        failWhen: v.and('controller.tracing.enabled', v.not('controller.tracing.collector.endpoint'), v.not('proxy.tracing.collector.endpoint')),
        message: 'controller.tracing.collector.endpoint: required when controller.tracing.enabled (or set proxy.tracing.collector.endpoint)',
      },
    ];
    for (const s of ['proxyInjector', 'profileValidator', 'policyValidator'] as const) {
      checks.push(...webhookTlsHelmChecks(v, s, { managed: 'certManager.webhooks.enabled' }));
      for (const k of ['crtPEM', 'keyPEM', 'caBundle', 'injectCaFrom', 'injectCaFromSecret'] as const) {
        checks.push({
          failWhen: v.and('certManager.webhooks.enabled', v.truthy(v.ref(`${s}.${k}`))),
          message: `${s}.${k}: cannot be set when certManager.webhooks.enabled (cert-manager issues the certificate and injects its CA)`,
        });
      }
    }
    const externalCA = v.is('identity.externalCA');
    checks.push(
      {
        failWhen: v.and('certManager.identityIssuer.enabled', v.not(externalCA)),
        message: 'certManager.identityIssuer.enabled: needs identity.externalCA: true (cert-manager writes the issuer Secret)',
      },
      {
        failWhen: v.and('certManager.identityIssuer.enabled', v.not(v.eq(v.ref('identity.issuer.scheme'), 'kubernetes.io/tls'))),
        message: 'certManager.identityIssuer.enabled: needs identity.issuer.scheme: kubernetes.io/tls (the Secret cert-manager writes)',
      },
      { failWhen: v.and('trustManager.enabled', v.not(externalCA)), message: 'trustManager.enabled: needs identity.externalCA: true (trust-manager writes linkerd-identity-trust-roots)' },
    );
    return checks;
  },
  build(chart, v) {
    const proxy = proxySettingsFromValues(v);
    new Config(chart, 'config', v);
    new Identity(chart, 'identity', v, proxy);
    new Destination(chart, 'destination', v, proxy);
    new Heartbeat(chart, 'heartbeat', v);
    new ProxyInjector(chart, 'proxy-injector', v, proxy);
    new CertManagerObjects(chart, 'cert-manager', v);
    new PodMonitors(chart, 'pod-monitors', v);
  },
};
