/**
 * Argo CD delivery of dist/: an AppProject and one Application per dist/ folder (app of
 * apps), with sync waves in install order, server-side apply where objects are too large
 * for client-side apply, and the CA bundles cert-manager injects left to cert-manager.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { dump } from 'js-yaml';
import { CERTIFICATES_FOLDER } from './charts';
import { YAML_OPTS } from './helm/emit';
import { distFolders, type DistFolder, type Progress } from './outputs';

export interface ArgoCdOptions {
  /** The Git repository that holds dist/. */
  repo: string;
  /** The branch, tag or commit Argo CD follows. */
  revision: string;
  /** Where dist/ is inside the repository. Default `dist`. */
  path?: string;
  /** Argo CD's namespace. Default `argocd`. */
  argoNamespace?: string;
  /** The AppProject's name. Default `linkerd`. */
  project?: string;
}

const IN_CLUSTER = 'https://kubernetes.default.svc';

/** Install order: CRDs, then the certificates the control plane starts with, then it, then the extensions. */
export const SYNC_WAVES: Record<string, number> = {
  'linkerd-crds': 0,
  [CERTIFICATES_FOLDER]: 1,
  'linkerd-control-plane': 2,
  'linkerd-viz': 3,
  'linkerd-jaeger': 3,
};

/** Folders whose objects are too large for client-side apply's last-applied annotation (CRDs, dashboards). */
const SERVER_SIDE = new Set(['linkerd-crds', 'linkerd-viz']);

/** CA bundles that cert-manager injects (with cert-manager for the webhooks); Argo CD must not revert them. */
const INJECTED_CA_BUNDLES: NonNullable<IApplication['spec']['ignoreDifferences']> = [
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'apiregistration.k8s.io', kind: 'APIService', jsonPointers: ['/spec/caBundle'] },
];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

function application(f: DistFolder, o: Required<ArgoCdOptions>): IApplication {
  const syncOptions = ['CreateNamespace=true', 'RespectIgnoreDifferences=true', ...(SERVER_SIDE.has(f.folder) ? ['ServerSideApply=true'] : [])];
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: f.folder,
      namespace: o.argoNamespace,
      annotations: { 'argocd.argoproj.io/sync-wave': String(SYNC_WAVES[f.folder] ?? 4) },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    },
    spec: {
      project: o.project,
      source: { repoURL: o.repo, targetRevision: o.revision, path: `${o.path}/${f.folder}` },
      destination: { server: IN_CLUSTER, namespace: f.namespace },
      ignoreDifferences: INJECTED_CA_BUNDLES,
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions,
        retry: { limit: 10, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
      },
    },
  };
}

/** The AppProject: this repository only, the namespaces and cluster-scoped kinds dist/ holds, nothing else. */
function project(folders: DistFolder[], o: Required<ArgoCdOptions>): IAppProject {
  const objects = folders.flatMap((f) => f.objects.map((r) => r.object as { apiVersion: string; kind: string; metadata: { namespace?: string } }));
  const namespaces = [...new Set([...folders.map((f) => f.namespace), ...objects.flatMap((d) => (d.metadata.namespace ? [d.metadata.namespace] : []))])].sort();
  const clusterKinds = [...new Map(objects.filter((d) => !d.metadata.namespace).map((d) => [`${groupOf(d.apiVersion)}/${d.kind}`, { group: groupOf(d.apiVersion), kind: d.kind }])).values()].sort(
    (a, b) => `${a.group}/${a.kind}`.localeCompare(`${b.group}/${b.kind}`),
  );
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: o.project, namespace: o.argoNamespace, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
    spec: {
      description: 'The Linkerd service mesh, from cdk8s-linkerd dist/.',
      sourceRepos: [o.repo],
      destinations: namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
      // Namespace: the Applications create their namespaces (CreateNamespace=true).
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }, ...clusterKinds],
    },
  };
}

/** The root Application (apply it once): it syncs the AppProject and the child Applications in `<path>/argocd/apps`. */
function root(o: Required<ArgoCdOptions>): IApplication {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'linkerd', namespace: o.argoNamespace, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL: o.repo, targetRevision: o.revision, path: `${o.path}/argocd/apps` },
      destination: { server: IN_CLUSTER, namespace: o.argoNamespace },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
  };
}

/**
 * Argo CD does not wait for a child Application's health (so for the control plane before
 * the extensions) unless told how to assess Applications; this is the argocd-cm entry.
 */
export const APPLICATION_HEALTH = {
  'resource.customizations.health.argoproj.io_Application': [
    'hs = {}',
    'hs.status = "Progressing"',
    'hs.message = ""',
    'if obj.status ~= nil and obj.status.health ~= nil then',
    '  hs.status = obj.status.health.status',
    '  if obj.status.health.message ~= nil then hs.message = obj.status.health.message end',
    'end',
    'return hs',
    '',
  ].join('\n'),
};

export interface ArgoCdOutput {
  root: IApplication;
  project: IAppProject;
  applications: IApplication[];
}

export function argoCdObjects(options: ArgoCdOptions, folders: DistFolder[] = distFolders()): ArgoCdOutput {
  const o: Required<ArgoCdOptions> = {
    repo: options.repo,
    revision: options.revision,
    path: (options.path ?? 'dist').replace(/\/+$/, ''),
    argoNamespace: options.argoNamespace ?? 'argocd',
    project: options.project ?? 'linkerd',
  };
  return { root: root(o), project: project(folders, o), applications: folders.map((f) => application(f, o)) };
}

const yaml = (x: unknown) => dump(x, YAML_OPTS);

/** Writes `dir/root.yaml`, `dir/apps/*.yaml` and `dir/argocd-cm-patch.yaml` (merge it into argocd-cm). */
export function writeArgoCd(dir: string, options: ArgoCdOptions, progress: Progress = () => {}): string[] {
  const out = argoCdObjects(options);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'apps'), { recursive: true });
  const files: [string, unknown][] = [
    ['root.yaml', out.root],
    [join('apps', 'project.yaml'), out.project],
    ...out.applications.map((a): [string, unknown] => [join('apps', `${a.metadata?.name}.yaml`), a]),
    // A patch, not a ConfigMap: applying a whole argocd-cm would drop the rest of Argo CD's settings.
    ['argocd-cm-patch.yaml', { data: APPLICATION_HEALTH }],
  ];
  files.forEach(([file, obj], i) => {
    writeFileSync(join(dir, file), yaml(obj));
    progress(`[${i + 1}/${files.length}] argocd ${file}`);
  });
  return files.map(([f]) => join(dir, f));
}
