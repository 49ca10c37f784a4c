/** Values presets shipped with the linkerd-control-plane chart. */
import type { UserValues } from '../helm/chart';
import type { ControlPlaneValues } from './values';

const controllerResources = { cpu: { limit: '', request: '100m' }, memory: { limit: '250Mi', request: '50Mi' } };

/**
 * High availability: three replicas of each controller spread across nodes and zones,
 * disruption budgets, resource requests and limits, and a webhook that fails closed.
 * Same keys and settings as upstream's values-ha.yaml.
 */
export const haValues = {
  enablePodDisruptionBudget: true,
  controller: { podDisruptionBudget: { maxUnavailable: 1 } },
  deploymentStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
  enablePodAntiAffinity: true,
  proxy: { resources: { cpu: { request: '100m' }, memory: { limit: '250Mi', request: '20Mi' } } },
  controllerReplicas: 3,
  controllerResources,
  destinationResources: controllerResources,
  identityResources: { cpu: controllerResources.cpu, memory: { limit: '250Mi', request: '10Mi' } },
  heartbeatResources: controllerResources,
  proxyInjectorResources: controllerResources,
  webhookFailurePolicy: 'Fail',
  spValidatorResources: controllerResources,
  highAvailability: true,
} satisfies UserValues<ControlPlaneValues>;

/**
 * GitOps: no certificate or key is generated at render time or carried in the values, so
 * every render gives the same bytes and the output holds no secret. cert-manager issues the
 * identity issuer (from the trust anchor's issuer, ClusterIssuer `linkerd-trust-anchor` by
 * default) and the three webhook certificates (from a self-signed CA the chart sets up) and
 * injects the webhooks' CA bundles; trust-manager writes the linkerd-identity-trust-roots
 * ConfigMap from the trust anchor Secret. Only the public trust anchor stays a value.
 */
export const gitopsValues = {
  identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } },
  certManager: { identityIssuer: { enabled: true }, webhooks: { enabled: true } },
  trustManager: { enabled: true },
} satisfies UserValues<ControlPlaneValues>;
