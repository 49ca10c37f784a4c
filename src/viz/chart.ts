/**
 * The linkerd-viz chart: Prometheus, the metrics API, tap and the tap injector, the web
 * dashboard, the namespace-metadata Job, their policy and ServiceProfiles — and, our
 * addition, Grafana with the Linkerd dashboards.
 */
import { forExtension } from '../extension/metadata';
import type { ChartDefinition } from '../helm/chart';
import { checkWebhookTls, webhookTlsHelmChecks, type WebhookTls } from '../k8s/webhook-tls';
import { valuesFileHeader, type ValuesProblem } from '../values/model';
import { Grafana } from './grafana';
import { MetricsApi } from './metrics-api';
import { NamespaceMetadata } from '../extension/namespace-metadata';
import { pullPolicy } from './metadata';
import { vizGitopsValues, vizHaValues } from './presets';
import { Prometheus } from './prometheus';
import { AdminPolicy, ServiceProfiles } from './service-profiles';
import { Tap, TapCertificates, TapInjector } from './tap';
import { vizValues, type VizValues } from './values';
import { Web } from './web';

const NEEDS_PROMETHEUS = 'required when prometheus.enabled is false (the metrics API and Grafana query it)';
const BOTH_GRAFANAS = 'cannot be set with grafana.url (in-cluster Grafana) — pick one';
const BY_CERT_MANAGER = 'cannot be set when certManager.enabled (cert-manager issues the certificate and injects its CA)';
const TLS_VALUES = ['crtPEM', 'keyPEM', 'caBundle', 'injectCaFrom', 'injectCaFromSecret'] as const;
const BUNDLED_GRAFANA = 'cannot be set while the bundled Grafana is enabled; set grafana.enabled: false to use an external Grafana';
const BUNDLED_GRAFANA_URL =
  'cannot be set while the bundled Grafana is enabled (it would be deployed and never used); set grafana.enabled: false to use your own Grafana';

/** Rules between keys (TypeScript side). */
export function checkVizValues(values: VizValues): ValuesProblem[] {
  const problems: ValuesProblem[] = [];
  if (!values.prometheus.enabled && !values.prometheusUrl) problems.push({ key: 'prometheusUrl', message: NEEDS_PROMETHEUS });
  if (values.grafana.url && values.grafana.externalUrl) problems.push({ key: 'grafana.externalUrl', message: BOTH_GRAFANAS });
  if (values.grafana.enabled && values.grafana.externalUrl) problems.push({ key: 'grafana.externalUrl', message: BUNDLED_GRAFANA });
  if (values.grafana.enabled && values.grafana.url) problems.push({ key: 'grafana.url', message: BUNDLED_GRAFANA_URL });
  for (const section of ['tap', 'tapInjector'] as const) {
    problems.push(...checkWebhookTls(section, values[section] as WebhookTls, { managed: values.certManager.enabled }));
    if (values.certManager.enabled) {
      for (const key of TLS_VALUES) if (values[section][key]) problems.push({ key: `${section}.${key}`, message: BY_CERT_MANAGER });
    }
  }
  return problems;
}

export const linkerdVizChart: ChartDefinition<typeof vizValues> = {
  name: 'linkerd-viz',
  description: 'The Linkerd viz extension: Prometheus, the metrics API, tap, the web dashboard and Grafana with the Linkerd dashboards.',
  keywords: ['service-mesh', 'linkerd', 'observability', 'prometheus', 'grafana'],
  values: vizValues,
  valuesHeader: valuesFileHeader('linkerd-viz', 'src/viz/values.ts'),
  readme: [
    '## Install',
    '',
    'Install the control plane first (linkerd-crds, linkerd-control-plane), then:',
    '',
    '```sh',
    'helm install linkerd-viz charts/linkerd-viz -n linkerd-viz --create-namespace',
    '```',
    '',
    'For high availability add `-f charts/linkerd-viz/values-ha.yaml`. The web dashboard serves the',
    'bundled Grafana under `/grafana`. To use your own Grafana instead, set `grafana.enabled: false` and give',
    '`grafana.url` (an in-cluster Grafana the dashboard proxies) or `grafana.externalUrl`; either of them with',
    'the bundled Grafana enabled is refused (it would be deployed and never used). With `prometheus.enabled: false`',
    'give `prometheusUrl`.',
  ].join('\n'),
  notes: (v) => [
    'The Linkerd viz extension is installed in the ',
    v.release.namespace,
    ' namespace.\n\nCheck it with `linkerd viz check`; open the dashboard with `linkerd viz dashboard`',
    ' (Grafana is under /grafana when grafana.enabled).\n',
  ],
  presets: { 'values-ha.yaml': vizHaValues, 'values-gitops.yaml': vizGitopsValues },
  check: (values) => checkVizValues(values),
  helmChecks: (v) => [
    { failWhen: v.and(v.not('prometheus.enabled'), v.not('prometheusUrl')), message: `prometheusUrl: ${NEEDS_PROMETHEUS}` },
    { failWhen: v.and(v.truthy(v.ref('grafana.url')), v.truthy(v.ref('grafana.externalUrl'))), message: `grafana.externalUrl: ${BOTH_GRAFANAS}` },
    { failWhen: v.and('grafana.enabled', v.truthy(v.ref('grafana.externalUrl'))), message: `grafana.externalUrl: ${BUNDLED_GRAFANA}` },
    { failWhen: v.and('grafana.enabled', v.truthy(v.ref('grafana.url'))), message: `grafana.url: ${BUNDLED_GRAFANA_URL}` },
    ...(['tap', 'tapInjector'] as const).flatMap((section) => [
      ...webhookTlsHelmChecks(v, section, { managed: 'certManager.enabled' }),
      ...TLS_VALUES.map((key) => ({ failWhen: v.and('certManager.enabled', v.truthy(v.ref(`${section}.${key}`))), message: `${section}.${key}: ${BY_CERT_MANAGER}` })),
    ]),
  ],
  build(chart, v) {
    forExtension(v, 'viz');
    new AdminPolicy(chart, 'admin-policy', v);
    new MetricsApi(chart, 'metrics-api', v);
    const img = v.section('namespaceMetadata.image');
    const prometheusUrl = v.ref('prometheusUrl');
    new NamespaceMetadata(chart, 'namespace-metadata', v, {
      image: v.fmt`${v.orElse(img.registry, v.ref('defaultRegistry'))}/${img.name}:${img.tag}`,
      pullPolicy: pullPolicy(v, 'namespaceMetadata'),
      leadingArgs: ['--log-format', v.ref('defaultLogFormat'), '--log-level', v.ref('defaultLogLevel')],
      trailingArgs: [v.maybe(v.truthy(prometheusUrl), '--prometheus-url') as string, v.maybe(v.truthy(prometheusUrl), prometheusUrl) as string],
    });
    new Prometheus(chart, 'prometheus', v);
    new ServiceProfiles(chart, 'service-profiles', v);
    new TapInjector(chart, 'tap-injector', v);
    new Tap(chart, 'tap', v);
    new TapCertificates(chart, 'tap-certificates', v);
    new Web(chart, 'web', v);
    new Grafana(chart, 'grafana', v);
  },
};
