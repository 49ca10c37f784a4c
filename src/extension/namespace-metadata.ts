/**
 * The post-install Job that labels an extension's namespace (`linkerd.io/extension: <name>`),
 * which `linkerd <extension> check` reads. Helm hooks: it runs after install and is deleted
 * when it succeeds.
 */
import type { Construct } from 'constructs';
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

export class NamespaceMetadata<V = unknown> extends Component {
  constructor(scope: Construct, id: string, values: HelmValues<V>, o: NamespaceMetadataOptions) {
    super(scope, id, 'namespace-metadata.yaml');
    const v = asExtension(values);
    const ns = v.release.namespace;
    const hook = (weight: string) => ({
      ...createdBy(v),
      'helm.sh/hook': 'post-install',
      'helm.sh/hook-weight': weight,
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    v.when('createNamespaceMetadataJob', () => {
      extensionServiceAccount(this, v, NAME, undefined, { annotations: hook('0') });
      new K8sObject(this, 'role', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { labels: extensionLabels(v), annotations: hook('0'), name: NAME, namespace: ns },
        rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'patch'], resourceNames: [ns] }],
      });
      binding(this, v, { id: NAME, kind: 'RoleBinding', name: NAME, namespace: ns, annotations: hook('0'), role: { kind: 'Role', name: NAME }, serviceAccounts: [NAME] });
      binding(this, v, {
        id: 'linkerd-config',
        kind: 'RoleBinding',
        name: o.configBindingName ?? `${extensionOf(v)}-namespace-metadata-linkerd-config`,
        namespace: v.ref('linkerdNamespace'),
        annotations: hook('0'),
        role: { kind: 'Role', name: 'ext-namespace-metadata-linkerd-config' },
        serviceAccounts: [NAME],
      });

      const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion') };
      const tolerations = v.ref('namespaceMetadata.tolerations');
      const nodeSelector = v.ref('namespaceMetadata.nodeSelector');
      new K8sObject(this, 'job', {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { annotations: hook('1'), labels: extensionLabels(v, undefined, { extra: labels }), name: NAME, namespace: ns },
        spec: {
          template: {
            metadata: {
              annotations: { ...createdBy(v), 'linkerd.io/inject': 'disabled' },
              labels: { ...v.owned({ 'linkerd.io/extension': extensionOf(v) }), ...labels, ...v.spreadMap(v.ref('podLabels')) },
            },
            spec: {
              tolerations: v.maybe(v.truthy(tolerations), tolerations),
              nodeSelector: v.maybe(v.truthy(nodeSelector), nodeSelector),
              restartPolicy: 'Never',
              securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
              serviceAccountName: NAME,
              automountServiceAccountToken: false,
              containers: [
                {
                  name: NAME,
                  image: o.image,
                  imagePullPolicy: o.pullPolicy,
                  securityContext: restrictedContainer(...(o.ids ?? [v.ref('defaultUID'), v.ref('defaultGID')])),
                  volumeMounts: [KUBE_API_ACCESS_MOUNT],
                  args: [...o.leadingArgs, '--extension', extensionOf(v), '--namespace', ns, '--linkerd-namespace', v.ref('linkerdNamespace'), ...o.trailingArgs],
                },
              ],
              volumes: [KUBE_API_ACCESS_VOLUME],
            },
          },
        },
      });
    });
  }
}
