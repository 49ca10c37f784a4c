/**
 * The linkerd-jaeger chart: an OpenTelemetry collector that receives the proxies' and the
 * applications' spans, and Jaeger v2 to store and show them — the modern form of
 * upstream's linkerd-jaeger extension (removed after Linkerd 2.18), whose injector the
 * proxy's native tracing replaced.
 */
import { NamespaceMetadata } from '../extension/namespace-metadata';
import { forExtension } from '../extension/metadata';
import type { ChartDefinition } from '../helm/chart';
import { extensionNamespace } from '../k8s/namespace';
import { Collector, Jaeger } from './components';
import { PORTS } from './config';
import { jaegerValues } from './values';
import { valuesFileHeader } from '../values/model';

export const linkerdJaegerChart: ChartDefinition<typeof jaegerValues> = {
  name: 'linkerd-jaeger',
  description: 'Distributed tracing for Linkerd: an OpenTelemetry collector for the proxies\u2019 and applications\u2019 spans, and Jaeger to store and show them.',
  keywords: ['service-mesh', 'linkerd', 'tracing', 'opentelemetry', 'jaeger'],
  values: jaegerValues,
  valuesHeader: valuesFileHeader('linkerd-jaeger', 'src/jaeger/values.ts'),
  readme: [
    '## Install',
    '',
    '```sh',
    'helm install linkerd-jaeger charts/linkerd-jaeger -n linkerd-jaeger --create-namespace',
    '# turn on the proxies\u2019 tracing, pointed at the collector:',
    'helm upgrade linkerd-control-plane charts/linkerd-control-plane -n linkerd --reuse-values \\',
    '  -f charts/linkerd-control-plane/values-tracing.yaml',
    '# link the viz dashboard to Jaeger:',
    'helm upgrade linkerd-viz charts/linkerd-viz -n linkerd-viz --reuse-values --set jaegerUrl=jaeger.linkerd-jaeger:16686',
    '```',
    '',
    '`values-tracing.yaml` assumes the `linkerd-jaeger` namespace and `cluster.local`; the NOTES printed by',
    '`helm install` give the values for the namespace you chose. Only meshed workloads may send spans to',
    'the collector (mesh policy); only the collector may write to Jaeger, and only the viz dashboard may',
    'open its UI.',
  ].join('\n'),
  notes: (v) => [
    'The Linkerd Jaeger extension is installed in the ',
    v.release.namespace,
    ' namespace.\n\nTurn on the proxies\u2019 tracing in the control plane with these values:\n\n',
    'proxy:\n  tracing:\n    enabled: true\n    collector:\n      endpoint: collector.',
    v.release.namespace,
    '.svc.',
    v.ref('clusterDomain'),
    `:${PORTS.otlpGrpc}\n      meshIdentity:\n        serviceAccountName: collector\n        namespace: `,
    v.release.namespace,
    '\n\nand link the viz dashboard to Jaeger with jaegerUrl: jaeger.',
    v.release.namespace,
    `:${PORTS.ui}\n`,
  ],
  namespace: (values) => extensionNamespace('jaeger', values.cniEnabled),
  build(chart, v) {
    forExtension(v, 'jaeger');
    const img = v.section('namespaceMetadata.image');
    new NamespaceMetadata(chart, 'namespace-metadata', v, {
      image: v.fmt`${img.registry}/${img.name}:${img.tag}`,
      pullPolicy: v.maybe(v.truthy(img.pullPolicy), img.pullPolicy),
      leadingArgs: [],
      trailingArgs: [],
    });
    new Collector(chart, 'collector', v);
    new Jaeger(chart, 'jaeger', v);
  },
};
