/**
 * Argo CD delivery of dist/: an AppProject and one Application per dist/ folder (app of
 * apps), with sync waves in install order, server-side apply where objects are too large
 * for client-side apply, and the CA bundles cert-manager injects left to cert-manager.
 */
import { join } from 'node:path';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import { CERTIFICATES_FOLDER } from './chart-registry';
import { objectOrder, yamlText } from './helm/yaml';
import { distFolders, writeTree, type DistFolder, type Progress } from './outputs';

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
  /**
   * Where the child Applications (the `apps/` folder written next to root.yaml) are in the
   * repository: the root Application syncs this path. Default `<path>/argocd/apps`.
   */
  appsPath?: string;
}

/** A problem with the options (one line), or undefined. */
export function argoCdOptionsProblem(o: ArgoCdOptions): string | undefined {
  if (!isGitUrl(o.repo)) return `--repo ${o.repo}: not a Git repository URL (expected https://host/path, ssh://user@host/path or user@host:path)`;
  if (o.revision.trim() === '' || /\s/.test(o.revision)) return `--revision ${JSON.stringify(o.revision)}: not a branch, tag or commit (empty or with spaces)`;
  for (const [flag, value] of [
    ['--path', o.path],
    ['--apps-path', o.appsPath],
  ] as const) {
    if (value !== undefined && !isRepoPath(value)) return `${flag} ${value}: not a path inside the repository (relative, without .. or empty parts)`;
  }
  const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  if (o.argoNamespace !== undefined && !(label.test(o.argoNamespace) && o.argoNamespace.length <= 63)) return `--argocd-namespace ${o.argoNamespace}: not a namespace name (lower-case letters, digits and -, at most 63)`;
  if (o.project !== undefined && !(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.project) && o.project.length <= 253)) return `--project ${o.project}: not an AppProject name (lower-case letters, digits, - and ., at most 253)`;
  return undefined;
}

/** The URL forms Argo CD clones from: http(s), ssh, git, file, and scp-like user@host:path. */
export function isGitUrl(repo: string): boolean {
  if (/\s/.test(repo)) return false;
  if (/^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:[^/].*$/.test(repo) || /^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:\/.+$/.test(repo)) return true;
  let u: URL;
  try {
    u = new URL(repo);
  } catch {
    return false;
  }
  if (!['https:', 'http:', 'ssh:', 'git:', 'git+ssh:', 'file:'].includes(u.protocol)) return false;
  return u.protocol === 'file:' ? u.pathname.length > 1 : u.hostname !== '' && u.pathname.length > 1;
}

function isRepoPath(p: string): boolean {
  const parts = p.replace(/\/+$/, '').split('/');
  return p !== '' && !p.startsWith('/') && parts.every((x) => x !== '' && x !== '.' && x !== '..');
}

const IN_CLUSTER = 'https://kubernetes.default.svc';

/**
 * Install order: CRDs (the Gateway API's and Linkerd's), then the certificates the control plane starts with and the CNI plugin
 * (on the nodes before a cniEnabled control plane's pods), then it, then the extensions.
 */
export const SYNC_WAVES: Record<string, number> = {
  'gateway-api-crds': 0,
  'linkerd-crds': 0,
  [CERTIFICATES_FOLDER]: 1,
  'linkerd2-cni': 1,
  'linkerd-control-plane': 2,
  'linkerd-viz': 3,
  'linkerd-jaeger': 3,
  'linkerd-multicluster': 3,
};

/** Folders whose objects are too large for client-side apply's last-applied annotation (CRDs, dashboards). */
const SERVER_SIDE = new Set(['gateway-api-crds', 'linkerd-crds', 'linkerd-viz']);

/** CA bundles that cert-manager injects (with cert-manager for the webhooks); Argo CD must not revert them. */
const INJECTED_CA_BUNDLES: NonNullable<IApplication['spec']['ignoreDifferences']> = [
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
  { group: 'apiregistration.k8s.io', kind: 'APIService', jsonPointers: ['/spec/caBundle'] },
];

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

function application(f: DistFolder, o: Required<ArgoCdOptions>): IApplication {
  // No CreateNamespace: each namespace is a Namespace object of one dist/ folder (labelled as its
  // pods need), applied in an earlier or the same wave as every folder that uses it.
  const syncOptions = ['RespectIgnoreDifferences=true', ...(SERVER_SIDE.has(f.folder) ? ['ServerSideApply=true'] : [])];
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
      // Namespace is among the kinds: dist/ holds the Namespace objects.
      clusterResourceWhitelist: clusterKinds,
    },
  };
}

/** The root Application (apply it once): it syncs the AppProject and the child Applications in `appsPath`. */
function root(o: Required<ArgoCdOptions>): IApplication {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'linkerd', namespace: o.argoNamespace, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
    spec: {
      project: 'default',
      source: { repoURL: o.repo, targetRevision: o.revision, path: o.appsPath },
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

const lua = (lines: string[]) => [...lines, ''].join('\n');

/**
 * Routes (Linkerd's policy.linkerd.io HTTPRoute and Gateway API's HTTPRoute and GRPCRoute), judged
 * from each parent's `Accepted` and `ResolvedRefs` conditions: Degraded when one is False,
 * Progressing until both are True for every parent, or while a condition carries an
 * `observedGeneration` older than the route's. Linkerd's policy controller writes no
 * `observedGeneration` (linkerd/linkerd2 issue 14964), so a condition without one counts as current.
 */
const ROUTE_HEALTH = lua([
  'local hs = { status = "Progressing", message = "Waiting for a parent to accept the route" }',
  'if obj.status == nil or obj.status.parents == nil or #obj.status.parents == 0 then return hs end',
  'local generation = obj.metadata.generation',
  'for _, parent in ipairs(obj.status.parents) do',
  '  local name = "?"',
  '  if parent.parentRef ~= nil and parent.parentRef.name ~= nil then name = parent.parentRef.name end',
  '  local found = {}',
  '  for _, c in ipairs(parent.conditions or {}) do',
  '    if c.observedGeneration ~= nil and generation ~= nil and c.observedGeneration < generation then',
  '      hs.message = "Parent " .. name .. ": " .. c.type .. " is about generation " .. c.observedGeneration .. ", the route is at " .. generation',
  '      return hs',
  '    end',
  '    if c.type == "Accepted" or c.type == "ResolvedRefs" then found[c.type] = c end',
  '  end',
  '  for _, t in ipairs({ "Accepted", "ResolvedRefs" }) do',
  '    local c = found[t]',
  '    if c ~= nil and c.status == "False" then',
  '      hs.status = "Degraded"',
  '      hs.message = "Parent " .. name .. ": " .. t .. " is False (" .. (c.reason or "") .. "): " .. (c.message or "")',
  '      return hs',
  '    end',
  '  end',
  '  for _, t in ipairs({ "Accepted", "ResolvedRefs" }) do',
  '    if found[t] == nil or found[t].status ~= "True" then',
  '      hs.message = "Parent " .. name .. ": waiting for " .. t',
  '      return hs',
  '    end',
  '  end',
  'end',
  'hs.status = "Healthy"',
  'hs.message = "Accepted by " .. #obj.status.parents .. " parent(s), references resolved"',
  'return hs',
]);

/**
 * Kinds whose controller reports `status.conditions` (EgressNetwork, HTTPLocalRateLimitPolicy,
 * ExternalWorkload): Degraded when a condition is False, Progressing until every condition is True.
 */
const CONDITIONS_HEALTH = lua([
  'local hs = { status = "Progressing", message = "Waiting for the controller to report conditions" }',
  'if obj.status == nil or obj.status.conditions == nil or #obj.status.conditions == 0 then return hs end',
  'for _, c in ipairs(obj.status.conditions) do',
  '  if c.status == "False" then',
  '    hs.status = "Degraded"',
  '    hs.message = c.type .. " is False (" .. (c.reason or "") .. "): " .. (c.message or "")',
  '    return hs',
  '  end',
  'end',
  'for _, c in ipairs(obj.status.conditions) do',
  '  if c.status ~= "True" then',
  '    hs.message = c.type .. " is " .. c.status .. ": " .. (c.message or "")',
  '    return hs',
  '  end',
  'end',
  'hs.status = "Healthy"',
  'hs.message = "Every condition is True"',
  'return hs',
]);

/**
 * Link: the service mirror reports one entry per mirrored (or federated) Service, each with
 * conditions. Degraded when a condition is False (the Services are named), Progressing while one
 * is Unknown, Healthy otherwise: a Link that mirrors nothing yet has no status and is Healthy.
 */
const LINK_HEALTH = lua([
  'local hs = { status = "Healthy", message = "" }',
  'if obj.status == nil then',
  '  hs.message = "No Service mirrored yet"',
  '  return hs',
  'end',
  'local failed, waiting, total = {}, {}, 0',
  'for _, list in ipairs({ obj.status.mirrorServices or {}, obj.status.federatedServices or {} }) do',
  '  for _, svc in ipairs(list) do',
  '    total = total + 1',
  '    local ref = svc.remoteRef or {}',
  '    local name = (ref.namespace or "?") .. "/" .. (ref.name or "?")',
  '    for _, c in ipairs(svc.conditions or {}) do',
  '      if c.status == "False" then table.insert(failed, name .. " (" .. (c.reason or c.type) .. ")")',
  '      elseif c.status ~= "True" then table.insert(waiting, name) end',
  '    end',
  '  end',
  'end',
  'if #failed > 0 then',
  '  hs.status = "Degraded"',
  '  hs.message = "Not mirrored: " .. table.concat(failed, ", ")',
  'elseif #waiting > 0 then',
  '  hs.status = "Progressing"',
  '  hs.message = "Mirroring: " .. table.concat(waiting, ", ")',
  'else',
  '  hs.message = total .. " Service(s) mirrored"',
  'end',
  'return hs',
]);

/** Kinds without a status (policy, authentication, ServiceProfile): the API server admitting them is all there is to judge. */
const ADMITTED_HEALTH = lua(['return { status = "Healthy", message = "Admitted (this kind has no status)" }']);

/** Health for each Linkerd kind (and the Gateway API routes Linkerd serves), keyed as argocd-cm keys them. */
export const LINKERD_HEALTH: Record<string, string> = Object.fromEntries(
  [
    ...['policy.linkerd.io_HTTPRoute', 'gateway.networking.k8s.io_HTTPRoute', 'gateway.networking.k8s.io_GRPCRoute'].map((k) => [k, ROUTE_HEALTH]),
    ...['policy.linkerd.io_EgressNetwork', 'policy.linkerd.io_HTTPLocalRateLimitPolicy', 'workload.linkerd.io_ExternalWorkload'].map((k) => [k, CONDITIONS_HEALTH]),
    ['multicluster.linkerd.io_Link', LINK_HEALTH],
    ...['policy.linkerd.io_AuthorizationPolicy', 'policy.linkerd.io_MeshTLSAuthentication', 'policy.linkerd.io_NetworkAuthentication', 'policy.linkerd.io_Server', 'policy.linkerd.io_ServerAuthorization', 'linkerd.io_ServiceProfile'].map((k) => [k, ADMITTED_HEALTH]),
  ].map(([kind, check]) => [`resource.customizations.health.${kind}`, check]),
);

export interface ArgoCdOutput {
  root: IApplication;
  project: IAppProject;
  applications: IApplication[];
}

export function argoCdObjects(options: ArgoCdOptions, folders: DistFolder[] = distFolders()): ArgoCdOutput {
  const path = (options.path ?? 'dist').replace(/\/+$/, '');
  const o: Required<ArgoCdOptions> = {
    repo: options.repo,
    revision: options.revision,
    path,
    argoNamespace: options.argoNamespace ?? 'argocd',
    project: options.project ?? 'linkerd',
    appsPath: (options.appsPath ?? `${path}/argocd/apps`).replace(/\/+$/, ''),
  };
  return { root: root(o), project: project(folders, o), applications: folders.map((f) => application(f, o)) };
}

const yaml = (x: unknown) => yamlText(x !== null && typeof x === 'object' && !Array.isArray(x) ? objectOrder(x as Record<string, unknown>) : x);

/**
 * Writes `dir/root.yaml`, `dir/apps/*.yaml` and `dir/argocd-cm-patch.yaml` (merge it into
 * argocd-cm). Other files in `dir` are left alone, and a file it did not write at one of these
 * paths is replaced only with `force` (see writeTree).
 */
export function writeArgoCd(dir: string, options: ArgoCdOptions, progress: Progress = () => {}, force = false): string[] {
  const out = argoCdObjects(options);
  const files: [string, unknown][] = [
    ['root.yaml', out.root],
    ['apps/project.yaml', out.project],
    ...out.applications.map((a): [string, unknown] => [`apps/${a.metadata?.name}.yaml`, a]),
    // A patch, not a ConfigMap: applying a whole argocd-cm would drop the rest of Argo CD's settings.
    ['argocd-cm-patch.yaml', { data: { ...APPLICATION_HEALTH, ...LINKERD_HEALTH } }],
  ];
  writeTree(dir, new Map(files.map(([file, obj]) => [file, yaml(obj)])), { command: 'argocd', progress, force });
  files.forEach(([file], i) => progress(`[${i + 1}/${files.length}] argocd ${file}`));
  return files.map(([f]) => join(dir, f));
}
