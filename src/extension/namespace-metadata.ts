/**
 * The post-install Job that labels an extension's namespace (`linkerd.io/extension: <name>`),
 * which `linkerd <extension> check` reads. Helm hooks: it runs after install and is deleted
 * when it succeeds.
 */
import type { Construct } from 'constructs';
import type { Container, PodSpec } from 'kubernetes-types/core/v1';
import { Component, K8sObject } from '../helm/object';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME } from '../k8s/pod';
import type { HelmValues } from '../helm/values';
import { createdBy, extensionLabels, extensionOf, extensionServiceAccount, restrictedContainer, asExtension } from './metadata';
import { binding } from './rbac';

const NAME = 'namespace-metadata';

export interface NamespaceMetadataOptions {
  image: string;
  /** Left out when undefined (or empty in templates). */
  pullPolicy?: string;
  /** Arguments before and after `--extension NAME --namespace NS --linkerd-namespace NS`. */
  leadingArgs: string[];
  trailingArgs: string[];
  /** Name of the RoleBinding in the control plane namespace (default `<extension>-namespace-metadata-linkerd-config`). */
  configBindingName?: string;
  /** UID and GID of the container (default: defaultUID, defaultGID). */
  ids?: [number, number];
}

type Ev = ReturnType<typeof asExtension>;

/** Annotations of a post-install hook object with `weight`, deleted when it succeeds. */
function hookAnnotations(v: Ev, weight: string): Record<string, string> {
  return {
    ...createdBy(v),
    'helm.sh/hook': 'post-install',
    'helm.sh/hook-weight': weight,
    'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
  };
}

/** The Job's ServiceAccount, what it may do to its namespace, and its reading of linkerd-config. */
function namespaceMetadataRbac(scope: Construct, v: Ev, configBindingName: string | undefined): void {
  const ns = v.release.namespace;
  extensionServiceAccount(scope, v, NAME, undefined, { annotations: hookAnnotations(v, '0') });
  new K8sObject(scope, 'role', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { labels: extensionLabels(v), annotations: hookAnnotations(v, '0'), name: NAME, namespace: ns },
    rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'patch'], resourceNames: [ns] }],
  });
  binding(scope, v, { id: NAME, kind: 'RoleBinding', name: NAME, namespace: ns, annotations: hookAnnotations(v, '0'), role: { kind: 'Role', name: NAME }, serviceAccounts: [NAME] });
  binding(scope, v, {
    id: 'linkerd-config',
    kind: 'RoleBinding',
    name: configBindingName ?? `${extensionOf(v)}-namespace-metadata-linkerd-config`,
    namespace: v.ref('linkerdNamespace'),
    annotations: hookAnnotations(v, '0'),
    role: { kind: 'Role', name: 'ext-namespace-metadata-linkerd-config' },
    serviceAccounts: [NAME],
  });
}

/** The Job's container: labels the namespace with the extension's name. */
function namespaceMetadataContainer(v: Ev, o: NamespaceMetadataOptions): Container {
  return {
    name: NAME,
    image: o.image,
    imagePullPolicy: o.pullPolicy,
    securityContext: restrictedContainer(...(o.ids ?? [v.ref('defaultUID'), v.ref('defaultGID')])),
    volumeMounts: [KUBE_API_ACCESS_MOUNT],
    args: [...o.leadingArgs, '--extension', extensionOf(v), '--namespace', v.release.namespace, '--linkerd-namespace', v.ref('linkerdNamespace'), ...o.trailingArgs],
  };
}

/** The Job's pod spec: never meshed, never restarted, on the namespaceMetadata nodes. */
function namespaceMetadataPodSpec(v: Ev, o: NamespaceMetadataOptions): PodSpec {
  const tolerations = v.ref('namespaceMetadata.tolerations');
  const nodeSelector = v.ref('namespaceMetadata.nodeSelector');
  return {
    tolerations: v.maybe(v.truthy(tolerations), tolerations),
    nodeSelector: v.maybe(v.truthy(nodeSelector), nodeSelector),
    restartPolicy: 'Never',
    securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    serviceAccountName: NAME,
    automountServiceAccountToken: false,
    containers: [namespaceMetadataContainer(v, o)],
    volumes: [KUBE_API_ACCESS_VOLUME],
  } as PodSpec;
}

export class NamespaceMetadata<V = unknown> extends Component {
  constructor(scope: Construct, id: string, values: HelmValues<V>, o: NamespaceMetadataOptions) {
    super(scope, id, 'namespace-metadata.yaml');
    const v = asExtension(values);
    v.when('createNamespaceMetadataJob', () => {
      namespaceMetadataRbac(this, v, o.configBindingName);
      const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion') };
      new K8sObject(this, 'job', {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { annotations: hookAnnotations(v, '1'), labels: extensionLabels(v, undefined, { extra: labels }), name: NAME, namespace: v.release.namespace },
        spec: {
          template: {
            metadata: {
              annotations: { ...createdBy(v), 'linkerd.io/inject': 'disabled' },
              labels: { ...v.owned({ 'linkerd.io/extension': extensionOf(v) }), ...labels, ...v.spreadMap(v.ref('podLabels')) },
            },
            spec: namespaceMetadataPodSpec(v, o),
          },
        },
      });
    });
  }
}
