/**
 * The post-install Job that labels the viz namespace (`linkerd.io/extension: viz`) and
 * records the external Prometheus, which `linkerd viz check` reads. Helm hooks: it runs
 * after install and is deleted when it succeeds.
 */
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { KUBE_API_ACCESS_MOUNT, KUBE_API_ACCESS_VOLUME, createdBy, pullPolicy, restrictedContainer, vizLabels, vizServiceAccount, type Vv } from './metadata';
import { binding } from '../extension/rbac';

const NAME = 'namespace-metadata';

export class NamespaceMetadata extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'namespace-metadata.yaml');
    const ns = v.release.namespace;
    const hook = (weight: string) => ({
      ...createdBy(v),
      'helm.sh/hook': 'post-install',
      'helm.sh/hook-weight': weight,
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    v.when('createNamespaceMetadataJob', () => {
      vizServiceAccount(this, v, NAME, undefined, { annotations: hook('0') });
      new K8sObject(this, 'role', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { labels: vizLabels(v), annotations: hook('0'), name: NAME, namespace: ns },
        rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'patch'], resourceNames: [ns] }],
      });
      binding(this, v, { id: NAME, kind: 'RoleBinding', name: NAME, namespace: ns, annotations: hook('0'), role: { kind: 'Role', name: NAME }, serviceAccounts: [NAME] });
      binding(this, v, {
        id: 'linkerd-config',
        kind: 'RoleBinding',
        name: 'viz-namespace-metadata-linkerd-config',
        namespace: v.ref('linkerdNamespace'),
        annotations: hook('0'),
        role: { kind: 'Role', name: 'ext-namespace-metadata-linkerd-config' },
        serviceAccounts: [NAME],
      });

      const labels = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/part-of': 'Linkerd', 'app.kubernetes.io/version': v.ref('linkerdVersion') };
      const img = v.section('namespaceMetadata.image');
      const tolerations = v.ref('namespaceMetadata.tolerations');
      const prometheusUrl = v.ref('prometheusUrl');
      new K8sObject(this, 'job', {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { annotations: hook('1'), labels: vizLabels(v, undefined, { extra: labels }), name: NAME, namespace: ns },
        spec: {
          template: {
            metadata: {
              annotations: { ...createdBy(v), 'linkerd.io/inject': 'disabled' },
              labels: { 'linkerd.io/extension': 'viz', ...labels, ...v.spreadMap(v.ref('podLabels')) },
            },
            spec: {
              tolerations: v.maybe(v.truthy(tolerations), tolerations),
              nodeSelector: v.ref('namespaceMetadata.nodeSelector'),
              restartPolicy: 'Never',
              securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
              serviceAccountName: NAME,
              automountServiceAccountToken: false,
              containers: [
                {
                  name: NAME,
                  image: v.fmt`${v.orElse(img.registry, v.ref('defaultRegistry'))}/${img.name}:${img.tag}`,
                  imagePullPolicy: pullPolicy(v, 'namespaceMetadata'),
                  securityContext: restrictedContainer(v.ref('defaultUID'), v.ref('defaultGID')),
                  volumeMounts: [KUBE_API_ACCESS_MOUNT],
                  args: [
                    '--log-format',
                    v.ref('defaultLogFormat'),
                    '--log-level',
                    v.ref('defaultLogLevel'),
                    '--extension',
                    'viz',
                    '--namespace',
                    ns,
                    '--linkerd-namespace',
                    v.ref('linkerdNamespace'),
                    v.maybe(v.truthy(prometheusUrl), '--prometheus-url'),
                    v.maybe(v.truthy(prometheusUrl), prometheusUrl),
                  ],
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
