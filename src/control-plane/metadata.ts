/** Labels and annotations shared by the control-plane objects. */
import type { Container, EnvVar } from 'kubernetes-types/core/v1';
import type { Construct } from 'constructs';
import { K8sObject } from '../helm/object';
import { podAntiAffinity } from '../k8s/pod';
import type { HelmValues } from '../helm/values';
import type { ControlPlaneValues } from './values';

export type CpValues = HelmValues<ControlPlaneValues>;

/** `linkerd.io/control-plane-component` + `-ns` labels, and the user's commonLabels. */
export function componentLabels(v: CpValues, component: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    ...v.owned({ 'linkerd.io/control-plane-component': component, 'linkerd.io/control-plane-ns': v.release.namespace }),
    ...v.spreadMap(v.ref('commonLabels')),
  };
}

/** The `linkerd.io/created-by` annotation. */
export function createdBy(v: CpValues): Record<string, string> {
  return { 'linkerd.io/created-by': v.orElse(v.ref('cliVersion'), v.fmt`linkerd/helm ${v.ref('linkerdVersion')}`) };
}

/** Metadata of a namespaced control-plane object. */
export function meta(v: CpValues, name: string, component: string, opts: { annotations?: boolean; labels?: Record<string, string> } = {}) {
  return {
    name,
    namespace: v.release.namespace,
    labels: componentLabels(v, component, opts.labels),
    ...(opts.annotations === false ? {} : { annotations: createdBy(v) }),
  };
}

/** `image: name:tag` of a controller (tag defaults to linkerdVersion). */
export function controllerImage(v: CpValues): string {
  return v.fmt`${v.ref('controllerImage')}:${v.orElse(v.ref('controllerImageVersion'), v.ref('linkerdVersion'))}`;
}

/** The hardened security context of a controller container. */
export function controllerSecurityContext(v: CpValues) {
  return {
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: v.ref('controllerUID'),
    runAsGroup: v.maybe(v.ge(v.ref('controllerGID'), 0), v.ref('controllerGID')),
    allowPrivilegeEscalation: false,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}


/** Pod scheduling shared by the controllers (+ our per-component additions). */
export function podScheduling(v: CpValues, component: string, own: { priorityClassName: string; topologySpreadConstraints: unknown[] }) {
  const antiAffinity = podAntiAffinity('linkerd.io/control-plane-component', component);
  const nodeAffinity = v.ref('nodeAffinity');
  const priorityClassName = v.orElse(own.priorityClassName, v.ref('priorityClassName'));
  return {
    runtimeClassName: v.optional('runtimeClassName'),
    tolerations: v.optional('tolerations'),
    nodeSelector: v.ref('nodeSelector'),
    affinity: v.maybe(v.or('enablePodAntiAffinity', v.truthy(nodeAffinity)), {
      ...v.fields('enablePodAntiAffinity', antiAffinity),
      nodeAffinity: v.maybe(v.truthy(nodeAffinity), nodeAffinity),
    }),
    topologySpreadConstraints: v.maybe(v.truthy(own.topologySpreadConstraints), own.topologySpreadConstraints),
    priorityClassName: v.maybe(v.truthy(priorityClassName), priorityClassName),
  };
}

/** The controllers with their own values section (pod annotations, labels, scheduling). */
export type ControllerSection = 'identity' | 'destinationController' | 'proxyInjector';

export interface ControllerDeploymentOptions {
  name: string;
  component: string;
  section: ControllerSection;
  /** The Deployment's selector (upstream differs per controller). */
  selector: Record<string, string>;
  /** Pod annotations besides the common ones (checksums, opaque ports, default policy). */
  podAnnotations: Record<string, string>;
  containers: unknown[];
  initContainers: unknown[];
  volumes: unknown[];
}

/**
 * The Deployment of a meshed controller: labels, replicas, strategy, the proxy's pod
 * annotations (version, trust-root checksum), the user's pod annotations and labels merged
 * with the controller's own, scheduling, and the pod spec around the given containers.
 */
export function controllerDeployment(scope: Construct, v: CpValues, o: ControllerDeploymentOptions): K8sObject {
  const ns = v.release.namespace;
  return new K8sObject(scope, 'deployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: createdBy(v),
      labels: componentLabels(v, o.component, {
        'app.kubernetes.io/name': o.component,
        'app.kubernetes.io/part-of': 'Linkerd',
        'app.kubernetes.io/version': v.ref('linkerdVersion'),
      }),
      name: o.name,
      namespace: ns,
    },
    spec: {
      replicas: v.ref('controllerReplicas'),
      revisionHistoryLimit: v.ref('revisionHistoryLimit'),
      selector: { matchLabels: o.selector },
      strategy: v.optional('deploymentStrategy'),
      template: {
        metadata: {
          annotations: {
            ...createdBy(v),
            'linkerd.io/proxy-version': v.orElse(v.ref('proxy.image.version'), v.ref('linkerdVersion')),
            'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
            'linkerd.io/trust-root-sha256': v.sha256sum(v.ref('identityTrustAnchorsPEM')),
            ...v.spreadMap(v.merge(v.ref('podAnnotations'), v.ref(`${o.section}.podAnnotations`))),
            ...o.podAnnotations,
          },
          labels: {
            ...v.owned({
              'linkerd.io/control-plane-component': o.component,
              'linkerd.io/control-plane-ns': ns,
              'linkerd.io/workload-ns': ns,
              'linkerd.io/proxy-deployment': o.name,
            }),
            ...v.spreadMap(v.merge(v.ref('podLabels'), v.ref(`${o.section}.podLabels`))),
          },
        },
        spec: {
          ...podScheduling(v, o.component, {
            priorityClassName: v.ref(`${o.section}.priorityClassName`),
            topologySpreadConstraints: v.ref(`${o.section}.topologySpreadConstraints`),
          }),
          automountServiceAccountToken: false,
          containers: o.containers,
          initContainers: o.initContainers,
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          serviceAccountName: o.name,
          volumes: o.volumes,
        },
      },
    },
  });
}

/** A controller's ServiceAccount (with the image pull secrets). */
export function controllerServiceAccount(scope: Construct, v: CpValues, name: string, component: string): K8sObject {
  return new K8sObject(scope, 'service-account', {
    kind: 'ServiceAccount',
    apiVersion: 'v1',
    metadata: meta(v, name, component, { annotations: false }),
    imagePullSecrets: v.optional('imagePullSecrets'),
  });
}

/** An HTTP probe of a controller's admin server; the timeout is left out when unset. */
export function controllerProbe(v: CpValues, path: string, port: number | string, timeoutSeconds: number) {
  return { httpGet: { path, port }, timeoutSeconds: v.maybe(v.truthy(timeoutSeconds), timeoutSeconds) };
}

/** The sections of the control-plane values that configure one controller container. */
export type ControllerContainerSection = 'identity' | 'destinationController' | 'spValidator' | 'policyController' | 'proxyInjector';

/** A controller's liveness probe (after 10s) and readiness probe (7 failures) on its admin port, with the section's timeouts. */
export function controllerProbes(v: CpValues, live: string, port: number | string, section: ControllerContainerSection): Pick<Container, 'livenessProbe' | 'readinessProbe'> {
  return {
    livenessProbe: { ...controllerProbe(v, live, port, v.ref(`${section}.livenessProbe.timeoutSeconds`)), initialDelaySeconds: 10 },
    readinessProbe: { failureThreshold: 7, ...controllerProbe(v, '/ready', port, v.ref(`${section}.readinessProbe.timeoutSeconds`)) },
  };
}

/** A controller container's additional and experimental env from its section, the key left out when both are empty. */
export function controllerEnv(v: CpValues, section: 'destinationController' | 'spValidator' | 'proxyInjector'): EnvVar[] {
  const additional = v.ref(`${section}.additionalEnv`);
  const experimental = v.ref(`${section}.experimentalEnv`);
  return v.maybe(v.or(v.truthy(additional), v.truthy(experimental)), [...v.splice(additional), ...v.splice(experimental)]) as EnvVar[];
}
