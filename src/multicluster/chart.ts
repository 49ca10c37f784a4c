/**
 * The linkerd-multicluster chart: the gateway that linked clusters reach this cluster's
 * exported services through, the Link CRD, the local service mirror (federated services),
 * and the ServiceAccount and RBAC that linked clusters' service mirrors read this cluster with.
 */
import { NamespaceMetadata } from '../extension/namespace-metadata';
import { forExtension } from '../extension/metadata';
import type { ChartDefinition } from '../helm/chart';
import { extensionNamespace } from '../k8s/namespace';
import { AdminPolicy, ControllerAccess, Controllers, Gateway, GatewayPolicy, LinkCrd, LocalServiceMirror, RemoteAccess } from './components';
import { multiclusterHaValues } from './presets';
import { multiclusterValues } from './values';
import { valuesFileHeader } from '../values/model';

export const linkerdMulticlusterChart: ChartDefinition<typeof multiclusterValues> = {
  name: 'linkerd-multicluster',
  description: 'Multi-cluster communication for Linkerd: the gateway, the Link CRD, the local service mirror and the remote access RBAC for linked clusters.',
  keywords: ['service-mesh', 'linkerd', 'multicluster'],
  values: multiclusterValues,
  presets: { 'values-ha.yaml': multiclusterHaValues },
  valuesHeader: valuesFileHeader('linkerd-multicluster', 'src/multicluster/values.ts'),
  readme: [
    '## Install',
    '',
    'Install it in every cluster that links to another one or is linked to, after the control plane:',
    '',
    '```sh',
    'helm install linkerd-multicluster charts/linkerd-multicluster -n linkerd-multicluster --create-namespace',
    '```',
    '',
    '`values-ha.yaml` runs three gateway replicas spread over nodes and zones. Each link from this cluster',
    'to a target cluster is then one release of the linkerd-multicluster-link chart (see the README of the',
    'repository, "Linking two clusters").',
  ].join('\n'),
  notes: (v) => [
    'The Linkerd multicluster extension is installed in the ',
    v.release.namespace,
    ' namespace.\n\nLinked clusters read this cluster with the ServiceAccount ',
    v.ref('remoteMirrorServiceAccountName'),
    ' (its token is in the Secret ',
    v.ref('remoteMirrorServiceAccountName'),
    '-token).\n',
  ],
  namespace: (values) => extensionNamespace('multicluster', values.cniEnabled),
  build(chart, v) {
    forExtension(v, 'multicluster');
    new ControllerAccess(chart, 'controller-access', v);
    new Controllers(chart, 'controllers', v);
    new Gateway(chart, 'gateway', v);
    new GatewayPolicy(chart, 'gateway-policy', v);
    new LinkCrd(chart, 'link-crd', v);
    new LocalServiceMirror(chart, 'local-service-mirror', v);
    const img = v.section('namespaceMetadata.image');
    new NamespaceMetadata(chart, 'namespace-metadata', v, {
      image: v.fmt`${img.registry}/${img.name}:${img.tag}`,
      pullPolicy: v.orElse(img.pullPolicy, v.ref('imagePullPolicy')),
      leadingArgs: [],
      trailingArgs: [],
      configBindingName: 'mc-namespace-metadata-linkerd-config',
      ids: [v.ref('gateway.UID'), v.ref('gateway.GID')],
    });
    new RemoteAccess(chart, 'remote-access', v);
    new AdminPolicy(chart, 'admin-policy', v);
  },
};
