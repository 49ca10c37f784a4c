import { linkerdMulticlusterChart } from '../../src/multicluster/chart';
import { describeChart } from '../support/chart-suite';

describeChart(linkerdMulticlusterChart, {
  release: { name: 'linkerd-multicluster', namespace: 'linkerd-multicluster' },
  presets: {
    'NodePort gateway with fixed ports': {
      gateway: { serviceType: 'NodePort', nodePort: 30143, probe: { nodePort: 30191, seconds: 10 }, serviceExternalTrafficPolicy: 'Local', healthCheckNodePort: 30200 },
    },
    'ClusterIP gateway: node ports left out': { gateway: { serviceType: 'ClusterIP', nodePort: 30143, probe: { nodePort: 30191 } } },
    'load balancer settings': {
      gateway: { loadBalancerClass: 'service.k8s.aws/nlb', loadBalancerIP: '203.0.113.7', loadBalancerSourceRanges: ['198.51.100.0/24'], serviceAnnotations: { 'example.com/lb': 'internal' }, terminationGracePeriodSeconds: 60 },
    },
    'no gateway, no remote access, namespace creation': { gateway: { enabled: false }, remoteMirrorServiceAccount: false, enableNamespaceCreation: true },
    'local service mirror tuned': {
      localServiceMirror: { replicas: 2, logLevel: 'debug', logFormat: 'json', enablePprof: true, excludedLabels: 'team,app.kubernetes.io/*', resources: { requests: { cpu: '10m' } }, additionalEnv: [{ name: 'A', value: '1' }], experimentalEnv: [{ name: 'B', value: '2' }] },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } },
    },
    'two service mirror controllers, one overriding controllerDefaults': {
      controllers: [
        { link: { ref: { name: 'west' } } },
        { link: { ref: { name: 'east' } }, replicas: 2, enablePodAntiAffinity: true, gateway: { enabled: false }, logLevel: 'debug', enablePprof: true, image: { version: 'edge-99' }, nodeSelector: { pool: 'mesh' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
      ],
      controllerDefaults: { enableHeadlessServices: true, gateway: { probe: { port: 4192 } } },
      serviceMirrorAdditionalEnv: [{ name: 'A', value: '1' }],
    },
    'labels and annotations everywhere': { commonLabels: { team: 'net' }, podLabels: { tier: 'mesh' }, podAnnotations: { 'example.com/a': 'b' }, gateway: { deploymentAnnotations: { 'example.com/c': 'd' } } },
  },
  randomRuns: 100,
  badValues: [
    { name: 'a trust domain with capitals', values: { identityTrustDomain: 'Cluster.Local' }, key: 'identityTrustDomain' },
    { name: 'a gateway Service annotation key with a space', values: { gateway: { serviceAnnotations: { 'bad key': 'x' } } }, key: 'gateway.serviceAnnotations.bad key' },
    { name: 'an unknown gateway Service type', values: { gateway: { serviceType: 'ExternalName' } }, key: 'serviceType' },
    { name: 'a gateway port out of range', values: { gateway: { port: 70000 } }, key: 'port' },
    { name: 'a gateway name that is no DNS label', values: { gateway: { name: 'Linkerd_Gateway' } }, key: 'name' },
    { name: 'a probe path without a slash', values: { gateway: { probe: { path: 'ready' } } }, key: 'path' },
    { name: 'a zero probe period', values: { gateway: { probe: { seconds: 0 } } }, key: 'seconds' },
    { name: 'a node port out of range', values: { gateway: { nodePort: 0 } }, key: 'nodePort' },
    { name: 'an unknown externalTrafficPolicy', values: { gateway: { serviceExternalTrafficPolicy: 'Nearest' } }, key: 'serviceExternalTrafficPolicy' },
    { name: 'a grace period as text', values: { gateway: { terminationGracePeriodSeconds: 'soon' } }, key: 'terminationGracePeriodSeconds' },
    { name: 'negative gateway replicas', values: { gateway: { replicas: -1 } }, key: 'replicas' },
    { name: 'root gateway UID', values: { gateway: { UID: 0 } }, key: 'UID' },
    { name: 'an unknown log level', values: { localServiceMirror: { logLevel: 'verbose' } }, key: 'logLevel' },
    { name: 'an unknown log format', values: { controllerDefaults: { logFormat: 'xml' } }, key: 'logFormat' },
    { name: 'a PodSecurityPolicy', values: { enablePSP: true }, key: 'enablePSP' },
    { name: 'a string for a boolean', values: { remoteMirrorServiceAccount: 'yes' }, key: 'remoteMirrorServiceAccount' },
    { name: 'a list of remote access names', values: { remoteMirrorServiceAccountName: 'a,b' }, key: 'remoteMirrorServiceAccountName' },
    { name: 'an unknown top-level key', values: { gatewayReplicas: 3 }, key: 'gatewayReplicas' },
    { name: 'an unknown nested key', values: { localServiceMirror: { image: { tag: 'x' } } }, key: 'tag' },
    { name: 'an env entry without a name', values: { localServiceMirror: { additionalEnv: [{ value: 'x' }] } }, key: 'name' },
    { name: 'a controller without its Link', values: { controllers: [{ replicas: 2 }] }, key: 'link' },
    { name: 'a controller Link that is not a DNS label', values: { controllers: [{ link: { ref: { name: 'East_1' } } }] }, key: 'name' },
    { name: 'an unknown key in a controller', values: { controllers: [{ link: { ref: { name: 'east' } }, replica: 2 }] }, key: 'replica' },
    { name: 'a controller override of the wrong type', values: { controllers: [{ link: { ref: { name: 'east' } }, gateway: { probe: { port: 'probe' } } }] }, key: 'port' },
    { name: 'an empty controller image tag', values: { controllerDefaults: { image: { version: '' } } }, key: 'version' },
  ],
});
