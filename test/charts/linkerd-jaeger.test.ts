import { linkerdJaegerChart } from '../../src/jaeger/chart';
import { describeChart } from '../support/chart-suite';

describeChart(linkerdJaegerChart, {
  release: { name: 'linkerd-jaeger', namespace: 'linkerd-jaeger' },
  presets: {
    'badger storage': { jaeger: { storage: { type: 'badger', badger: { size: '50Gi', storageClass: 'fast', ttl: '168h' } } } },
    'collector only, tuned': { jaeger: { enabled: false }, collector: { replicas: 3, batch: { timeout: '1s', sendBatchSize: 1024 }, env: [{ name: 'GOMEMLIMIT', value: '400MiB' }] }, enablePodAntiAffinity: true },
    'CPU and memory as YAML numbers, a Go duration sequence': {
      collector: { resources: { cpu: { request: 0.1, limit: 1 }, memory: { request: 268435456, limit: '512Mi' } }, batch: { timeout: '1m30s' } },
      jaeger: { storage: { type: 'badger', badger: { size: 10737418240, ttl: '1h30m' } } },
    },
    'no namespace Job, custom images': {
      createNamespaceMetadataJob: false,
      collector: { image: { name: 'registry.example/otelcol', version: '1.0.0', pullPolicy: 'Always' }, UID: 10001 },
      jaeger: { image: { name: 'registry.example/jaeger', version: '2.3.0' } },
    },
  },
  randomRuns: 100,
  badValues: [
    { name: 'a cluster domain with a newline', values: { clusterDomain: 'cluster\nlocal' }, key: 'clusterDomain' },
    { name: 'a viz namespace that is not a DNS label', values: { vizNamespace: 'linkerd.viz' }, key: 'vizNamespace' },
    { name: 'a collector image tag with a space', values: { collector: { image: { version: '0.120 .0' } } }, key: 'collector.image.version' },
    { name: 'a label value of 64 characters', values: { commonLabels: { team: 'a'.repeat(64) } }, key: 'commonLabels.team' },
    { name: 'an unknown storage type', values: { jaeger: { storage: { type: 'cassandra' } } }, key: 'type' },
    { name: 'a bad volume size', values: { jaeger: { storage: { badger: { size: 'big' } } } }, key: 'size' },
    { name: 'a bad retention', values: { jaeger: { storage: { badger: { ttl: 'a week' } } } }, key: 'ttl' },
    { name: 'zero collector replicas', values: { collector: { replicas: 0 } }, key: 'replicas' },
    { name: 'a memory limit above 100%', values: { collector: { memoryLimitPercentage: 150 } }, key: 'memoryLimitPercentage' },
    { name: 'a bad batch timeout', values: { collector: { batch: { timeout: 'soon' } } }, key: 'timeout' },
    { name: 'an env entry without a name', values: { collector: { env: [{ value: 'x' }] } }, key: 'name' },
    { name: 'an empty image tag', values: { jaeger: { image: { version: '' } } }, key: 'version' },
    { name: 'the removed injector webhook', values: { webhook: { enabled: true } }, key: 'webhook' },
    { name: 'a PodSecurityPolicy', values: { enablePSP: true }, key: 'enablePSP' },
    { name: 'an unknown nested key', values: { collector: { config: {} } }, key: 'config' },
    { name: 'a string for a boolean', values: { collector: { enabled: 'yes' } }, key: 'enabled' },
    { name: 'a day unit Go refuses (batch timeout)', values: { collector: { batch: { timeout: '1d' } } }, key: 'timeout' },
    { name: 'a day unit Go refuses (badger ttl)', values: { jaeger: { storage: { badger: { ttl: '7d' } } } }, key: 'ttl' },
    { name: 'a duration with text in front', values: { jaeger: { storage: { badger: { ttl: 'hello 5s' } } } }, key: 'ttl' },
    { name: 'a negative CPU request', values: { collector: { resources: { cpu: { request: -1 } } } }, key: 'request' },
    { name: 'a quantity with a space', values: { jaeger: { resources: { memory: { limit: '512 Mi' } } } }, key: 'limit' },
    { name: 'a memory limit at the spike share the collector keeps (it refuses that)', values: { collector: { memoryLimitPercentage: 20 } }, key: 'memoryLimitPercentage' },
    { name: 'a negative batch timeout (the collector refuses it)', values: { collector: { batch: { timeout: '-1s' } } }, key: 'timeout' },
    { name: 'the removed jaeger args', values: { jaeger: { args: ['--memory.max-traces=1'] } }, key: 'jaeger.args' },
  ],
});
