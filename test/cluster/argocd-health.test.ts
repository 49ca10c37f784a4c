/**
 * The Lua health checks of dist/argocd/argocd-cm-patch.yaml, judged by the real Argo CD (v3.2.11,
 * built from Go modules: `argocd admin settings resource-overrides health`, Argo CD's own Lua
 * runtime reading the ConfigMap), for objects of Linkerd's kinds with the status the test gives them.
 * Without a check, Argo CD has no verdict on Linkerd's kinds, and the test fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CLUSTER_DIR } from '../../scripts/cluster/cluster';
import { toolPath } from '../../scripts/cluster/tools';
import { ROOT } from './support/cluster';

const DIR = join(CLUSTER_DIR, 'argocd-health');
const patch = load(readFileSync(join(ROOT, 'dist', 'argocd', 'argocd-cm-patch.yaml'), 'utf8')) as { data: Record<string, string> };

function verdict(obj: object, data: Record<string, string> = patch.data): string {
  mkdirSync(DIR, { recursive: true });
  writeFileSync(join(DIR, 'argocd-cm.yaml'), dump({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'argocd-cm', namespace: 'argocd' }, data }));
  writeFileSync(join(DIR, 'object.yaml'), dump(obj));
  const out = execFileSync(toolPath('argocd'), ['admin', 'settings', 'resource-overrides', 'health', join(DIR, 'object.yaml'), '--argocd-cm-path', join(DIR, 'argocd-cm.yaml')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ARGOCD_BINARY_NAME: 'argocd' },
  });
  return /STATUS: (\w+)/.exec(out)?.[1] ?? out.trim();
}

const cond = (type: string, status: string, extra: Record<string, unknown> = {}) => ({ type, status, reason: 'Test', message: `${type} ${status}`, lastTransitionTime: '2026-01-01T00:00:00Z', ...extra });
const route = (apiVersion: string, kind: string, conditions: object[] | undefined) => ({
  apiVersion,
  kind,
  metadata: { name: 'web', namespace: 'shop', generation: 2 },
  ...(conditions ? { status: { parents: [{ parentRef: { group: 'policy.linkerd.io', kind: 'Server', name: 'web' }, controllerName: 'linkerd.io/policy-controller', conditions }] } } : {}),
});
const withConditions = (apiVersion: string, kind: string, conditions?: object[]) => ({ apiVersion, kind, metadata: { name: 'x', namespace: 'shop' }, ...(conditions ? { status: { conditions } } : {}) });
const link = (conditions?: object[]) => ({
  apiVersion: 'multicluster.linkerd.io/v1alpha3',
  kind: 'Link',
  metadata: { name: 'west', namespace: 'linkerd-multicluster' },
  ...(conditions ? { status: { mirrorServices: [{ controllerName: 'linkerd.io/service-mirror', remoteRef: { name: 'web', namespace: 'shop' }, conditions }] } } : {}),
});

const ROUTES: [string, string][] = [
  ['policy.linkerd.io/v1beta3', 'HTTPRoute'],
  ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
  ['gateway.networking.k8s.io/v1', 'GRPCRoute'],
];

const CASES: { what: string; obj: object; want: string }[] = [
  ...ROUTES.flatMap(([v, k]) => [
    { what: `${k} (${v}) without status`, obj: route(v, k, undefined), want: 'Progressing' },
    { what: `${k} (${v}) accepted, resolved, no observedGeneration (as Linkerd writes it)`, obj: route(v, k, [cond('Accepted', 'True'), cond('ResolvedRefs', 'True')]), want: 'Healthy' },
    { what: `${k} (${v}) accepted and resolved at the current generation`, obj: route(v, k, [cond('Accepted', 'True', { observedGeneration: 2 }), cond('ResolvedRefs', 'True', { observedGeneration: 2 })]), want: 'Healthy' },
    { what: `${k} (${v}) with conditions about an older generation`, obj: route(v, k, [cond('Accepted', 'True', { observedGeneration: 1 }), cond('ResolvedRefs', 'True', { observedGeneration: 1 })]), want: 'Progressing' },
    { what: `${k} (${v}) not accepted`, obj: route(v, k, [cond('Accepted', 'False'), cond('ResolvedRefs', 'True')]), want: 'Degraded' },
    { what: `${k} (${v}) with a reference that does not resolve`, obj: route(v, k, [cond('Accepted', 'True'), cond('ResolvedRefs', 'False')]), want: 'Degraded' },
  ]),
  ...([['policy.linkerd.io/v1alpha1', 'EgressNetwork', 'Accepted'], ['policy.linkerd.io/v1alpha1', 'HTTPLocalRateLimitPolicy', 'Accepted'], ['workload.linkerd.io/v1beta1', 'ExternalWorkload', 'Ready']] as const).flatMap(([v, k, t]) => [
    { what: `${k} without status`, obj: withConditions(v, k), want: 'Progressing' },
    { what: `${k} ${t} True`, obj: withConditions(v, k, [cond(t, 'True')]), want: 'Healthy' },
    { what: `${k} ${t} Unknown`, obj: withConditions(v, k, [cond(t, 'Unknown')]), want: 'Progressing' },
    { what: `${k} ${t} False`, obj: withConditions(v, k, [cond(t, 'False')]), want: 'Degraded' },
  ]),
  { what: 'Link mirroring nothing yet', obj: link(), want: 'Healthy' },
  { what: 'Link with every Service mirrored', obj: link([cond('Mirrored', 'True')]), want: 'Healthy' },
  { what: 'Link still mirroring a Service', obj: link([cond('Mirrored', 'Unknown')]), want: 'Progressing' },
  { what: 'Link failing to mirror a Service', obj: link([cond('Mirrored', 'False')]), want: 'Degraded' },
  ...['AuthorizationPolicy', 'MeshTLSAuthentication', 'NetworkAuthentication', 'Server', 'ServerAuthorization'].map((k) => ({ what: `${k} (no status) once admitted`, obj: { apiVersion: 'policy.linkerd.io/v1alpha1', kind: k, metadata: { name: 'x', namespace: 'shop' } }, want: 'Healthy' })),
  { what: 'ServiceProfile (no status) once admitted', obj: { apiVersion: 'linkerd.io/v1alpha2', kind: 'ServiceProfile', metadata: { name: 'x', namespace: 'shop' } }, want: 'Healthy' },
];

describe('Argo CD v3.2.11 judges Linkerd\'s kinds with the health checks of argocd-cm-patch.yaml', () => {
  it('gives every case the verdict it should', () => {
    const got = CASES.map((c) => ({ what: c.what, verdict: verdict(c.obj) }));
    expect(got).toEqual(CASES.map((c) => ({ what: c.what, verdict: c.want })));
  });

  it('has no verdict for a Linkerd kind once its check is removed', () => {
    const { ['resource.customizations.health.policy.linkerd.io_EgressNetwork']: _removed, ...rest } = patch.data;
    expect(verdict(withConditions('policy.linkerd.io/v1alpha1', 'EgressNetwork', [cond('Accepted', 'False')]), rest)).toMatch(/not configured/);
  });
});
