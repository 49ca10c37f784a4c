/**
 * The linkerd-multicluster-link chart: one service mirror for one linked (target) cluster,
 * reading it with the kubeconfig in the Secret `cluster-credentials-<targetClusterName>`, and
 * the probe Service of the target's gateway. Values: upstream's
 * multicluster/charts/linkerd-multicluster-link keys at edge-26.8.3.
 */
import { Type } from '@sinclair/typebox';
import type { Construct } from 'constructs';
import { forExtension, createdBy, extensionLabels } from '../extension/metadata';
import type { ChartDefinition } from '../helm/chart';
import { ConcreteChart, type Release, type UserValues } from '../helm/chart';
import { Component, K8sObject } from '../helm/object';
import { rule } from '../helm/rules';
import type { HelmValues } from '../helm/values';
import { podAntiAffinity } from '../k8s/pod';
import { orEmpty, val, valuesFileHeader } from '../values/model';
import { LINKERD_VERSION } from '../version';
import { linkMirrorContainer, mirrorDeployment, mirrorLinkRbac, mirrorServiceAccount, serviceMirrorLocalRules } from './pod';
import type { LinkValues } from './link-values.generated';
import { DNS_LABEL } from './values';

const envList = (what: string) =>
  val.unset(
    Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), value: Type.Optional(Type.String()), valueFrom: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: false }), { description: `Environment variables of the service mirror (${what}).` }),
    [{ name: 'EXAMPLE', value: 'on' }],
  );

export const linkValues = val.object(
  {
    controllerImage: val.imageRepository('cr.l5d.io/linkerd/controller', { description: 'Image of the service mirror (with its registry).' }),
    controllerImageVersion: val.imageTag(LINKERD_VERSION, { description: 'Tag of the service mirror image.' }),
    linkerdVersion: val.imageTag(LINKERD_VERSION, { description: 'The Linkerd version (created-by annotation). (cdk8s-linkerd addition)' }),
    cliVersion: val.string('', { description: 'The whole linkerd.io/created-by annotation; empty: `linkerd/helm <linkerdVersion>`.' }),
    imagePullSecrets: val.freeform<unknown[]>([], { type: 'array', description: 'Image pull secrets of the ServiceAccount.' }),
    podAnnotations: val.annotations({}, { description: 'Annotations added to the service mirror pods.' }),
    podLabels: val.labels({}, { description: 'Labels added to the service mirror pods.' }),
    commonLabels: val.labels({}, { description: 'Labels added to every object of the chart.' }),
    enableHeadlessServices: val.boolean(false, { description: 'Mirrors headless services as headless services.' }),
    enableNamespaceCreation: val.boolean(false, { description: 'Lets the service mirror create the namespaces of mirrored services.' }),
    enablePodAntiAffinity: val.boolean(false, { description: 'Spreads service mirror replicas across nodes and zones, with a PodDisruptionBudget.' }),
    nodeAffinity: val.unset(Type.Object({}, { additionalProperties: true, description: 'Node affinity of the service mirror pods (with enablePodAntiAffinity).' }), { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } }),
    enablePprof: val.unset(Type.Boolean({ description: 'Serves pprof on the admin port.' }), true),
    gateway: val.object(
      {
        enabled: val.boolean(true, { description: 'The link goes through the target cluster\u2019s gateway (a probe Service for it).' }),
        probe: val.object({ port: val.integer(4191, { description: 'Port of the target gateway probe.', minimum: 1, maximum: 65535 }) }, { description: 'The target gateway probe.' }),
      },
      { description: 'The target cluster\u2019s gateway.' },
    ),
    logLevel: val.enum(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic'] as const, 'info', { description: 'Log level of the service mirror.' }),
    logFormat: val.enum(['plain', 'json'] as const, 'plain', { description: 'Log format of the service mirror.' }),
    nodeSelector: val.labels({}, { description: 'nodeSelector of the service mirror pods.' }),
    replicas: val.integer(1, { description: 'Replicas of the service mirror.', minimum: 0 }),
    resources: val.kubernetesResources({ description: 'Kubernetes resources (requests, limits) of the service mirror container.' }),
    serviceMirrorRetryLimit: val.integer(3, { description: 'Times an event is retried before it is dropped.', minimum: 0 }),
    serviceMirrorUID: val.integer(2103, { description: 'UID the service mirror runs as.', minimum: 1 }),
    serviceMirrorGID: val.integer(2103, { description: 'GID the service mirror runs as.', minimum: 1 }),
    serviceMirrorAdditionalEnv: envList('additional'),
    serviceMirrorExperimentalEnv: envList('experimental settings'),
    targetClusterName: val.string('', { description: 'Name of the target cluster, as in its Link; required (object names and the credentials Secret `cluster-credentials-<name>` derive from it).', pattern: orEmpty(DNS_LABEL), maxLength: 40 }),
    tolerations: Type.Unsafe<Record<string, never> | unknown[]>({ type: ['array', 'object'], maxProperties: 0, default: {}, description: 'Tolerations of the service mirror pods (a list; upstream\u2019s default is an empty map).' }),
    enablePSP: Type.Literal(false, { default: false, description: 'Upstream\u2019s PodSecurityPolicy switch; only false is accepted.' }),
    revisionHistoryLimit: val.integer(10, { description: 'Old ReplicaSets kept for rollback.', minimum: 0 }),
  },
  { description: 'Values of the linkerd-multicluster-link chart.' },
);
/** The chart's values, generated from the schema above with each key's description and default (npm run synth). */
export type { LinkValues };
type Lv = HelmValues<LinkValues>;

/** The service mirror's container, for the link to `targetClusterName`. */
function linkServiceMirrorContainer(v: Lv) {
  return linkMirrorContainer(v, {
    container: 'service-mirror',
    adminPort: 'svcmi-admin',
    link: v.ref('targetClusterName'),
    probePrefix: 'probe-gateway-',
    image: v.fmt`${v.ref('controllerImage')}:${v.ref('controllerImageVersion')}`,
    logLevel: v.ref('logLevel'),
    logFormat: v.ref('logFormat'),
    retryLimit: v.ref('serviceMirrorRetryLimit'),
    headlessServices: v.truthy(v.ref('enableHeadlessServices')),
    namespaceCreation: v.truthy(v.ref('enableNamespaceCreation')),
    pprof: v.orElse(v.ref('enablePprof') as boolean, false),
    uid: v.ref('serviceMirrorUID'),
    gid: v.ref('serviceMirrorGID'),
    additionalEnv: v.ref('serviceMirrorAdditionalEnv'),
    experimentalEnv: v.ref('serviceMirrorExperimentalEnv'),
    resources: v.ref('resources'),
  });
}

class ServiceMirror extends Component {
  constructor(scope: Construct, id: string, v: Lv) {
    super(scope, id, 'service-mirror.yaml');
    const ns = v.release.namespace;
    const target = v.ref('targetClusterName');
    const name = v.fmt`linkerd-service-mirror-${target}`;
    const access = v.fmt`linkerd-service-mirror-access-local-resources-${target}`;
    const creds = v.fmt`linkerd-service-mirror-read-remote-creds-${target}`;
    const labels = extensionLabels(v, 'service-mirror', { extra: { 'mirror.linkerd.io/cluster-name': target } });
    new K8sObject(this, 'cluster-role', {
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: access, labels },
      rules: serviceMirrorLocalRules(v, v.truthy(v.ref('enableNamespaceCreation'))),
    });
    mirrorLinkRbac(this, v, { name, access, clusterRole: access, creds, link: target, labels });
    mirrorServiceAccount(this, v, name, labels);
    const selector = { component: 'linkerd-service-mirror', 'mirror.linkerd.io/cluster-name': target };
    const nodeAffinity = v.ref('nodeAffinity');
    mirrorDeployment(this, v, {
      name,
      labels,
      replicas: v.ref('replicas'),
      selector,
      antiAffinity: v.truthy(v.ref('enablePodAntiAffinity')),
      affinity: v.maybe(v.truthy(v.ref('enablePodAntiAffinity')), { ...podAntiAffinity('mirror.linkerd.io/cluster-name', target), nodeAffinity: v.maybe(v.truthy(nodeAffinity), nodeAffinity) }),
      container: linkServiceMirrorContainer(v),
      nodeSelector: v.ref('nodeSelector'),
      tolerations: v.ref('tolerations'),
    });
    v.when('enablePodAntiAffinity', () => {
      new K8sObject(this, 'pdb', {
        kind: 'PodDisruptionBudget',
        apiVersion: 'policy/v1',
        metadata: { name, namespace: ns, labels: { component: 'linkerd-service-mirror' }, annotations: createdBy(v) },
        spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
      });
    });
  }
}

class GatewayMirror extends Component {
  constructor(scope: Construct, id: string, v: Lv) {
    super(scope, id, 'gateway-mirror.yaml');
    const target = v.ref('targetClusterName');
    v.when('gateway.enabled', () => {
      new K8sObject(this, 'probe', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: v.fmt`probe-gateway-${target}`,
          namespace: v.release.namespace,
          labels: extensionLabels(v, undefined, { extra: { 'mirror.linkerd.io/mirrored-gateway': 'true', 'mirror.linkerd.io/cluster-name': target } }),
        },
        spec: { ports: [{ name: 'mc-probe', port: v.ref('gateway.probe.port'), protocol: 'TCP' }] },
      });
    });
  }
}

export const linkHaValues = { enablePodAntiAffinity: true, replicas: 3 } satisfies UserValues<LinkValues>;

export const linkerdMulticlusterLinkChart: ChartDefinition<typeof linkValues> = {
  name: 'linkerd-multicluster-link',
  description: 'A link from this cluster to another one for Linkerd multicluster: the service mirror for the target cluster and its gateway probe Service.',
  keywords: ['service-mesh', 'linkerd', 'multicluster'],
  values: linkValues,
  presets: { 'values-ha.yaml': linkHaValues },
  valuesHeader: valuesFileHeader('linkerd-multicluster-link', 'src/multicluster/link.ts'),
  readme: [
    '## Install',
    '',
    'One release per target cluster, in the namespace of linkerd-multicluster, after the Link and',
    'the Secret `cluster-credentials-<targetClusterName>` (type `mirror.linkerd.io/remote-kubeconfig`,',
    'key `kubeconfig`) exist there (see the README of the repository, "Linking two clusters"):',
    '',
    '```sh',
    'helm install linkerd-multicluster-link-west charts/linkerd-multicluster-link -n linkerd-multicluster --set targetClusterName=west',
    '```',
  ].join('\n'),
  notes: (v) => ['The service mirror for the cluster ', v.ref('targetClusterName'), ' is installed in the ', v.release.namespace, ' namespace.\n'],
  // Every object name and the credentials Secret derive from it: without one they are invalid names.
  rules: (v) => [rule('targetClusterName', v.not(v.truthy(v.ref('targetClusterName'))), 'required: the name of the target cluster, as in its Link')],
  build(chart, v) {
    forExtension(v, 'multicluster');
    new GatewayMirror(chart, 'gateway-mirror', v);
    new ServiceMirror(chart, 'service-mirror', v);
  },
};

export interface LinkerdMulticlusterLinkProps {
  /** Values, as for the Helm chart; `targetClusterName` is required. Validated: a bad key throws ValuesError naming it. */
  values: UserValues<LinkValues> & { targetClusterName: string };
  /** The namespace of linkerd-multicluster (where the Link and the credentials Secret are). Default `linkerd-multicluster`. */
  namespace?: string;
}

/**
 * The service mirror of one link:
 *
 *     new LinkerdMulticlusterLink(app, 'link-west', { values: { targetClusterName: 'west' } });
 */
export class LinkerdMulticlusterLink extends ConcreteChart<typeof linkValues> {
  constructor(scope: Construct, id: string, props: LinkerdMulticlusterLinkProps) {
    const release: Release = { name: id, namespace: props.namespace ?? 'linkerd-multicluster' };
    super(scope, id, linkerdMulticlusterLinkChart, props.values, release);
  }
}
