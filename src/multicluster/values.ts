/**
 * Values of the linkerd-multicluster chart: upstream's keys (multicluster/charts/linkerd-multicluster
 * at edge-26.8.3) with the same defaults and meaning, strict at every level.
 */
import { Type } from '@sinclair/typebox';
import { namespaceMetadataImage } from '../extension/values';
import { labelMap, val } from '../values/model';
import { LINKERD_VERSION } from '../version';

/** A DNS-1123 label (object names built from it must be valid). */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const pullPolicy = (what: string, defaultValue: '' | 'IfNotPresent' = '') =>
  val.enum(['', 'Always', 'IfNotPresent', 'Never'] as const, defaultValue, { description: `Pull policy of the ${what} image${defaultValue ? '' : ' (empty: imagePullPolicy)'}.` });
const logLevel = (what: string) => val.enum(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic'] as const, 'info', { description: `Log level of the ${what}.` });
const logFormat = (what: string) => val.enum(['plain', 'json'] as const, 'plain', { description: `Log format of the ${what}.` });
const port = (defaultValue: number, description: string) => val.integer(defaultValue, { description, minimum: 1, maximum: 65535 });
const id = (what: string, kind: 'UID' | 'GID') => val.integer(2103, { description: `${kind} the ${what} runs as.`, minimum: 1 });
const nodePort = (what: string) => val.unset(Type.Integer({ minimum: 1, maximum: 65535, description: `nodePort of the ${what} (NodePort and LoadBalancer Services; empty: assigned by Kubernetes).` }), 30143);
const envList = (what: string) =>
  val.unset(
    Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), value: Type.Optional(Type.String()), valueFrom: Type.Optional(Type.Object({}, { additionalProperties: true })) }, { additionalProperties: false }), {
      description: `Environment variables of the ${what}.`,
    }),
    [{ name: 'EXAMPLE', value: 'on' }],
  );
const resources = (what: string) => val.kubernetesResources({ description: `Kubernetes resources (requests, limits) of the ${what} container.` });
const controllerImage = (what: string) =>
  val.object(
    {
      name: val.imageRepository('cr.l5d.io/linkerd/controller', { description: `Image of the ${what} (with its registry).` }),
      pullPolicy: pullPolicy(what),
      version: val.imageTag(LINKERD_VERSION, { description: `Tag of the ${what} image.` }),
    },
    { description: `The ${what} image.` },
  );

/** What every service mirror controller gets unless its entry of `controllers` overrides it. */
const controllerDefaults = val.object(
  {
    replicas: val.integer(1, { description: 'Replicas of each controller.', minimum: 0 }),
    image: controllerImage('controllers'),
    gateway: val.object(
      {
        enabled: val.boolean(true, { description: 'Links go through the remote gateway (a probe Service per link).' }),
        probe: val.object({ port: port(4191, 'Port of the remote gateway probe.') }, { description: 'The remote gateway probe.' }),
      },
      { description: 'The remote gateway.' },
    ),
    logLevel: logLevel('controllers'),
    logFormat: logFormat('controllers'),
    enableHeadlessServices: val.boolean(false, { description: 'Mirrors headless services as headless services.' }),
    enablePprof: val.boolean(false, { description: 'Serves pprof on the admin port.' }),
    UID: id('controllers', 'UID'),
    GID: id('controllers', 'GID'),
    retryLimit: val.integer(3, { description: 'Times an event is retried before it is dropped.', minimum: 0 }),
    resources: resources('controllers'),
    nodeSelector: val.labels({}, { description: 'nodeSelector of the controller pods.' }),
    tolerations: Type.Unsafe<Record<string, never> | unknown[]>({ type: ['array', 'object'], maxProperties: 0, default: {}, description: 'Tolerations of the controller pods (a list; upstream\u2019s default is an empty map).' }),
    enablePodAntiAffinity: val.boolean(false, { description: 'Spreads controller replicas across nodes and zones.' }),
    nodeAffinity: val.freeform({}, { description: 'Node affinity of the controller pods.' }),
  },
  { description: 'Settings of every controller, unless overridden in its entry of controllers.' },
);

export const multiclusterValues = val.object(
  {
    gateway: val.object(
      {
        enabled: val.boolean(true, { description: 'Installs the gateway through which linked clusters reach this cluster\u2019s exported services.' }),
        replicas: val.integer(1, { description: 'Replicas of the gateway.', minimum: 0 }),
        name: val.string('linkerd-gateway', { description: 'Name of the gateway Deployment, Service, ServiceAccount and their `app` label.', pattern: DNS_LABEL, maxLength: 63 }),
        port: port(4143, 'Port of the gateway Service that linked clusters connect to (the proxy\u2019s inbound port).'),
        nodePort: nodePort('gateway port'),
        serviceType: val.enum(['LoadBalancer', 'NodePort', 'ClusterIP'] as const, 'LoadBalancer', { description: 'Type of the gateway Service.' }),
        probe: val.object(
          {
            path: val.string('/ready', { description: 'HTTP path linked clusters probe the gateway on.', pattern: '^/' }),
            port: port(4191, 'Port of the probe (the proxy\u2019s admin port).'),
            nodePort: nodePort('probe port'),
            seconds: val.integer(3, { description: 'Seconds between probes (mirror.linkerd.io/probe-period).', minimum: 1 }),
          },
          { description: 'How linked clusters check that the gateway is alive.' },
        ),
        serviceAnnotations: val.annotations({}, { description: 'Annotations of the gateway Service (cloud load balancer settings).' }),
        serviceExternalTrafficPolicy: val.enum(['', 'Cluster', 'Local'] as const, '', { description: 'externalTrafficPolicy of the gateway Service (empty: the Kubernetes default).' }),
        healthCheckNodePort: val.unset(Type.Integer({ minimum: 1, maximum: 65535, description: 'healthCheckNodePort of the gateway Service (externalTrafficPolicy Local).' }), 30191),
        deploymentAnnotations: val.annotations({}, { description: 'Annotations of the gateway pods.' }),
        loadBalancerClass: val.string('', { description: 'loadBalancerClass of the gateway Service (empty: none).' }),
        loadBalancerIP: val.string('', { description: 'loadBalancerIP of the gateway Service (empty: none).' }),
        loadBalancerSourceRanges: val.list(Type.String({ minLength: 1 }), [], { description: 'Client CIDRs the load balancer accepts (empty: all).' }),
        terminationGracePeriodSeconds: val.intOrString('', { description: 'terminationGracePeriodSeconds of the gateway pods (empty: the Kubernetes default).', pattern: '^[0-9]*$' }),
        nodeSelector: val.labels({}, { description: 'nodeSelector of the gateway pods.' }),
        tolerations: val.freeform<unknown[]>([], { type: 'array', description: 'Tolerations of the gateway pods.' }),
        pauseImage: val.string('registry.k8s.io/pause:3.2', { description: 'Image of the gateway\u2019s placeholder container (the proxy does the work).', minLength: 1 }),
        UID: id('gateway (and the namespace-metadata Job)', 'UID'),
        GID: id('gateway (and the namespace-metadata Job)', 'GID'),
      },
      { description: 'The multicluster gateway.' },
    ),
    linkerdVersion: val.imageTag(LINKERD_VERSION, { description: 'The Linkerd version (version label, created-by annotation).' }),
    cliVersion: val.string('', { description: 'The whole linkerd.io/created-by annotation, as the linkerd CLI sets it (e.g. `linkerd/cli edge-26.8.3`); empty: `linkerd/helm <linkerdVersion>`.' }),
    podAnnotations: val.annotations({}, { description: 'Annotations added to the service mirror pods.' }),
    podLabels: val.labels({}, { description: 'Labels added to every pod of the extension.' }),
    commonLabels: val.labels({}, { description: 'Labels added to every object of the extension.' }),
    imagePullPolicy: val.enum(['Always', 'IfNotPresent', 'Never'] as const, 'IfNotPresent', { description: 'Pull policy of the namespace-metadata image when its own is empty.' }),
    imagePullSecrets: val.freeform<unknown[]>([], { type: 'array', description: 'Image pull secrets of the ServiceAccounts.' }),
    proxyOutboundPort: port(4140, 'The proxy\u2019s outbound port (read by the linkerd CLI).'),
    remoteMirrorServiceAccount: val.boolean(true, { description: 'Creates the ServiceAccount (with its token Secret and ClusterRole) that linked clusters\u2019 service mirrors use to read this cluster.' }),
    remoteMirrorServiceAccountName: val.string('linkerd-service-mirror-remote-access-default', {
      description: 'Name of that ServiceAccount, its ClusterRole and binding; its token Secret is `<name>-token`.',
      pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
      maxLength: 247,
    }),
    linkerdNamespace: val.dnsName('linkerd', { description: 'Namespace of the Linkerd control plane.', label: true }),
    identityTrustDomain: val.dnsName('cluster.local', { description: 'Trust domain of the mesh identities (the gateway identity annotation).' }),
    namespaceMetadata: val.object(
      {
        image: namespaceMetadataImage(pullPolicy('namespace-metadata')),
        nodeSelector: val.labels({}, { description: 'nodeSelector of the namespace-metadata Job.' }),
        tolerations: val.freeform<unknown[]>([], { type: 'array', description: 'Tolerations of the namespace-metadata Job.' }),
      },
      { description: 'The post-install Job that labels the namespace.' },
    ),
    enablePSP: Type.Literal(false, { default: false, description: 'Upstream\u2019s PodSecurityPolicy switch; PodSecurityPolicy is gone since Kubernetes 1.25, so only false is accepted.' }),
    enableNamespaceCreation: val.boolean(false, { description: 'Lets the service mirrors create the namespaces of mirrored services.' }),
    enablePodAntiAffinity: val.boolean(false, { description: 'Spreads gateway and local service mirror replicas across nodes and zones, with PodDisruptionBudgets.' }),
    nodeAffinity: val.unset(Type.Object({}, { additionalProperties: true, description: 'Node affinity of the gateway and local service mirror pods.' }), { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } }),
    nodeSelector: val.unset(labelMap({ description: 'nodeSelector of the local service mirror pods.' }), { 'kubernetes.io/os': 'linux' }),
    tolerations: val.unset(Type.Array(Type.Unknown(), { description: 'Tolerations of the local service mirror pods.' }), []),
    cniEnabled: val.unset(Type.Boolean({ description: 'With the CNI plugin: Pod Security \u201crestricted\u201d, not \u201cprivileged\u201d, on the namespace the constructs and dist/ render (the chart renders none).' }), true),
    createNamespaceMetadataJob: val.boolean(true, { description: 'A post-install Job labels the namespace as a Linkerd extension (`linkerd.io/extension: multicluster`).' }),
    revisionHistoryLimit: val.integer(10, { description: 'Old ReplicaSets kept for rollback.', minimum: 0 }),
    localServiceMirror: val.object(
      {
        serviceMirrorRetryLimit: val.integer(3, { description: 'Times an event is retried before it is dropped.', minimum: 0 }),
        federatedServiceSelector: val.string('mirror.linkerd.io/federated=member', { description: 'Label selector of the local services that join federated services.', minLength: 1 }),
        excludedLabels: val.string('', { description: 'Comma-separated label keys (or prefixes ending in `*`) not copied to federated services.' }),
        excludedAnnotations: val.string('', { description: 'Comma-separated annotation keys (or prefixes ending in `*`) not copied to federated services.' }),
        replicas: val.integer(1, { description: 'Replicas of the local service mirror.', minimum: 0 }),
        image: controllerImage('local service mirror'),
        logLevel: logLevel('local service mirror'),
        logFormat: logFormat('local service mirror'),
        enablePprof: val.boolean(false, { description: 'Serves pprof on the admin port.' }),
        UID: id('local service mirror', 'UID'),
        GID: id('local service mirror', 'GID'),
        resources: resources('local service mirror'),
        additionalEnv: envList('local service mirror'),
        experimentalEnv: envList('local service mirror (experimental settings)'),
      },
      { description: 'The local service mirror: federated services from local members.' },
    ),
    controllers: val.list(
      val.overrides({ link: Type.Object({ ref: Type.Object({ name: Type.String({ pattern: DNS_LABEL, maxLength: 40, description: 'Name of the Link (and of its target cluster).' }) }, { additionalProperties: false }) }, { additionalProperties: false }) }, controllerDefaults, {
        description: 'A service mirror controller: the Link it serves and overrides of controllerDefaults.',
      }),
      [],
      { description: 'One service mirror controller per Link in this cluster: `link.ref.name` and any key of controllerDefaults to override (the rest comes from controllerDefaults).' },
    ),
    controllerDefaults,
    serviceMirrorAdditionalEnv: envList('controllers'),
    serviceMirrorExperimentalEnv: envList('controllers (experimental settings)'),
  },
  { description: 'Values of the linkerd-multicluster chart.' },
);

/** The chart's values, generated from the schema above with each key's description and default (npm run synth). */
export type { MulticlusterValues } from './values.generated';
