/**
 * The linkerd-viz chart: Prometheus, the metrics API, tap and the tap injector, the web
 * dashboard, the namespace-metadata Job, their policy and ServiceProfiles — and, our
 * addition, Grafana with the Linkerd dashboards.
 */
import { forExtension } from '../extension/metadata';
import type { ChartDefinition } from '../helm/chart';
import { extensionNamespace } from '../k8s/namespace';
import type { HelmValues } from '../helm/values';
import { rule, type ValuesRule } from '../helm/rules';
import { webhookTlsRules } from '../k8s/webhook-tls';
import { valuesFileHeader } from '../values/model';
import { AlertRules } from './alerts';
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
const BUNDLED_GRAFANA = 'cannot be set while the bundled Grafana is enabled; set grafana.enabled: false to use an external Grafana';
const BUNDLED_GRAFANA_URL =
  'cannot be set while the bundled Grafana is enabled (it would be deployed and never used); set grafana.enabled: false to use your own Grafana';

/** The rules between viz's keys (each once: src/helm/rules.ts). */
export function vizRules(v: HelmValues<VizValues>): ValuesRule[] {
  const url = v.truthy(v.ref('grafana.url'));
  const externalUrl = v.truthy(v.ref('grafana.externalUrl'));
  return [
    rule('prometheusUrl', v.and(v.not('prometheus.enabled'), v.not('prometheusUrl')), NEEDS_PROMETHEUS),
    rule('grafana.externalUrl', v.and(url, externalUrl), BOTH_GRAFANAS),
    rule('grafana.externalUrl', v.and('grafana.enabled', externalUrl), BUNDLED_GRAFANA),
    rule('grafana.url', v.and('grafana.enabled', url), BUNDLED_GRAFANA_URL),
    ...(['tap', 'tapInjector'] as const).flatMap((section) => webhookTlsRules(v, section, { managed: 'certManager.enabled' })),
  ];
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
    '',
    'With Argo CD (a Helm-source Application) add the `values-gitops.yaml` preset (`helm.valueFiles`):',
    'with the defaults the chart generates its webhooks\u2019 keys and certificates at each render, and Argo CD renders',
    'at every refresh, so it would find new keys, certificates, CA bundles and `checksum/config` pod annotations',
    'each time, stay OutOfSync and roll the pods at each sync. With the preset cert-manager issues them and two',
    'renders are the same. Patch `argocd-cm` with `dist/argocd/argocd-cm-patch.yaml` for the health of Linkerd\u2019s kinds.',
  ].join('\n'),
  notes: (v) => [
    'The Linkerd viz extension is installed in the ',
    v.release.namespace,
    ' namespace.\n\nCheck it with `linkerd viz check`; open the dashboard with `linkerd viz dashboard`',
    ' (Grafana is under /grafana when grafana.enabled).\n',
  ],
  presets: { 'values-ha.yaml': vizHaValues, 'values-gitops.yaml': vizGitopsValues },
  rules: vizRules,
  namespace: (values) => extensionNamespace('viz', values.cniEnabled, values.prometheusUrl ? { 'viz.linkerd.io/external-prometheus': values.prometheusUrl } : {}),
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
    new AlertRules(chart, 'alert-rules', v);
  },
};
