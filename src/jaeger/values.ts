/**
 * Values of the linkerd-jaeger chart: upstream's linkerd-jaeger keys (Linkerd 2.18) where
 * they still mean something — common settings, `collector`, `jaeger`, `namespaceMetadata` —
 * for the modern extension: an OpenTelemetry collector and a Jaeger v2 backend. The
 * `webhook` (the jaeger injector) is gone: the proxy exports traces natively, configured
 * by the control plane's `proxy.tracing` values.
 */
import { Type } from '@sinclair/typebox';
import { namespaceMetadataImage, proxyOverride } from '../extension/values';
import { resourcesValues } from '../proxy/values';
import { annotationMap, val, withReplacedKeys } from '../values/model';
import { LINKERD_VERSION } from '../version';

/** Share of the container memory the collector's memory limiter keeps for spikes; the limit must be above it. */
export const MEMORY_SPIKE_PERCENTAGE = 20;

const pullPolicy = (what: string) =>
  val.enum(['', 'Always', 'IfNotPresent', 'Never'] as const, '', { description: `Pull policy of the ${what} image (empty: the runtime default).` });
const image = (name: string, version: string, what: string) =>
  val.object(
    {
      name: val.imageRepository(name, { description: `Image of the ${what} (with its registry).` }),
      version: val.imageTag(version, { description: `Tag of the ${what} image.` }),
      pullPolicy: pullPolicy(what),
    },
    { description: `The ${what} image.` },
  );
const nodeSelector = (what: string) => val.labels({ 'kubernetes.io/os': 'linux' }, { description: `nodeSelector of the ${what} pods.` });
const tolerations = (what: string) => val.nullable(Type.Array(Type.Unknown()), null, { description: `Tolerations of the ${what} pods.` });
const id = (kind: 'UID' | 'GID', what: string) => val.nullable(Type.Integer({ minimum: 0 }), null, { description: `${kind} the ${what} runs as (empty: default${kind}).` });

/** Upstream (Linkerd 2.18) keys this chart does not read, with what replaced them (see docs/parity.md). */
export const JAEGER_REPLACED_KEYS: Record<string, string> = {
  webhook:
    'the jaeger injector is gone: the proxy exports spans natively; set proxy.tracing and controller.tracing in linkerd-control-plane (values-tracing.yaml) instead',
  'collector.config': 'the collector configuration is generated: set collector.batch, collector.memoryLimitPercentage and collector.env instead',
  'jaeger.args': 'Jaeger v2 is configured from jaeger.storage (memory or badger) instead of command-line flags',
};

export const jaegerValues = withReplacedKeys(val.object(
  {
    linkerdVersion: val.imageTag(LINKERD_VERSION, { description: 'The Linkerd version (namespace-metadata image tag default, created-by annotation).' }),
    cliVersion: val.string('', { description: 'The whole linkerd.io/created-by annotation, as the linkerd CLI sets it (e.g. `linkerd/cli edge-26.8.3`); empty: `linkerd/helm <linkerdVersion>`.' }),
    linkerdNamespace: val.dnsName('linkerd', { description: 'Namespace of the Linkerd control plane.', label: true }),
    vizNamespace: val.dnsName('linkerd-viz', { description: 'Namespace of linkerd-viz (its web dashboard may open the Jaeger UI, its Prometheus may scrape Jaeger). (cdk8s-linkerd addition)', label: true }),
    clusterDomain: val.dnsName('cluster.local', { description: 'The Kubernetes cluster DNS domain.' }),
    cniEnabled: val.unset(Type.Boolean({ description: 'With the CNI plugin: Pod Security \u201crestricted\u201d, not \u201cprivileged\u201d, on the namespace the constructs and dist/ render (the chart renders none). (cdk8s-linkerd addition)' }), true),
    podLabels: val.labels({}, { description: 'Labels added to every pod of the extension.' }),
    podAnnotations: val.unset(annotationMap({ description: 'Annotations added to every pod of the extension.' }), { example: 'on' }),
    commonLabels: val.labels({}, { description: 'Labels added to every object of the extension.' }),
    nodeSelector: nodeSelector('extension'),
    imagePullSecrets: val.freeform<unknown[]>([], { type: 'array', description: 'Image pull secrets of the ServiceAccounts.' }),
    tolerations: tolerations('extension'),
    enablePodAntiAffinity: val.boolean(false, { description: 'Spreads collector replicas across nodes and zones.' }),
    nodeAffinity: val.unset(Type.Object({}, { additionalProperties: true, description: 'Node affinity of the pods.' }), { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } }),
    createNamespaceMetadataJob: val.boolean(true, { description: 'A post-install Job labels the namespace as a Linkerd extension (`linkerd.io/extension: jaeger`).' }),
    enablePSP: Type.Literal(false, { default: false, description: 'Upstream\u2019s PodSecurityPolicy switch; PodSecurityPolicy is gone since Kubernetes 1.25, so only false is accepted.' }),
    defaultUID: val.integer(2103, { description: 'UID the containers run as.', minimum: 1 }),
    defaultGID: val.integer(2103, { description: 'GID the containers run as.', minimum: 1 }),
    revisionHistoryLimit: val.integer(10, { description: 'Old ReplicaSets kept for rollback.', minimum: 0 }),
    collector: val.object(
      {
        enabled: val.boolean(true, { description: 'Installs the OpenTelemetry collector.' }),
        replicas: val.integer(1, { description: 'Replicas of the collector.', minimum: 1 }),
        image: image('otel/opentelemetry-collector-contrib', '0.162.0', 'OpenTelemetry collector'),
        command: val.string('/otelcol-contrib', { description: 'The collector binary in the image.', minLength: 1 }),
        resources: resourcesValues('collector container', { nullCpuMemory: true }),
        nodeSelector: nodeSelector('collector'),
        tolerations: tolerations('collector'),
        UID: id('UID', 'collector'),
        proxy: proxyOverride('collector'),
        GID: id('GID', 'collector'),
        batch: val.object(
          {
            timeout: val.duration('goNonNegative', '5s', { description: 'How long the collector waits to fill a batch (not negative: the collector refuses that).' }),
            sendBatchSize: val.integer(8192, { description: 'Spans per batch that trigger a send.', minimum: 1 }),
          },
          { description: 'Batching of spans before export. (cdk8s-linkerd addition)' },
        ),
        memoryLimitPercentage: val.integer(80, {
          description: `Share of the container memory the collector may use before it refuses data; more than the ${MEMORY_SPIKE_PERCENTAGE}% it keeps for spikes (the collector refuses a limit at or below that). (cdk8s-linkerd addition)`,
          minimum: MEMORY_SPIKE_PERCENTAGE + 1,
          maximum: 100,
        }),
        env: val.list(Type.Object({ name: Type.String({ minLength: 1 }), value: Type.String() }, { additionalProperties: false }), [], { description: 'Extra environment variables of the collector.' }),
      },
      { description: 'The OpenTelemetry collector: receives OTLP from the proxies and applications, adds Kubernetes attributes, exports to Jaeger.' },
    ),
    jaeger: val.object(
      {
        enabled: val.boolean(true, { description: 'Installs Jaeger (v2) as the trace backend and UI.' }),
        image: image('jaegertracing/jaeger', '2.12.0', 'Jaeger'),
        resources: resourcesValues('jaeger container', { nullCpuMemory: true }),
        nodeSelector: nodeSelector('Jaeger'),
        tolerations: tolerations('Jaeger'),
        UID: id('UID', 'Jaeger'),
        proxy: proxyOverride('Jaeger'),
        GID: id('GID', 'Jaeger'),
        storage: val.object(
          {
            type: val.enum(['memory', 'badger'] as const, 'memory', { description: 'memory: traces live as long as the pod; badger: on a PersistentVolume.' }),
            maxTraces: val.integer(100000, { description: 'Traces kept by the memory store.', minimum: 1 }),
            badger: val.object(
              {
                size: val.quantity('10Gi', { description: 'Size of the volume.' }),
                storageClass: val.string('', { description: 'Storage class of the volume (empty: the cluster default).' }),
                ttl: val.duration('goNonNegative', '72h0m0s', { description: 'How long spans are kept.' }),
              },
              { description: 'The badger store (storage.type badger).' },
            ),
          },
          { description: 'Where Jaeger keeps traces. (cdk8s-linkerd addition)' },
        ),
      },
      { description: 'Jaeger: stores traces and serves the UI under /jaeger.' },
    ),
    namespaceMetadata: val.object(
      {
        image: namespaceMetadataImage(pullPolicy('namespace-metadata')),
        nodeSelector: nodeSelector('namespace-metadata Job'),
        tolerations: tolerations('namespace-metadata Job'),
      },
      { description: 'The post-install Job that labels the namespace.' },
    ),
  },
  { description: 'Values of the linkerd-jaeger chart.' },
), JAEGER_REPLACED_KEYS);

/** The chart's values, generated from the schema above with each key's description and default (npm run synth). */
export type { JaegerValues } from './values.generated';
