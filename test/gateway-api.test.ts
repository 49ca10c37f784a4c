/**
 * The Gateway API as a pinned component: the gateway-api-crds chart holds the release's
 * manifests unchanged, installs first (Argo CD's earliest wave), linkerd-crds refuses to bundle
 * them and points at it, its NOTES check the cluster's release, and the typed routes are what
 * the API server and Linkerd's policy controller admit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { argoCdObjects } from '../src/argocd';
import { linkerdCrdsChart } from '../src/crds/chart';
import { gatewayApiCrdsChart } from '../src/gateway-api/chart';
import { GatewayApiCrds } from '../src/gateway-api/construct';
import { GATEWAY_API_DIR, GATEWAY_API_MINIMUM, gatewayApiVersion } from '../src/gateway-api/crds';
import { canaryBackends, GatewayRouteError, serviceGrpcRoute, serviceHttpRoute, type ServiceGrpcRouteProps, type ServiceHttpRouteProps } from '../src/gateway-api/routes';
import { chartFiles, resolveValues, ValuesError } from '../src/helm/chart';
import { ClusterAnnotation, Lit, VersionBelow } from '../src/helm/expr';
import { distFolders } from '../src/outputs';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } } & Record<string, unknown>;
const ROOT = join(__dirname, '..');
const release = (): Obj[] =>
  readdirSync(GATEWAY_API_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => (loadAll(readFileSync(join(GATEWAY_API_DIR, f), 'utf8')) as (Obj | null)[]).filter((o): o is Obj => o !== null));
const withoutKeep = (o: Obj): Obj => {
  const { 'helm.sh/resource-policy': _keep, ...annotations } = o.metadata.annotations ?? {};
  return { ...o, metadata: { ...o.metadata, annotations } };
};

describe('the gateway-api-crds component', () => {
  it('pins a release Linkerd supports: standard channel, at or above Linkerd\u2019s minimum, the version of the Go module pin', () => {
    const pin = /sigs\.k8s\.io\/gateway-api (v\S+)/.exec(readFileSync(join(ROOT, 'scripts/cluster/modules/gateway-api/go.mod'), 'utf8'))![1];
    expect(gatewayApiVersion()).toBe(pin);
    expect(new VersionBelow(new Lit(gatewayApiVersion()), GATEWAY_API_MINIMUM).evaluate({} as never)).toBe(false);
    for (const o of release()) expect(o.metadata.annotations?.['gateway.networking.k8s.io/channel'], o.metadata.name).toBe('standard');
    const crds = release().filter((o) => o.kind === 'CustomResourceDefinition').map((o) => o.metadata.name);
    expect(crds).toEqual(expect.arrayContaining(['httproutes.gateway.networking.k8s.io', 'grpcroutes.gateway.networking.k8s.io', 'gateways.gateway.networking.k8s.io']));
  });

  it('installs the release\u2019s objects unchanged (less status; the API server\u2019s defaults of a ValidatingAdmissionPolicy written out), the CRDs kept on uninstall', () => {
    const objects = Testing.synth(new GatewayApiCrds(Testing.app(), 'gateway-api-crds')) as Obj[];
    // Written out so that a server-side apply of the same objects is no change (the struct is atomic).
    const defaulted = (o: Obj): Obj => {
      const spec = (o as { spec?: { matchConstraints?: object } }).spec;
      if (o.kind !== 'ValidatingAdmissionPolicy' || !spec?.matchConstraints) return o;
      return { ...o, spec: { ...spec, matchConstraints: { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, ...spec.matchConstraints } } } as Obj;
    };
    const want = release().map(({ status: _s, ...o }) => defaulted(o as Obj));
    expect(objects.map(withoutKeep)).toEqual(want.map(withoutKeep));
    for (const o of objects) expect(o.metadata.annotations?.['helm.sh/resource-policy'], o.metadata.name).toBe(o.kind === 'CustomResourceDefinition' ? 'keep' : undefined);
    expect(objects.every((o) => o.metadata.namespace === undefined)).toBe(true);
  });

  it('takes no values', () => {
    expect(() => resolveValues(gatewayApiCrdsChart, { version: 'v1.0.0' })).toThrow(ValuesError);
    expect(chartFiles(gatewayApiCrdsChart).get('Chart.yaml')).toContain(`appVersion: ${gatewayApiVersion()}\n`);
  });

  it('is a dist/ folder that Argo CD syncs server-side in the earliest wave, before the control plane', () => {
    const folders = distFolders();
    expect(folders.map((f) => f.folder)).toContain('gateway-api-crds');
    const apps = argoCdObjects({ repo: 'https://git.example/mesh.git', revision: 'main' }, folders).applications;
    const wave = (name: string) => Number(apps.find((a) => a.metadata?.name === name)!.metadata!.annotations!['argocd.argoproj.io/sync-wave']);
    expect(wave('gateway-api-crds')).toBe(Math.min(...apps.map((a) => Number(a.metadata!.annotations!['argocd.argoproj.io/sync-wave']))));
    expect(wave('gateway-api-crds')).toBeLessThan(wave('linkerd-control-plane'));
    expect(apps.find((a) => a.metadata?.name === 'gateway-api-crds')!.spec.syncPolicy?.syncOptions).toContain('ServerSideApply=true');
    const dist = loadAll(readFileSync(join(ROOT, 'dist', 'gateway-api-crds', 'gateway-api-crds.yaml'), 'utf8')) as Obj[];
    expect(dist.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(release().map((o) => `${o.kind}/${o.metadata.name}`));
  });
});

describe('linkerd-crds and the Gateway API', () => {
  it.each(['installGatewayAPI', 'enableHttpRoutes', 'enableTlsRoutes', 'enableTcpRoutes'])('refuses %s: true, pointing at the gateway-api-crds chart', (key) => {
    let err: unknown;
    try {
      resolveValues(linkerdCrdsChart, { [key]: true });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValuesError);
    expect((err as ValuesError).message).toContain(`${key}: the Gateway API CRDs are not part of linkerd-crds: install the gateway-api-crds chart (Gateway API ${gatewayApiVersion()}`);
    expect(() => resolveValues(linkerdCrdsChart, { [key]: false })).not.toThrow();
  });

  it('checks the cluster\u2019s Gateway API in its NOTES (Helm lookup), by name and version', () => {
    const notes = chartFiles(linkerdCrdsChart).get('templates/NOTES.txt')!;
    expect(notes).toContain('(lookup "apiextensions.k8s.io/v1" "CustomResourceDefinition" "" "httproutes.gateway.networking.k8s.io")');
    expect(notes).toContain('"gateway.networking.k8s.io/bundle-version"');
    expect(notes).toContain(`(semverCompare "<${GATEWAY_API_MINIMUM.slice(1)}"`);
    expect(notes).toContain(`Gateway API not found`);
    // Helm's template output has no NOTES, and no template reads the cluster: `helm template` and our CLI stay equal.
    for (const [file, text] of chartFiles(linkerdCrdsChart)) if (file.startsWith('templates/') && file !== 'templates/NOTES.txt') expect(text, file).not.toContain('lookup');
  });

  it('orders versions as semverCompare does, and never calls a non-release (absent, pre-release, garbage) old', () => {
    const below = (v: string) => new VersionBelow(new Lit(v), GATEWAY_API_MINIMUM).evaluate({} as never);
    expect(['v1.1.0', 'v1.2.0', '1.0.0', 'v0.8.1'].map(below)).toEqual([true, true, true, true]);
    expect(['v1.2.1', 'v1.5.1', 'v1.10.0', 'v2.0.0', '', 'v1.1.0-rc1', 'latest'].map(below)).toEqual([false, false, false, false, false, false, false]);
    // without a cluster (helm template, the CLI, the constructs) lookup finds nothing, both ways
    expect(new ClusterAnnotation('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'x', 'y').evaluate()).toBe('');
  });
});

const http = (props: Partial<ServiceHttpRouteProps> = {}) => {
  const chart = new Chart(new App(), 'c');
  serviceHttpRoute(chart, 'web', { namespace: 'shop', service: { name: 'web', port: 80 }, ...props });
  return Testing.synth(chart)[0] as Obj & { spec: Record<string, unknown> };
};
const grpc = (props: Partial<ServiceGrpcRouteProps> = {}) => {
  const chart = new Chart(new App(), 'c');
  serviceGrpcRoute(chart, 'greeter', { namespace: 'shop', service: { name: 'greeter', port: 8080 }, ...props });
  return Testing.synth(chart)[0] as Obj & { spec: Record<string, unknown> };
};
const problems = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof GatewayRouteError) return e.problems.map((p) => p.field);
    throw e;
  }
  return [];
};

describe('Gateway API routes for the mesh', () => {
  it('HTTPRoute: a Service parent (core group, as Linkerd needs), path/header/method matches, timeouts, retries and a canary split', () => {
    const r = http({
      rules: [
        {
          matches: [{ path: { value: '/api' }, headers: [{ name: 'x-canary', value: 'true' }], method: 'GET' }],
          backends: canaryBackends({ name: 'web', port: 80 }, { name: 'web-v2', port: 80 }, 10),
          timeouts: { request: '10s', backendRequest: '2s' },
        },
        { matches: [{ path: { type: 'Exact', value: '/healthz' } }] },
      ],
      retry: { on: ['5xx', 'gateway-error'], limit: 2, timeout: '300ms' },
    });
    expect(r).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web', namespace: 'shop', annotations: { 'retry.linkerd.io/http': '5xx,gateway-error', 'retry.linkerd.io/limit': '2', 'retry.linkerd.io/timeout': '300ms' } },
      spec: {
        parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-canary', value: 'true' }], method: 'GET' }],
            backendRefs: [
              { name: 'web', port: 80, weight: 90 },
              { name: 'web-v2', port: 80, weight: 10 },
            ],
            timeouts: { request: '10s', backendRequest: '2s' },
          },
          { matches: [{ path: { type: 'Exact', value: '/healthz' } }], backendRefs: [{ name: 'web', port: 80 }] },
        ],
      },
    });
  });

  it('GRPCRoute: method matches, Linkerd timeouts and gRPC retries as annotations', () => {
    const r = grpc({
      rules: [{ matches: [{ service: 'helloworld.Greeter', method: 'SayHello' }], backends: canaryBackends({ name: 'greeter', port: 8080 }, { name: 'greeter-v2', port: 8080 }, 25) }],
      retry: { on: ['unavailable', 'cancelled'], limit: 3 },
      timeouts: { request: '5s' },
    });
    expect(r.metadata.annotations).toEqual({ 'retry.linkerd.io/grpc': 'unavailable,cancelled', 'retry.linkerd.io/limit': '3', 'timeout.linkerd.io/request': '5s' });
    expect(r.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'greeter', port: 8080 }],
      rules: [
        {
          matches: [{ method: { type: 'Exact', service: 'helloworld.Greeter', method: 'SayHello' } }],
          backendRefs: [
            { name: 'greeter', port: 8080, weight: 75 },
            { name: 'greeter-v2', port: 8080, weight: 25 },
          ],
        },
      ],
    });
  });

  it.each([
    ['a relative path', { rules: [{ matches: [{ path: { value: 'api' } }] }] }, ['rules[0].matches[0].path.value']],
    ['a path with //', { rules: [{ matches: [{ path: { type: 'Exact' as const, value: '/a//b' } }] }] }, ['rules[0].matches[0].path.value']],
    ['a header name with a space', { rules: [{ matches: [{ headers: [{ name: 'x bad', value: '1' }] }] }] }, ['rules[0].matches[0].headers[0].name']],
    ['a backend without a port', { rules: [{ backends: [{ name: 'web', port: undefined as unknown as number }] }] }, ['rules[0].backends[0].port']],
    ['a weight above 1000000', { rules: [{ backends: [{ name: 'web', port: 80, weight: 2_000_000 }] }] }, ['rules[0].backends[0].weight']],
    ['a backend timeout longer than the request\u2019s', { rules: [{ timeouts: { request: '1s', backendRequest: '2s' } }] }, ['rules[0].timeouts.backendRequest']],
    ['a timeout in days', { rules: [{ timeouts: { request: '1d' } }] }, ['rules[0].timeouts.request']],
    ['a retry condition Linkerd does not know', { retry: { on: ['4xx' as never] } }, ['retry.on']],
    ['a fractional retry timeout', { retry: { timeout: '1.5s' } }, ['retry.timeout']],
    ['a parent without a port and a rule without backends', { service: { name: 'web' } }, ['service.port']],
    ['an upper-case Service', { service: { name: 'Web', port: 80 } }, ['service.name']],
  ])('HTTPRoute: refuses %s, naming the field', (_why, props, fields) => {
    expect(problems(() => http(props as Partial<ServiceHttpRouteProps>))).toEqual(fields);
  });

  it.each([
    ['a match with neither service nor method', { rules: [{ matches: [{}] }] }, ['rules[0].matches[0]']],
    ['a method with a dot', { rules: [{ matches: [{ method: 'Say.Hello' }] }] }, ['rules[0].matches[0].method']],
    ['an HTTP retry condition', { retry: { on: ['5xx' as never] } }, ['retry.on']],
    ['a bad Linkerd timeout', { timeouts: { request: '5 s' } }, ['timeouts.request']],
  ])('GRPCRoute: refuses %s, naming the field', (_why, props, fields) => {
    expect(problems(() => grpc(props as Partial<ServiceGrpcRouteProps>))).toEqual(fields);
  });

  it('canaryBackends takes a whole percentage', () => {
    expect(() => canaryBackends({ name: 'a', port: 1 }, { name: 'b', port: 1 }, 101)).toThrow(GatewayRouteError);
    expect(canaryBackends({ name: 'a', port: 1 }, { name: 'b', port: 1 }, 0).map((b) => b.weight)).toEqual([100, 0]);
  });
});
