/** RBAC objects of the extension components. */
import type { Construct } from 'constructs';
import { K8sObject } from '../helm/object';
import type { HelmValues } from '../helm/values';
import { asExtension, extensionLabels } from './metadata';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const RBAC = 'rbac.authorization.k8s.io/v1';

/** A ClusterRole; `id` names the construct (the name may be symbolic). */
export function clusterRole<V>(scope: Construct, values: HelmValues<V>, id: string, name: string, component: string | undefined, rules: PolicyRule[]) {
  const v = asExtension(values);
  return new K8sObject(scope, `cluster-role-${id}`, { kind: 'ClusterRole', apiVersion: RBAC, metadata: { name, labels: extensionLabels(v, component) }, rules });
}

/** A (Cluster)RoleBinding of a role to viz ServiceAccounts in the release namespace. */
export function binding<V>(
  scope: Construct,
  values: HelmValues<V>,
  o: { id: string; kind: 'ClusterRoleBinding' | 'RoleBinding'; name: string; namespace?: string; component?: string; labels?: Record<string, string>; annotations?: Record<string, string>; role: { kind: 'ClusterRole' | 'Role'; name: string }; serviceAccounts: string[] },
) {
  const v = asExtension(values);
  return new K8sObject(scope, `${o.kind}-${o.id}`, {
    kind: o.kind,
    apiVersion: RBAC,
    metadata: {
      name: o.name,
      ...(o.namespace ? { namespace: o.namespace } : {}),
      labels: o.labels ?? extensionLabels(v, o.component),
      ...(o.annotations ? { annotations: o.annotations } : {}),
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: o.role.kind, name: o.role.name },
    subjects: o.serviceAccounts.map((sa) => ({ kind: 'ServiceAccount', name: sa, namespace: v.release.namespace })),
  });
}
