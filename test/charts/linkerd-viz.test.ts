import { linkerdVizChart } from '../../src/viz/chart';
import { vizGitopsValues, vizHaValues } from '../../src/viz/presets';
import { describeChart } from '../support/chart-suite';

const rulesAndStorage = {
  prometheus: {
    persistence: { storageClass: 'fast', accessMode: 'ReadWriteOnce', size: '20Gi' },
    ruleConfigMapMounts: [{ name: 'alerting-rules', subPath: 'alerting_rules.yml', configMap: 'linkerd-prometheus-rules' }],
    alertmanagers: [{ scheme: 'http', static_configs: [{ targets: ['alertmanager.monitoring.svc:9093'] }] }],
    alertRelabelConfigs: [{ action: 'labeldrop', regex: 'prometheus_replica' }],
    remoteWrite: [{ url: 'http://thanos.monitoring.svc:19291/api/v1/receive' }],
    scrapeConfigs: [{ job_name: 'kubernetes-nodes', kubernetes_sd_configs: [{ role: 'node' }] }],
    metricRelabelConfigs: [{ action: 'keep', source_labels: ['le'], regex: '(|10|50|100|500|1000|10000|30000|\\+Inf)' }],
    args: { 'log.level': 'debug', 'web.enable-lifecycle': '' },
  },
};

describeChart(linkerdVizChart, {
  release: { name: 'linkerd-viz', namespace: 'linkerd-viz' },
  maskGenerated: true,
  presets: {
    'values-ha.yaml': vizHaValues,
    'values-gitops.yaml': vizGitopsValues,
    'cert-manager with a cluster issuer': { certManager: { enabled: true, issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer' } } },
    'external Prometheus': { prometheus: { enabled: false }, prometheusUrl: 'http://prometheus.monitoring.svc:9090', prometheusCredsSecret: 'prom-creds' },
    'external Grafana': { grafana: { enabled: false, externalUrl: 'https://grafana.example.com', uidPrefix: 'mesh' }, jaegerUrl: 'jaeger.linkerd-jaeger:16686' },
    'prometheus rules, storage and remote write': rulesAndStorage,
    'CPU and memory as YAML numbers': {
      metricsAPI: { resources: { cpu: { request: 0.1, limit: 1 }, memory: { request: 67108864 } }, proxy: { resources: { cpu: { request: 0.05 } } } },
      prometheus: { resources: { cpu: { limit: 2 } }, persistence: { accessMode: 'ReadWriteOnce', size: 8589934592 } },
      certManager: { enabled: true, duration: '2160h', renewBefore: '360h30m' },
    },
    'restricted dashboard, no namespace Job': { dashboard: { restrictPrivileges: true, enforcedHostRegexp: '.*' }, createNamespaceMetadataJob: false },
    'tap certificates from cert-manager': {
      tap: { externalSecret: true, injectCaFrom: 'linkerd-viz/tap' },
      tapInjector: { externalSecret: true, injectCaFromSecret: 'linkerd-viz/tap-injector-k8s-tls', objectSelector: { matchLabels: { tap: 'on' } } },
    },
  },
  randomRuns: 100,
  badValues: [
    { name: 'no Prometheus at all', values: { prometheus: { enabled: false } }, key: 'prometheusUrl' },
    { name: 'both Grafana URLs', values: { grafana: { enabled: false, url: 'grafana:3000', externalUrl: 'https://g.example' } }, key: 'grafana.externalUrl' },
    { name: 'an external Grafana while the bundled one is on', values: { grafana: { externalUrl: 'https://g.example' } }, key: 'grafana.externalUrl' },
    { name: 'your Grafana (grafana.url) while the bundled one is on', values: { grafana: { url: 'grafana.grafana:3000' } }, key: 'grafana.url' },
    { name: 'both tap CA injections', values: { tap: { externalSecret: true, injectCaFrom: 'a/b', injectCaFromSecret: 'a/c' } }, key: 'tap.injectCaFromSecret' },
    { name: 'an external tap secret without a CA', values: { tapInjector: { externalSecret: true } }, key: 'tapInjector.externalSecret' },
    { name: 'a tap certificate without its key', values: { tap: { crtPEM: 'x' } }, key: 'tap.keyPEM' },
    { name: 'a string for replicas', values: { tap: { replicas: 'three' } }, key: 'replicas' },
    { name: 'zero replicas', values: { dashboard: { replicas: 0 } }, key: 'replicas' },
    { name: 'a bad log level', values: { defaultLogLevel: 'loud' }, key: 'defaultLogLevel' },
    { name: 'a bad log format', values: { metricsAPI: { logFormat: 'xml' } }, key: 'logFormat' },
    { name: 'a bad pull policy', values: { prometheus: { image: { pullPolicy: 'Sometimes' } } }, key: 'pullPolicy' },
    { name: 'a bad quantity', values: { prometheus: { resources: { memory: { limit: 'lots' } } } }, key: 'limit' },
    { name: 'a bad failure policy', values: { tapInjector: { failurePolicy: 'Maybe' } }, key: 'failurePolicy' },
    { name: 'a rule file that Prometheus would not load', values: { prometheus: { ruleConfigMapMounts: [{ name: 'r', subPath: 'rules.txt', configMap: 'c' }] } }, key: 'subPath' },
    { name: 'persistence without a size', values: { prometheus: { persistence: { accessMode: 'ReadWriteOnce' } } }, key: 'size' },
    { name: 'an unknown top-level key', values: { grafanaa: {} }, key: 'grafanaa' },
    { name: 'an unknown nested key', values: { tap: { image: { version: 'x' } } }, key: 'version' },
    { name: 'a PodSecurityPolicy', values: { enablePSP: true }, key: 'enablePSP' },
    { name: 'a negative UID', values: { metricsAPI: { UID: -1 } }, key: 'UID' },
    { name: 'cert-manager with a given tap certificate', values: { certManager: { enabled: true }, tap: { crtPEM: 'x', keyPEM: 'y' } }, key: 'tap.crtPEM' },
    { name: 'a bad issuer kind', values: { certManager: { issuerRef: { kind: 'Vault' } } }, key: 'kind' },
    { name: 'a boolean as a string', values: { grafana: { enabled: 'false' } }, key: 'enabled' },
    { name: 'a day unit Go refuses (cert-manager)', values: { certManager: { duration: '365d' } }, key: 'duration' },
    { name: 'a renewal with text in front', values: { certManager: { renewBefore: 'in 30h' } }, key: 'renewBefore' },
    { name: 'a negative volume size', values: { prometheus: { persistence: { accessMode: 'ReadWriteOnce', size: '-8Gi' } } }, key: 'size' },
    { name: 'a negative CPU limit as a number', values: { tap: { resources: { cpu: { limit: -0.5 } } } }, key: 'limit' },
    { name: 'a bad proxy quantity', values: { dashboard: { proxy: { resources: { memory: { limit: 'lots' } } } } }, key: 'limit' },
    { name: 'a trust domain that is not a DNS name', values: { identityTrustDomain: 'Bad Domain!' }, key: 'identityTrustDomain' },
    { name: "Linkerd 2.10's grafanaUrl", values: { grafanaUrl: 'grafana.grafana:3000' }, key: 'grafanaUrl' },
    { name: "Linkerd 2.10's namespace key", values: { namespace: 'viz' }, key: 'namespace' },
  ],
});
