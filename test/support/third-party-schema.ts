/**
 * Custom resources of other projects that our charts render (cert-manager, trust-manager,
 * Prometheus Operator, Argo CD), checked with the validators that @kubernetes-models
 * generates from those projects' published CRDs: types, required fields, enums, formats.
 * Unknown fields are kept out by our TypeScript types (the components build these objects
 * against the same packages' interfaces), which these validators do not reject.
 */
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { Certificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import { Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer';
import { Bundle } from '@kubernetes-models/cert-manager/trust.cert-manager.io/v1alpha1/Bundle';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';

type Model = new (data: never) => { validate(): void };

const MODELS: Record<string, Model> = Object.fromEntries(
  ([Certificate, Issuer, ClusterIssuer, Bundle, PodMonitor, ServiceMonitor, Application, AppProject] as unknown as (Model & { apiVersion: string; kind: string })[]).map((m) => [
    `${m.apiVersion}/${m.kind}`,
    m,
  ]),
);

/** Problems of one object, or undefined when it is not one of these kinds. */
export function thirdPartyProblems(doc: { apiVersion: string; kind: string }): string[] | undefined {
  const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!model) return undefined;
  try {
    new model(doc as never).validate();
    return [];
  } catch (e) {
    return [`${doc.kind} ${(doc as { metadata?: { name?: string } }).metadata?.name}: ${(e as Error).message}`];
  }
}
