/** Argo CD delivery of dist/: valid objects, install order, and a project that admits exactly what dist/ holds. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { argoCdObjects, LINKERD_HEALTH, SYNC_WAVES } from '../src/argocd';
import { distFolders } from '../src/outputs';
import { scratchDir } from './support/render';
import { thirdPartyProblems } from './support/third-party-schema';

const root = join(__dirname, '..');
const folders = distFolders();
const out = argoCdObjects({ repo: 'https://git.example/mesh.git', revision: 'v1.2.3' }, folders);
const wave = (a: { metadata?: { annotations?: Record<string, string> } }) => Number(a.metadata?.annotations?.['argocd.argoproj.io/sync-wave']);
const app = (name: string) => out.applications.find((a) => a.metadata?.name === name)!;

describe('Argo CD objects', () => {
  it('validate against Argo CD\u2019s CRD schemas', () => {
    for (const o of [out.root, out.project, ...out.applications]) expect(thirdPartyProblems(o as never)).toEqual([]);
    expect(thirdPartyProblems({ ...app('linkerd-crds'), spec: { ...app('linkerd-crds').spec, destination: 'here' } } as never)).not.toEqual([]);
  });

  it('install in order: CRDs, certificates, control plane, then the extensions', () => {
    const order = ['linkerd-crds', 'linkerd-certificates', 'linkerd-control-plane', 'linkerd-viz'].map((n) => wave(app(n)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(new Set(out.applications.map(wave)).size).toBeGreaterThanOrEqual(3);
    expect(wave(app('linkerd-jaeger'))).toBeGreaterThan(wave(app('linkerd-control-plane')));
    // The CNI plugin is on the nodes before a cniEnabled control plane's pods are created.
    expect(wave(app('linkerd2-cni'))).toBeLessThan(wave(app('linkerd-control-plane')));
    expect(wave(out.project)).toBeLessThan(Math.min(...out.applications.map(wave)));
    expect(Object.keys(SYNC_WAVES).sort()).toEqual(folders.map((f) => f.folder).sort());
  });

  it('deploy every dist/ folder of the repository, into its namespace', () => {
    expect(out.applications.map((a) => a.spec.source?.path).sort()).toEqual(folders.map((f) => `dist/${f.folder}`).sort());
    for (const a of out.applications) {
      expect(existsSync(join(root, a.spec.source!.path!, 'kustomization.yaml')), a.spec.source?.path).toBe(true);
      expect(a.spec.source).toMatchObject({ repoURL: 'https://git.example/mesh.git', targetRevision: 'v1.2.3' });
      expect(a.spec.destination.namespace).toBe(folders.find((f) => `dist/${f.folder}` === a.spec.source?.path)?.namespace);
    }
    expect(out.root.spec.source?.path).toBe('dist/argocd/apps');
  });

  it('apply the CRDs server-side and leave injected CA bundles to cert-manager', () => {
    expect(app('linkerd-crds').spec.syncPolicy?.syncOptions).toContain('ServerSideApply=true');
    expect(app('linkerd-control-plane').spec.syncPolicy?.syncOptions).toContain('RespectIgnoreDifferences=true');
    const ignored = app('linkerd-control-plane').spec.ignoreDifferences ?? [];
    expect(ignored.map((i) => i.kind)).toEqual(expect.arrayContaining(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService']));
  });

  it('leave every namespace to its one Namespace object in dist/ (no CreateNamespace), applied no later than the folders that use it', () => {
    const owners = new Map<string, string[]>();
    for (const f of folders) for (const o of f.objects.map((r) => r.object as { kind: string; metadata: { name: string } })) if (o.kind === 'Namespace') owners.set(o.metadata.name, [...(owners.get(o.metadata.name) ?? []), f.folder]);
    for (const f of folders) {
      const a = app(f.folder);
      expect(a.spec.syncPolicy?.syncOptions, f.folder).not.toContain('CreateNamespace=true');
      expect(a.spec.syncPolicy?.managedNamespaceMetadata, f.folder).toBeUndefined();
      if (!f.objects.some((r) => (r.object as { metadata: { namespace?: string } }).metadata.namespace)) continue;
      expect(owners.get(f.namespace), `${f.namespace}: the folders holding its Namespace`).toHaveLength(1);
      const owner = app(owners.get(f.namespace)![0]);
      expect(Number(owner.metadata.annotations?.['argocd.argoproj.io/sync-wave']), `${f.folder} after its namespace`).toBeLessThanOrEqual(Number(a.metadata.annotations?.['argocd.argoproj.io/sync-wave']));
    }
    const cni = folders.find((f) => f.folder === 'linkerd2-cni')!.objects.find((r) => r.object.kind === 'Namespace')!.object as { metadata: { labels: Record<string, string> } };
    expect(cni.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged', 'config.linkerd.io/admission-webhooks': 'disabled' });
  });

  it('admit exactly the namespaces and cluster-scoped kinds dist/ holds', () => {
    const objects = folders.flatMap((f) => f.objects.map((o) => o.object as { apiVersion: string; kind: string; metadata: { namespace?: string } }));
    const allowed = new Set(out.project.spec?.clusterResourceWhitelist?.map((k) => `${k.group}/${k.kind}`));
    for (const o of objects.filter((x) => !x.metadata.namespace)) expect(allowed, o.kind).toContain(`${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`);
    const namespaces = new Set(out.project.spec?.destinations?.map((d) => d.namespace));
    for (const o of objects.filter((x) => x.metadata.namespace)) expect(namespaces, o.kind).toContain(o.metadata.namespace);
    expect(out.project.spec?.sourceRepos).toEqual(['https://git.example/mesh.git']);
  });
});

describe('Argo CD health checks (argocd-cm-patch.yaml)', () => {
  // Every Linkerd CRD the dist/ folders install, with whether its storage version has a status.
  const crds = folders.flatMap((f) => f.objects.map((r) => r.object as { kind: string; spec: { group: string; names: { kind: string }; versions: { storage: boolean; subresources?: { status?: object } }[] } }))
    .filter((o) => o.kind === 'CustomResourceDefinition' && /(^|\.)linkerd\.io$/.test(o.spec.group))
    .map((o) => ({ key: `resource.customizations.health.${o.spec.group}_${o.spec.names.kind}`, status: o.spec.versions.some((v) => v.storage && v.subresources?.status) }));

  it('cover every Linkerd kind: kinds with a status are judged from it, kinds without are Healthy once admitted', () => {
    expect(crds.length).toBeGreaterThanOrEqual(11);
    for (const c of crds) {
      expect(LINKERD_HEALTH[c.key], c.key).toBeDefined();
      expect(LINKERD_HEALTH[c.key].includes('obj.status'), c.key).toBe(c.status);
    }
    // And the Gateway API routes Linkerd serves.
    for (const k of ['gateway.networking.k8s.io_HTTPRoute', 'gateway.networking.k8s.io_GRPCRoute']) expect(LINKERD_HEALTH[`resource.customizations.health.${k}`]).toBe(LINKERD_HEALTH['resource.customizations.health.policy.linkerd.io_HTTPRoute']);
  });

  it('are in the argocd-cm patch dist/ ships', () => {
    const patch = load(readFileSync(join(root, 'dist', 'argocd', 'argocd-cm-patch.yaml'), 'utf8')) as { data: Record<string, string> };
    expect(patch.data).toMatchObject(LINKERD_HEALTH);
  });
});

describe('cdk8s-linkerd argocd', () => {
  const cli = runCli;

  it('writes the root Application, the apps and the argocd-cm patch, with progress lines', async () => {
    const dir = scratchDir('argocd');
    const r = await cli(['argocd', '--repo', 'https://git.example/mesh.git', '--revision', 'main', '-o', dir, '--apps-path', 'dist/argocd/apps']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[1\/\d+\] argocd root\.yaml/);
    const rootApp = load(readFileSync(join(dir, 'root.yaml'), 'utf8')) as { spec: { source: { repoURL: string } } };
    expect(rootApp.spec.source.repoURL).toBe('https://git.example/mesh.git');
    expect(existsSync(join(dir, 'apps', 'linkerd-control-plane.yaml'))).toBe(true);
    expect(load(readFileSync(join(dir, 'argocd-cm-patch.yaml'), 'utf8'))).toMatchObject({ data: { 'resource.customizations.health.argoproj.io_Application': expect.stringContaining('hs.status') } });
  });

  it('needs --repo and --revision, and has --help', async () => {
    expect((await cli(['argocd', '--revision', 'main'])).code).toBe(2);
    const help = await cli(['argocd', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--repo URL');
  });
});
