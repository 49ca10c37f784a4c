/** The linkerd-crds chart: every CRD Linkerd's control plane and extensions read. */
import { Type } from '@sinclair/typebox';
import type { ChartDefinition } from '../helm/chart';
import { Component, K8sObject } from '../helm/object';
import { val, valuesFileHeader } from '../values/model';
import { LINKERD_VERSION } from '../version';
import { crdName } from './definition';
import { allCrds } from './index';
import { crdBody } from './manifest';

const gatewayApiDoc =
  'Not supported by this distribution: install the Gateway API CRDs from the Gateway API project instead. Only false is accepted; the key exists so that upstream values files keep working.';

export const crdsValues = val.object(
  {
    linkerdVersion: val.string(LINKERD_VERSION, {
      description: 'The Linkerd version, shown in the linkerd.io/created-by annotation of every CRD (as `linkerd/helm <version>`).',
      minLength: 1,
    }),
    cliVersion: val.string('', {
      description: 'The whole linkerd.io/created-by annotation, as the linkerd CLI sets it (e.g. `linkerd/cli edge-26.8.3`); empty: `linkerd/helm <linkerdVersion>`.',
    }),
    installGatewayAPI: val.unset(Type.Literal(false, { description: `Upstream's switch for bundling the Gateway API CRDs. ${gatewayApiDoc}` }), false),
    enableHttpRoutes: val.unset(Type.Literal(false, { description: `Upstream's switch for the Gateway API HTTPRoute and GRPCRoute CRDs. ${gatewayApiDoc}` }), false),
    enableTlsRoutes: val.unset(Type.Literal(false, { description: `Upstream's switch for the Gateway API TLSRoute CRD. ${gatewayApiDoc}` }), false),
    enableTcpRoutes: val.unset(Type.Literal(false, { description: `Upstream's switch for the Gateway API TCPRoute CRD. ${gatewayApiDoc}` }), false),
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
  readme: [
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
    'The Gateway API CRDs are not bundled (see `installGatewayAPI`).',
  ].join('\n'),
  notes: (v) => [
    'The linkerd-crds chart is installed.\n\nNext, install the linkerd-control-plane chart into the ',
    v.release.namespace,
    ' namespace.\n',
  ],
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
