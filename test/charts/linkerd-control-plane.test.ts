import { linkerdControlPlaneChart } from '../../src/control-plane/chart';
import { gitopsValues, haValues } from '../../src/control-plane/presets';
import { checkPodMonitorValues } from '../../src/control-plane/pod-monitor';
import { controlPlaneValues, type ControlPlaneValues } from '../../src/control-plane/values';
import { coalesce, defaultsOf } from '../../src/values/model';
import { describeChart } from '../support/chart-suite';
import { IDENTITY_VALUES, identityPem } from '../fixtures/identity';

const defaults = defaultsOf(controlPlaneValues) as ControlPlaneValues;


/** What only TypeScript checks (parsing), which random text fails; the rules repair the rest (repairByRules). */
function repairParsed(user: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(user);
  // Random text can never be a trust anchor (it is parsed, also with identity.externalCA): keep the base's.
  delete out.identityTrustAnchorsPEM;
  const selector = (out.podMonitor as { controller?: { namespaceSelector?: string } } | undefined)?.controller;
  if (selector?.namespaceSelector !== undefined && checkPodMonitorValues(coalesce(defaults, { podMonitor: { controller: selector } }) as ControlPlaneValues).length > 0) {
    selector.namespaceSelector = `matchNames: [${JSON.stringify(selector.namespaceSelector)}]`;
  }
  return out;
}

describeChart(linkerdControlPlaneChart, {
  baseValues: IDENTITY_VALUES,
  maskGenerated: true,
  repair: repairParsed,
  presets: {
    'values-ha.yaml': haValues,
    'cniEnabled=true': { cniEnabled: true },
    'external CA': { identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } } },
    'values-gitops.yaml': gitopsValues,
    'CPU and memory as YAML numbers, durations in each grammar': {
      proxy: { resources: { cpu: { request: 0.1, limit: 1 }, memory: { request: 20971520, limit: '250Mi' } }, shutdownGracePeriod: '30s', outboundConnectTimeout: '2s', control: { streams: { lifetime: '1d' } } },
      policyController: { resources: { cpu: { request: 0.05 } } },
      destinationProxyResources: { cpu: { limit: '2' } },
      identity: { issuer: { issuanceLifetime: '12h30m', clockSkewAllowance: '1.5m' } },
      podMonitor: { enabled: true, scrapeInterval: '1m30s', scrapeTimeout: '30s' },
      networkValidator: { timeout: '1m' },
    },
    'PodMonitors': { podMonitor: { enabled: true, labels: { release: 'prometheus' }, controller: { namespaceSelector: 'any: true\n' } } },
    'cert-manager with our own issuers': {
      identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } },
      certManager: {
        identityIssuer: { enabled: true, issuerRef: { name: 'vault', kind: 'Issuer', group: 'cert-manager.io' } },
        webhooks: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
      },
    },
  },
  randomRuns: 200,
  badValues: [
    // Values that reach the API server (issue 24): one rule each, in the values model.
    { name: 'a cluster domain with a newline (would break out of args and URLs)', values: { clusterDomain: 'cluster\nlocal' }, key: 'clusterDomain' },
    { name: 'a cluster domain that is not a DNS name', values: { clusterDomain: 'Cluster_Local!' }, key: 'clusterDomain' },
    { name: 'cluster networks with a bad prefix and a word', values: { clusterNetworks: '10.0.0.0/33,foo' }, key: 'clusterNetworks' },
    { name: 'cluster networks with an IPv6 prefix above 128', values: { clusterNetworks: '10.0.0.0/8,fd00::/129' }, key: 'clusterNetworks' },
    { name: 'an image tag with a space and a bang', values: { linkerdVersion: 'bad tag!' }, key: 'linkerdVersion' },
    { name: 'an image tag starting with a colon', values: { proxy: { image: { version: ':latest' } } }, key: 'proxy.image.version' },
    { name: 'an image repository with capitals and a space', values: { controllerImage: 'Cr.L5D.io/Bad Image' }, key: 'controllerImage' },
    { name: 'a label value of 64 characters', values: { commonLabels: { team: 'a'.repeat(64) } }, key: 'commonLabels.team' },
    { name: 'a label value with a space', values: { podLabels: { team: 'bad value!' } }, key: 'podLabels.team' },
    { name: 'a label key with a space', values: { commonLabels: { 'bad key!': 'x' } }, key: 'commonLabels.bad key!' },
    { name: 'an annotation key with two slashes', values: { podAnnotations: { 'a/b/c': 'x' } }, key: 'podAnnotations.a/b/c' },
    { name: 'an annotation value above 256 KiB', values: { podAnnotations: { big: 'x'.repeat(256 * 1024 + 1) } }, key: 'podAnnotations.big' },
    { name: 'a nodeSelector value with a slash', values: { nodeSelector: { disk: 'ssd/fast' } }, key: 'nodeSelector.disk' },
    { name: 'a config reader namespace that is not a DNS label', values: { configReaders: [{ name: 'r', namespace: 'Team_A' }] }, key: 'configReaders.0.namespace' },
    { name: 'no trust anchors', values: { identityTrustAnchorsPEM: '' }, key: 'identityTrustAnchorsPEM' },
    { name: 'no issuer certificate', values: { identity: { issuer: { tls: { crtPEM: '' } } } }, key: 'identity.issuer.tls.crtPEM' },
    { name: 'no issuer key', values: { identity: { issuer: { tls: { keyPEM: ' ' } } } }, key: 'identity.issuer.tls.keyPEM' },
    { name: 'an issuer key that is not PEM', values: { identity: { issuer: { tls: { keyPEM: 'secret' } } } }, key: 'identity.issuer.tls.keyPEM', helm: false },
    { name: 'trust anchors that are not PEM', values: { identityTrustAnchorsPEM: 'not a certificate' }, key: 'identityTrustAnchorsPEM' },
    { name: 'garbage trust anchors with values-gitops.yaml', values: { ...gitopsValues, identityTrustAnchorsPEM: 'garbage' }, key: 'identityTrustAnchorsPEM' },
    {
      name: 'a PEM-shaped but unparseable trust anchor with an external CA',
      values: { identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } }, identityTrustAnchorsPEM: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      key: 'identityTrustAnchorsPEM',
      helm: false,
    },
    { name: 'a trust domain that is not a DNS name', values: { identityTrustDomain: 'Bad Domain!' }, key: 'identityTrustDomain' },
    { name: 'an issuer signed by another anchor', values: { identityTrustAnchorsPEM: identityPem('issuer.crt') }, key: 'identity', helm: false },
    { name: 'a string for replicas', values: { controllerReplicas: 'three' }, key: 'controllerReplicas' },
    { name: 'zero replicas', values: { controllerReplicas: 0 }, key: 'controllerReplicas' },
    { name: 'a port out of range', values: { proxy: { ports: { admin: 70000 } } }, key: 'admin' },
    { name: 'a negative port', values: { proxy: { ports: { inbound: -1 } } }, key: 'inbound' },
    { name: 'a bad webhook failure policy', values: { webhookFailurePolicy: 'Sometimes' }, key: 'webhookFailurePolicy' },
    { name: 'a bad proxy log format', values: { proxy: { logFormat: 'xml' } }, key: 'logFormat' },
    { name: 'a bad controller log level', values: { controllerLogLevel: 'loud' }, key: 'controllerLogLevel' },
    { name: 'a bad issuer scheme', values: { identity: { issuer: { scheme: 'x509' } } }, key: 'scheme' },
    { name: 'an unknown top-level key', values: { proxyy: {} }, key: 'proxyy' },
    { name: 'an unknown nested key', values: { proxy: { image: { tag: 'x' } } }, key: 'tag' },
    { name: 'an unknown deep key', values: { identity: { issuer: { tls: { cert: 'x' } } } }, key: 'cert' },
    { name: 'a bad duration', values: { proxy: { outboundConnectTimeout: 'soon' } }, key: 'outboundConnectTimeout' },
    { name: 'a bad port list', values: { proxy: { opaquePorts: '25;587' } }, key: 'opaquePorts' },
    { name: 'a bad quantity', values: { proxy: { resources: { cpu: { request: 'lots' } } } }, key: 'request' },
    { name: 'a boolean as a string', values: { cniEnabled: 'true' }, key: 'cniEnabled' },
    { name: 'a CPU ratio above 1', values: { proxy: { runtime: { workers: { maximumCPURatio: 1.5 } } } }, key: 'maximumCPURatio' },
    { name: 'a config reader without namespace', values: { configReaders: [{ name: 'x' }] }, key: 'namespace' },
    { name: 'a tuning key sprig cannot snake-case', values: { proxy: { inbound: { server: { http2: { a1b: '1s' } } } } }, key: 'a1b' },
    { name: 'both cert-manager injections', values: { proxyInjector: { externalSecret: true, injectCaFrom: 'a/b', injectCaFromSecret: 'a/c' } }, key: 'proxyInjector.injectCaFromSecret' },
    { name: 'an external webhook secret without a CA', values: { profileValidator: { externalSecret: true } }, key: 'profileValidator.externalSecret' },
    { name: 'CA injection without an external secret', values: { policyValidator: { injectCaFrom: 'linkerd/x' } }, key: 'policyValidator.externalSecret' },
    { name: 'controller tracing without an endpoint', values: { controller: { tracing: { enabled: true } } }, key: 'controller.tracing.collector.endpoint' },
    {
      name: 'PodMonitor selector with template text beyond release facts',
      values: { podMonitor: { enabled: true, controller: { namespaceSelector: 'matchNames: [{{ .Values.x }}]' } } },
      key: 'podMonitor.controller.namespaceSelector',
      helm: false,
    },
    { name: 'PodMonitor selector that is not a selector', values: { podMonitor: { controller: { namespaceSelector: '- linkerd' } } }, key: 'podMonitor.controller.namespaceSelector', helm: false },
    { name: 'a cert-manager identity issuer without externalCA', values: { certManager: { identityIssuer: { enabled: true } } }, key: 'certManager.identityIssuer.enabled' },
    {
      name: 'a cert-manager identity issuer with the linkerd.io/tls scheme',
      values: { identity: { externalCA: true }, certManager: { identityIssuer: { enabled: true } } },
      key: 'certManager.identityIssuer.enabled',
    },
    { name: 'a trust-manager Bundle without externalCA', values: { trustManager: { enabled: true } }, key: 'trustManager.enabled' },
    { name: 'cert-manager webhooks with a given certificate', values: { certManager: { webhooks: { enabled: true } }, proxyInjector: { crtPEM: 'x', keyPEM: 'y' } }, key: 'proxyInjector.crtPEM' },
    { name: 'a bad issuer kind', values: { certManager: { webhooks: { issuerRef: { kind: 'Vault' } } } }, key: 'kind' },
    { name: 'a bad certificate duration', values: { certManager: { identityIssuer: { duration: '2 days' } } }, key: 'duration' },
    { name: 'a PodSecurityPolicy (gone since Kubernetes 1.25)', values: { enablePSP: true }, key: 'enablePSP' },
    { name: 'a tracing label with a line break', values: { proxy: { tracing: { labels: { a: 'x\ny' } } } }, key: 'labels' },
    { name: 'a grace period with text in front (unanchored pattern)', values: { proxy: { shutdownGracePeriod: 'hello 5s' } }, key: 'shutdownGracePeriod' },
    { name: 'a day unit Go refuses (issuance lifetime)', values: { identity: { issuer: { issuanceLifetime: '1d' } } }, key: 'issuanceLifetime' },
    { name: 'a day unit Go refuses (clock skew)', values: { identity: { issuer: { clockSkewAllowance: '1d' } } }, key: 'clockSkewAllowance' },
    { name: 'a day unit Go refuses (cert-manager)', values: { certManager: { webhooks: { renewBefore: '30d' } } }, key: 'renewBefore' },
    { name: 'a fraction the proxy refuses', values: { proxy: { outboundConnectTimeout: '1.5s' } }, key: 'outboundConnectTimeout' },
    { name: 'a sequence the proxy refuses', values: { proxy: { control: { streams: { lifetime: '1h30m' } } } }, key: 'lifetime' },
    { name: 'a number without unit for the network validator', values: { networkValidator: { timeout: '10' } }, key: 'timeout' },
    { name: 'a fraction Prometheus refuses', values: { podMonitor: { scrapeInterval: '1.5s' } }, key: 'scrapeInterval' },
    { name: 'a negative CPU request as a number', values: { proxy: { resources: { cpu: { request: -0.1 } } } }, key: 'request' },
    { name: 'a negative memory limit', values: { policyController: { resources: { memory: { limit: '-1Gi' } } } }, key: 'limit' },
    { name: 'a bad override quantity', values: { identityProxyResources: { cpu: { limit: 'max' } } }, key: 'limit' },
    { name: 'a number in an override linkerd-config carries as given', values: { identityProxyResources: { cpu: { limit: 2 } } }, key: 'limit' },
    { name: "upstream's removed proxyInit.image.name", values: { proxyInit: { image: { name: 'registry.example/proxy-init' } } }, key: 'proxyInit.image' },
    { name: "upstream's removed policyController.image.name", values: { policyController: { image: { name: 'registry.example/policy-controller' } } }, key: 'policyController.image' },
    { name: "upstream's removed identity.issuer.crtExpiry", values: { identity: { issuer: { crtExpiry: '2030-01-01T00:00:00Z' } } }, key: 'identity.issuer.crtExpiry' },
  ],
});
