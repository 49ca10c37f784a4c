/**
 * The linkerd-control-plane chart.
 *
 * Work in progress: the identity component is built; destination, proxy injector,
 * heartbeat and linkerd-config follow. The chart is not yet in CHARTS (so not in
 * charts/ or dist/); tests render it through the same engine.
 */
import { checkIdentityPems } from '../certs/identity';
import type { ChartDefinition } from '../helm/chart';
import { proxySettingsFromValues } from '../proxy/settings';
import type { ValuesProblem } from '../values/model';
import { Config } from './config';
import { Destination } from './destination';
import { Heartbeat } from './heartbeat';
import { Identity } from './identity';
import { ProxyInjector } from './proxy-injector';
import { controlPlaneValues, type ControlPlaneValues } from './values';
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
  }
  problems.push(...checkWebhookValues(values));
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
  valuesHeader: 'Default values for linkerd-control-plane.\nThis file is generated from the TypeScript values model; edit src/control-plane/values.ts instead.',
  readme: 'Install linkerd-crds first, into the same namespace.',
  notes: (v) => ['The Linkerd control plane is installed in the ', v.release.namespace, ' namespace.\n'],
  check: (values) => checkControlPlaneValues(values),
  build(chart, v) {
    const proxy = proxySettingsFromValues(v);
    new Config(chart, 'config', v);
    new Identity(chart, 'identity', v, proxy);
    new Destination(chart, 'destination', v, proxy);
    new Heartbeat(chart, 'heartbeat', v);
    new ProxyInjector(chart, 'proxy-injector', v, proxy);
  },
};
