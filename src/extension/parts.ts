/**
 * Small typed pod and object parts that several extension components share: probes, the
 * restricted security context, the meshed ClusterIP Service. Each returns one Kubernetes model
 * (kubernetes-types), so a component composes its objects from named parts, as cdk8s-plus does.
 */
import type { Construct } from 'constructs';
import type { ConfigMap, Probe, Service, ServicePort } from 'kubernetes-types/core/v1';
import { K8sObject, type ObjectProps } from '../helm/object';
import type { HelmValues } from '../helm/values';
import { extensionMeta, extensionOf } from './metadata';

/** An HTTP GET probe on `path` and `port` (a number or a port's name), with its timing in the order given. */
export function httpProbe(path: string, port: number | string, timing: Omit<Probe, 'httpGet'> = {}): Probe {
  return { httpGet: { path, port }, ...timing };
}

/**
 * A ClusterIP Service of a meshed extension component, selecting its pods by extension and
 * `component`: metadata as extensionMeta gives it (`namespace` label when asked), annotated
 * `linkerd.io/inject: enabled` unless other annotations are given.
 */
export function meshedService<V>(
  scope: Construct,
  v: HelmValues<V>,
  o: { name: string; component: string; ports: ServicePort[]; namespaceLabel?: boolean; annotations?: Record<string, string> },
): K8sObject {
  return new K8sObject<ObjectProps & Service>(scope, 'service', {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: extensionMeta(v, o.name, o.component, { namespace: o.namespaceLabel, annotations: o.annotations ?? { 'linkerd.io/inject': 'enabled' } }),
    spec: { type: 'ClusterIP', selector: { 'linkerd.io/extension': extensionOf(v), component: o.component }, ports: o.ports },
  });
}

/** A ConfigMap of an extension component (with the `namespace` label unless `namespaceLabel: false`), holding `data`. */
export function componentConfigMap<V>(scope: Construct, v: HelmValues<V>, id: string, o: { name: string; component: string; data: Record<string, string>; namespaceLabel?: boolean }): K8sObject {
  return new K8sObject<ObjectProps & ConfigMap>(scope, id, {
    kind: 'ConfigMap',
    apiVersion: 'v1',
    metadata: extensionMeta(v, o.name, o.component, { namespace: o.namespaceLabel ?? true }),
    data: o.data,
  });
}
