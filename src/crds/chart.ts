/** The linkerd-crds chart: every CRD Linkerd's control plane and extensions read. */
import { Type } from '@sinclair/typebox';
import type { ChartDefinition } from '../helm/chart';
import { Component, K8sObject } from '../helm/object';
import { rule } from '../helm/rules';
import { val, valuesFileHeader } from '../values/model';
import { LINKERD_VERSION } from '../version';
import { crdName } from './definition';
import { allCrds } from './index';
import { crdBody } from './manifest';
import { BUNDLE_VERSION, GATEWAY_API_MINIMUM, GATEWAY_API_PROBE_CRD, gatewayApiVersion } from '../gateway-api/crds';

const gatewayApiDoc =
  'Not part of this chart: install the gateway-api-crds chart before the control plane instead. Only false is accepted; the key exists so that upstream values files keep working.';

/** The upstream switches that bundled Gateway API CRDs into linkerd-crds: each refused, pointing at the gateway-api-crds chart. */
const GATEWAY_API_SWITCHES = ['installGatewayAPI', 'enableHttpRoutes', 'enableTlsRoutes', 'enableTcpRoutes'] as const;

const CRD = ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', GATEWAY_API_PROBE_CRD] as const;

export const crdsValues = val.object(
  {
    linkerdVersion: val.string(LINKERD_VERSION, {
      description: 'The Linkerd version, shown in the linkerd.io/created-by annotation of every CRD (as `linkerd/helm <version>`).',
      minLength: 1,
    }),
    cliVersion: val.string('', {
      description: 'The whole linkerd.io/created-by annotation, as the linkerd CLI sets it (e.g. `linkerd/cli edge-26.8.3`); empty: `linkerd/helm <linkerdVersion>`.',
    }),
    installGatewayAPI: val.unset(Type.Boolean({ description: `Upstream's switch for bundling the Gateway API CRDs. ${gatewayApiDoc}` }), false),
    enableHttpRoutes: val.unset(Type.Boolean({ description: `Upstream's switch for the Gateway API HTTPRoute and GRPCRoute CRDs. ${gatewayApiDoc}` }), false),
    enableTlsRoutes: val.unset(Type.Boolean({ description: `Upstream's switch for the Gateway API TLSRoute CRD. ${gatewayApiDoc}` }), false),
    enableTcpRoutes: val.unset(Type.Boolean({ description: `Upstream's switch for the Gateway API TCPRoute CRD. ${gatewayApiDoc}` }), false),
  },
  { description: 'Values of the linkerd-crds chart.' },
);

export const linkerdCrdsChart: ChartDefinition<typeof crdsValues> = {
  name: 'linkerd-crds',
  description:
    'The CustomResourceDefinitions of the Linkerd service mesh: policy (Server, AuthorizationPolicy, HTTPRoute, ...), ServiceProfile and ExternalWorkload.',
  keywords: ['service-mesh', 'linkerd', 'crds'],
  values: crdsValues,
  valuesHeader: valuesFileHeader('linkerd-crds', 'src/crds/chart.ts'),
  get readme() {
    return [
      '## Install',
      '',
      'Install this chart first, into the namespace the control plane will use:',
      '',
      '```sh',
      'helm install linkerd-crds charts/linkerd-crds -n linkerd --create-namespace',
      '```',
      '',
      '## CRDs',
      '',
      '| CRD | Kind | Versions (storage in bold) |',
      '| --- | --- | --- |',
      ...allCrds.map(
        (d) =>
          `| \`${crdName(d)}\` | ${d.kind} | ${d.versions.map((v) => (v.storage ? `**${v.name}**` : v.name)).join(', ')} |`,
      ),
      '',
      `The Gateway API CRDs are not part of this chart: install the [gateway-api-crds](../gateway-api-crds/README.md) chart`,
      `(Gateway API ${gatewayApiVersion()}) first; Linkerd ${LINKERD_VERSION} needs Gateway API ${GATEWAY_API_MINIMUM} or later. On \`helm install\` and`,
      `\`helm upgrade\`, the NOTES say which Gateway API release the cluster has (Helm \`lookup\`), and warn when it is`,
      `missing or older than ${GATEWAY_API_MINIMUM}.`,
    ].join('\n');
  },
  rules: (v) =>
    GATEWAY_API_SWITCHES.map((key) =>
      rule(
        key,
        v.truthy(v.ref(key)),
        `the Gateway API CRDs are not part of linkerd-crds: install the gateway-api-crds chart (Gateway API ${gatewayApiVersion()}; Linkerd ${LINKERD_VERSION} needs ${GATEWAY_API_MINIMUM} or later) before the control plane, and leave ${key} false`,
      ),
    ),
  notes: (v) => {
    const present = v.clusterHas(...CRD);
    const version = v.clusterAnnotation(...CRD, BUNDLE_VERSION);
    const fix = `install the gateway-api-crds chart (Gateway API ${gatewayApiVersion()}) before the control plane`;
    return [
      'The linkerd-crds chart is installed.\n\n',
      v.ternary(
        v.not(present),
        `WARNING: Gateway API not found: the cluster has no ${GATEWAY_API_PROBE_CRD} CRD. Linkerd ${LINKERD_VERSION} needs Gateway API ${GATEWAY_API_MINIMUM} or later: ${fix}.`,
        v.ternary(
          v.versionBelow(version, GATEWAY_API_MINIMUM),
          v.fmt`WARNING: Gateway API ${version} is too old: Linkerd ${LINKERD_VERSION} needs Gateway API ${GATEWAY_API_MINIMUM} or later (${BUNDLE_VERSION} of ${GATEWAY_API_PROBE_CRD}): ${fix}.`,
          v.ternary(
            v.eq(version, ''),
            `NOTE: the ${GATEWAY_API_PROBE_CRD} CRD has no ${BUNDLE_VERSION} annotation; make sure it is Gateway API ${GATEWAY_API_MINIMUM} or later.`,
            v.fmt`Gateway API ${version} found (Linkerd ${LINKERD_VERSION} needs ${GATEWAY_API_MINIMUM} or later).`,
          ),
        ),
      ),
      '\n\nNext, install the linkerd-control-plane chart into the ',
      v.release.namespace,
      ' namespace.\n',
    ];
  },
  build(chart, v) {
    for (const def of allCrds) {
      const body = crdBody(def);
      new K8sObject(new Component(chart, crdName(def), def.file), 'crd', {
        ...body,
        metadata: {
          name: body.metadata.name,
          annotations: { 'linkerd.io/created-by': v.orElse(v.ref('cliVersion'), v.fmt`linkerd/helm ${v.ref('linkerdVersion')}`) },
          labels: {
            'helm.sh/chart': v.fmt`${v.chart.name}-${v.chart.version}`,
            'linkerd.io/control-plane-ns': v.release.namespace,
          },
        },
      });
    }
  },
};
