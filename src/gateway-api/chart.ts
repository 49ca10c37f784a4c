/**
 * The gateway-api-crds chart: the standard-channel Gateway API CRDs at the release pinned for
 * this Linkerd, to install before the control plane (Linkerd's policy controller watches
 * HTTPRoutes and GRPCRoutes of `gateway.networking.k8s.io`).
 */
import type { ChartDefinition } from '../helm/chart';
import { Component, K8sObject } from '../helm/object';
import { val, valuesFileHeader } from '../values/model';
import { LINKERD_VERSION } from '../version';
import { GATEWAY_API_MINIMUM, gatewayApiManifests, gatewayApiVersion } from './crds';

export const gatewayApiCrdsValues = val.object({}, { description: 'Values of the gateway-api-crds chart: none; the chart installs one pinned Gateway API release as it is.' });

/** `gateway.networking.k8s.io_httproutes.yaml` → `httproutes.yaml`. */
const templateFile = (file: string) => file.replace(/^gateway\.networking\.k8s\.io_/, '');

/** Annotations added to each CRD: uninstalling the chart must not delete every route of the cluster with it. */
const KEEP = { 'helm.sh/resource-policy': 'keep' };

export const gatewayApiCrdsChart: ChartDefinition<typeof gatewayApiCrdsValues> = {
  name: 'gateway-api-crds',
  get description() {
    return `The Kubernetes Gateway API CRDs (${gatewayApiVersion()}, standard channel) that Linkerd ${LINKERD_VERSION} reads routes from: HTTPRoute, GRPCRoute and the rest of the release, unchanged.`;
  },
  keywords: ['gateway-api', 'crds', 'linkerd'],
  get appVersion() {
    return gatewayApiVersion();
  },
  values: gatewayApiCrdsValues,
  valuesHeader: valuesFileHeader('gateway-api-crds', 'src/gateway-api/chart.ts'),
  get readme() {
    const objects = gatewayApiManifests().flatMap((m) => m.objects);
    return [
      '## Install',
      '',
      'Install this chart before linkerd-control-plane (Linkerd needs Gateway API ' + `${GATEWAY_API_MINIMUM} or later; this chart installs ${gatewayApiVersion()}):`,
      '',
      '```sh',
      'helm install gateway-api-crds charts/gateway-api-crds',
      '```',
      '',
      'The objects are the files of `config/crd/standard/` of the Go module',
      `\`sigs.k8s.io/gateway-api@${gatewayApiVersion()}\`, as released (their \`status\` left out); each CRD`,
      'also has `helm.sh/resource-policy: keep`, so `helm uninstall` leaves the CRDs (and every route) in',
      'place. The release\u2019s ValidatingAdmissionPolicy refuses to replace them with an older release or',
      'with the experimental channel.',
      '',
      '## Objects',
      '',
      '| Kind | Name |',
      '| --- | --- |',
      ...objects.map((o) => `| ${o.kind} | \`${o.metadata.name}\` |`),
    ].join('\n');
  },
  notes: () => [
    `The Gateway API ${gatewayApiVersion()} CRDs (standard channel) are installed.\n\nNext, install the linkerd-crds and linkerd-control-plane charts.\n`,
  ],
  build(chart) {
    for (const { file, objects } of gatewayApiManifests()) {
      const component = new Component(chart, templateFile(file).replace(/\.yaml$/, ''), templateFile(file));
      for (const o of objects) {
        const isCrd = o.kind === 'CustomResourceDefinition';
        new K8sObject(component, `${o.kind}-${o.metadata.name}`, {
          ...o,
          metadata: { ...o.metadata, ...(isCrd ? { annotations: { ...o.metadata.annotations, ...KEEP } } : {}) },
        });
      }
    }
  },
};
