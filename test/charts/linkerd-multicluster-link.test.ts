import { linkerdMulticlusterLinkChart } from '../../src/multicluster/link';
import { describeChart } from '../support/chart-suite';

describeChart(linkerdMulticlusterLinkChart, {
  release: { name: 'linkerd-multicluster-link-west', namespace: 'linkerd-multicluster' },
  baseValues: { targetClusterName: 'west' },
  presets: {
    'values-ha.yaml with node affinity': {
      enablePodAntiAffinity: true,
      replicas: 3,
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } },
    },
    'headless services, namespace creation, pprof, env': {
      enableHeadlessServices: true,
      enableNamespaceCreation: true,
      enablePprof: true,
      serviceMirrorAdditionalEnv: [{ name: 'A', value: '1' }],
      serviceMirrorExperimentalEnv: [{ name: 'B', value: '2' }],
    },
    'no gateway (remote discovery only), scheduling, labels': {
      gateway: { enabled: false },
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [{ key: 'dedicated', operator: 'Exists' }],
      commonLabels: { team: 'net' },
      podLabels: { tier: 'mesh' },
      podAnnotations: { 'example.com/a': 'b' },
      resources: { requests: { cpu: '10m', memory: '32Mi' } },
    },
  },
  randomRuns: 100,
  badValues: [
    { name: 'no target cluster name', values: { targetClusterName: '' }, key: 'targetClusterName' },
    { name: 'a target name that is no DNS label', values: { targetClusterName: 'West_1' }, key: 'targetClusterName' },
    { name: 'a target name too long for object names', values: { targetClusterName: 'a'.repeat(41) }, key: 'targetClusterName' },
    { name: 'a probe port out of range', values: { gateway: { probe: { port: 0 } } }, key: 'port' },
    { name: 'negative replicas', values: { replicas: -1 }, key: 'replicas' },
    { name: 'root UID', values: { serviceMirrorUID: 0 }, key: 'serviceMirrorUID' },
    { name: 'an unknown log level', values: { logLevel: 'verbose' }, key: 'logLevel' },
    { name: 'an unknown log format', values: { logFormat: 'xml' }, key: 'logFormat' },
    { name: 'a negative retry limit', values: { serviceMirrorRetryLimit: -1 }, key: 'serviceMirrorRetryLimit' },
    { name: 'a PodSecurityPolicy', values: { enablePSP: true }, key: 'enablePSP' },
    { name: 'a string for a boolean', values: { enableHeadlessServices: 'yes' }, key: 'enableHeadlessServices' },
    { name: 'an unknown top-level key', values: { targetCluster: 'west' }, key: 'targetCluster' },
    { name: 'an unknown nested key', values: { gateway: { port: 4143 } }, key: 'port' },
    { name: 'an env entry without a name', values: { serviceMirrorAdditionalEnv: [{ value: 'x' }] }, key: 'name' },
    { name: 'an empty image tag', values: { controllerImageVersion: '' }, key: 'controllerImageVersion' },
    { name: 'an empty image', values: { controllerImage: '' }, key: 'controllerImage' },
    { name: 'a label map with a number', values: { podLabels: { tier: 1 } }, key: 'tier' },
  ],
});
