/** Values presets shipped with the linkerd-control-plane chart. */

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
};
