/**
 * The configurations of the OpenTelemetry collector and of Jaeger v2 (which is built on
 * the collector and configured the same way), as typed data. Every component named in a
 * pipeline is defined in its section; the ports are the ones the Services expose.
 */
import type { HelmValues } from '../helm/values';
import { MEMORY_SPIKE_PERCENTAGE, type JaegerValues } from './values';

type Jv = HelmValues<JaegerValues>;

/** The shape both programs read: components by kind, and a service wiring them into pipelines. */
export interface CollectorConfig {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions: Record<string, unknown>;
  service: {
    extensions: string[];
    pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
    telemetry?: Record<string, unknown>;
  };
}

export const PORTS = { otlpGrpc: 4317, otlpHttp: 4318, health: 13133, metrics: 8888, ui: 16686 } as const;

const OTLP = { protocols: { grpc: { endpoint: `0.0.0.0:${PORTS.otlpGrpc}` }, http: { endpoint: `0.0.0.0:${PORTS.otlpHttp}` } } };
const HEALTH = { endpoint: `0.0.0.0:${PORTS.health}` };
/** The programs' own metrics on the pod's metrics port (both default to localhost, out of a scraper's reach). */
const TELEMETRY = { metrics: { readers: [{ pull: { exporter: { prometheus: { host: '0.0.0.0', port: PORTS.metrics } } } }] } };

/**
 * Kubernetes metadata the collector adds to spans, found by the `k8s.pod.ip` or `k8s.pod.uid`
 * resource attribute the sending proxy sets (proxy.tracing.labels). The connection's address comes
 * last: inside the mesh it is the collector's own inbound proxy, not the sender.
 */
const K8S_ATTRIBUTES = {
  auth_type: 'serviceAccount',
  passthrough: false,
  // Start only once the pod informers have synced: no spans without attributes after a restart,
  // and a ServiceAccount that may not watch pods never becomes ready (the collector's health
  // check answers 503, so the probes fail and the container is restarted).
  wait_for_metadata: true,
  pod_association: [
    { sources: [{ from: 'resource_attribute', name: 'k8s.pod.ip' }] },
    { sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] },
    { sources: [{ from: 'connection' }] },
  ],
  extract: {
    metadata: [
      'k8s.namespace.name',
      'k8s.pod.name',
      'k8s.pod.uid',
      'k8s.node.name',
      'k8s.deployment.name',
      'k8s.statefulset.name',
      'k8s.daemonset.name',
      'k8s.cronjob.name',
      'k8s.job.name',
      'k8s.replicaset.name',
      'container.image.name',
      // The singular container.image.tag is a legacy attribute k8sattributes v1 no longer emits
      // (its DontEmitV0K8sConventions gate is on by default): the tag comes as a list.
      'container.image.tags',
    ],
    labels: [
      { tag_name: 'app.kubernetes.io/name', key: 'app.kubernetes.io/name', from: 'pod' },
      { tag_name: 'app.kubernetes.io/version', key: 'app.kubernetes.io/version', from: 'pod' },
      { tag_name: 'app.kubernetes.io/part-of', key: 'app.kubernetes.io/part-of', from: 'pod' },
    ],
  },
};

/** The collector's address for the proxies (a gRPC OTLP endpoint). */
export function collectorEndpoint(namespace: string, clusterDomain: string): string {
  return `collector.${namespace}.svc.${clusterDomain}:${PORTS.otlpGrpc}`;
}

/** The OpenTelemetry collector: OTLP in, memory limit, Kubernetes attributes, batches, OTLP out to Jaeger. */
export function collectorConfig(v: Jv): CollectorConfig {
  const c = v.section('collector');
  return {
    receivers: { otlp: OTLP },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: c.memoryLimitPercentage, spike_limit_percentage: MEMORY_SPIKE_PERCENTAGE },
      k8sattributes: K8S_ATTRIBUTES,
      batch: { timeout: c.batch.timeout, send_batch_size: c.batch.sendBatchSize },
    },
    exporters: {
      // Plain OTLP inside the mesh: the proxies encrypt and authenticate the connection.
      'otlp/jaeger': { endpoint: v.fmt`jaeger.${v.release.namespace}.svc.${v.ref('clusterDomain')}:${PORTS.otlpGrpc}`, tls: { insecure: true } },
    },
    extensions: { health_check: HEALTH },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'k8sattributes', 'batch'], exporters: ['otlp/jaeger'] } },
      telemetry: TELEMETRY,
    },
  };
}

/** Jaeger v2: OTLP in, a trace store (memory or badger), the query service and UI under /jaeger. */
export function jaegerConfig(v: Jv): CollectorConfig {
  const s = v.section('jaeger.storage');
  const badger = v.eq(s.type, 'badger');
  return {
    receivers: { otlp: OTLP },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'traces' } },
    extensions: {
      healthcheckv2: { use_v2: true, http: HEALTH },
      jaeger_query: { storage: { traces: 'traces' }, base_path: '/jaeger', http: { endpoint: `0.0.0.0:${PORTS.ui}` } },
      jaeger_storage: {
        backends: {
          traces: {
            ...v.fields(
              badger,
              { badger: { directories: { keys: '/badger/keys', values: '/badger/values' }, ephemeral: false, ttl: { spans: s.badger.ttl } } },
              { memory: { max_traces: s.maxTraces } },
            ),
          },
        },
      },
    },
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: TELEMETRY,
    },
  };
}
