/**
 * The linkerd-control-plane chart: linkerd-config, identity, destination (with the policy
 * controller and the validators), the proxy injector and the heartbeat.
 */
import { checkIdentityPems, checkTrustAnchors } from '../certs/identity';
import type { ChartDefinition } from '../helm/chart';
import { meshedPodSecurity } from '../k8s/namespace';
import { RESOURCE_KINDS, valuesFileHeader, type ValuesProblem } from '../values/model';
import { CertManagerObjects, certManagerRules } from './cert-manager';
import { Config } from './config';
import { Destination } from './destination';
import { Heartbeat } from './heartbeat';
import { gitopsValues, haValues } from './presets';
import { Identity } from './identity';
import { PodMonitors, checkPodMonitorValues } from './pod-monitor';
import { ProxyInjector } from './proxy-injector';
import { proxySettingsFromValues } from './proxy-settings';
import { controlPlaneValues, type ControlPlaneValues } from './values';
import { overriddenRequestRule, rule, type ValuesRule } from '../helm/rules';
import type { CpValues } from './metadata';
import { webhookRules } from './webhook';

/**
 * What only TypeScript can check, once the rules pass: the certificates parse and chain (the
 * trust anchors only, when an external CA or a kubernetes.io/tls issuer provides the issuer),
 * and the PodMonitor namespace selector is a selector.
 */
export function checkControlPlaneValues(values: ControlPlaneValues, now: Date = new Date()): ValuesProblem[] {
  const problems: ValuesProblem[] = [];
  const { issuer } = values.identity;
  const ownIssuer = issuer.scheme === 'linkerd.io/tls' && !values.identity.externalCA;
  if (ownIssuer && values.identityTrustAnchorsPEM.trim() && issuer.tls.crtPEM.trim() && issuer.tls.keyPEM.trim()) {
    problems.push(...checkIdentityPems({ trustAnchorsPEM: values.identityTrustAnchorsPEM, issuerCrtPEM: issuer.tls.crtPEM, issuerKeyPEM: issuer.tls.keyPEM }, now));
  } else if (!ownIssuer && values.identityTrustAnchorsPEM.trim()) {
    // An external CA (cert-manager) or a kubernetes.io/tls issuer: the anchors are still what every proxy trusts.
    problems.push(...checkTrustAnchors(values.identityTrustAnchorsPEM, now));
  }
  return [...problems, ...checkPodMonitorValues(values)];
}

/** The rules between the control plane's keys (each once: src/helm/rules.ts). */
export function controlPlaneRules(v: CpValues): ValuesRule[] {
  const ownIssuer = v.and(v.eq(v.ref('identity.issuer.scheme'), 'linkerd.io/tls'), v.not('identity.externalCA'));
  const empty = (path: 'identityTrustAnchorsPEM' | 'identity.issuer.tls.crtPEM' | 'identity.issuer.tls.keyPEM') => v.not(v.truthy(v.trim(v.ref(path))));
  return [
    rule('identityTrustAnchorsPEM', empty('identityTrustAnchorsPEM'), 'required: the PEM trust anchor(s) of the mesh (see cdk8s-linkerd certs)'),
    rule('identity.issuer.tls.crtPEM', v.and(ownIssuer, empty('identity.issuer.tls.crtPEM')), 'required unless identity.externalCA'),
    rule('identity.issuer.tls.keyPEM', v.and(ownIssuer, empty('identity.issuer.tls.keyPEM')), 'required unless identity.externalCA'),
    rule(
      'controller.tracing.collector.endpoint',
      v.and('controller.tracing.enabled', v.not('controller.tracing.collector.endpoint'), v.not('proxy.tracing.collector.endpoint')),
      'required when controller.tracing.enabled (or set proxy.tracing.collector.endpoint)',
    ),
    ...webhookRules(v),
    ...certManagerRules(v),
    // A control-plane pod's proxy takes each request and limit from its override or from proxy.resources.
    ...(['identityProxyResources', 'destinationProxyResources', 'proxyInjectorProxyResources'] as const).flatMap((o) => RESOURCE_KINDS.map((kind) => overriddenRequestRule(o, 'proxy.resources', kind))),
  ];
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
    'With Argo CD (a Helm-source Application) add the `values-gitops.yaml` preset (`helm.valueFiles`):',
    'with the defaults the chart generates its webhooks\u2019 keys and certificates at each render, and Argo CD renders',
    'at every refresh, so it would find new keys, certificates, CA bundles and `checksum/config` pod annotations',
    'each time, stay OutOfSync and roll the pods at each sync. With the preset cert-manager issues them and two',
    'renders are the same. Patch `argocd-cm` with `dist/argocd/argocd-cm-patch.yaml` for the health of Linkerd\u2019s kinds.',
    '',
    'Bad values are refused before anything is installed: the schema checks types, enums and unknown keys,',
    '`templates/validate-values.yaml` the rules between keys, and `cdk8s-linkerd validate linkerd-control-plane`',
    'additionally checks the certificates themselves (P-256, CA flags, chain, validity, key match).',
  ].join('\n'),
  notes: (v) => {
    const ns = v.release.namespace;
    return [
      'The Linkerd control plane is installed in the ', ns, ' namespace.\n\n',
      'Next steps:\n',
      '1. Check the install: `linkerd check` (the linkerd CLI), or\n',
      '     kubectl -n ', ns, ' rollout status deploy/linkerd-identity deploy/linkerd-destination deploy/linkerd-proxy-injector\n',
      '2. Mesh a workload: annotate its namespace or pod template with linkerd.io/inject=enabled, then restart its pods.\n',
      '3. Add the viz extension (dashboard, metrics, tap) from the same chart repository:\n',
      '     helm install linkerd-viz <repository>/linkerd-viz -n linkerd-viz --create-namespace\n',
      '4. ',
      // Helm has no function that reads a certificate, so the date is read from the Secret.
      v.ternary(
        v.truthy(v.ref('identity.externalCA')),
        'The identity issuer is issued and renewed by cert-manager (identity.externalCA).',
        'Replace the identity issuer certificate (identity.issuer.tls.crtPEM) before it expires; its end date:',
      ),
      '\n',
      v.ternary(
        v.truthy(v.ref('identity.externalCA')),
        '',
        v.fmt`     kubectl -n ${ns} get secret linkerd-identity-issuer -o jsonpath='{.data.crt\\.pem}' | base64 -d | openssl x509 -noout -enddate\n`,
      ),
    ];
  },
  presets: { 'values-ha.yaml': haValues, 'values-gitops.yaml': gitopsValues },
  rules: controlPlaneRules,
  check: (values) => checkControlPlaneValues(values),
  namespace: (values, release) => ({
    labels: {
      'linkerd.io/is-control-plane': 'true',
      'config.linkerd.io/admission-webhooks': 'disabled',
      'linkerd.io/control-plane-ns': release.namespace,
      ...meshedPodSecurity(values.cniEnabled),
    },
    annotations: { 'linkerd.io/inject': 'disabled' },
  }),
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
