/**
 * The Gateway API component on a real API server: the pinned release's files are the Go
 * module's, linkerd-crds' NOTES name a missing or too old Gateway API (Helm `lookup`) and the
 * release it finds, gateway-api-crds installs with Helm 3 and 4, and the routes of the typed
 * helpers pass the CRDs' schemas and CEL rules, which refuse what the helpers refuse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart, Testing } from 'cdk8s';
import { dump, load } from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { differences, pinnedManifests, vendoredManifests } from '../../scripts/gateway-api';
import { GATEWAY_API_DIR, GATEWAY_API_MINIMUM, gatewayApiVersion } from '../../src/gateway-api/crds';
import { canaryBackends, GatewayRouteError, serviceGrpcRoute, serviceHttpRoute } from '../../src/gateway-api/routes';
import { LINKERD_VERSION } from '../../src/version';
import type { HelmMajor } from '../support/helm';
import { CHARTS_DIR, deleteNamespace, helm, kubectl, removeLeftoverCrds, serverVerdict } from './support/cluster';

const NS = 'gateway-routes';
const HTTPROUTES = 'httproutes.gateway.networking.k8s.io';
const VAP = 'safe-upgrades.gateway.networking.k8s.io';

async function installCrds(major: HelmMajor): Promise<string> {
  const out = await helm(major, ['install', 'linkerd-crds', join(CHARTS_DIR, 'linkerd-crds'), '-n', 'linkerd', '--create-namespace', '--wait', '--timeout=2m']);
  await helm(major, ['uninstall', 'linkerd-crds', '-n', 'linkerd', '--wait', '--timeout=2m']);
  return out.stdout;
}

/** Removes every Gateway API object a case left: the release's admission policy and the CRDs. */
async function clean(): Promise<void> {
  await kubectl(['delete', 'validatingadmissionpolicybinding,validatingadmissionpolicy', VAP, '--ignore-not-found']);
  await removeLeftoverCrds();
}

describe('the Gateway API component', () => {
  afterAll(async () => {
    await deleteNamespace(NS);
    for (const major of [3, 4] as const) await helm(major, ['uninstall', 'gateway-api-crds', '-n', 'linkerd', '--ignore-not-found', '--wait']).catch(() => undefined);
    await clean();
    await deleteNamespace('linkerd');
  });

  it('vendors exactly the config/crd/standard files of the pinned Go module', async () => {
    const diff = differences(await pinnedManifests(), vendoredManifests());
    expect(diff).toEqual([]);
  });

  it.each([3, 4] as const)('Helm %i: linkerd-crds NOTES say the Gateway API is missing, naming the CRD and the minimum', async (major) => {
    await clean();
    const out = await installCrds(major);
    expect(out).toContain(`WARNING: Gateway API not found: the cluster has no ${HTTPROUTES} CRD. Linkerd ${LINKERD_VERSION} needs Gateway API ${GATEWAY_API_MINIMUM} or later: install the gateway-api-crds chart (Gateway API ${gatewayApiVersion()}) before the control plane.`);
  });

  it.each([3, 4] as const)('Helm %i: linkerd-crds NOTES name a Gateway API older than Linkerd\u2019s minimum', async (major) => {
    await clean();
    // The release's HTTPRoute CRD, labelled as v1.1.0 (what an old install carries); without the release's admission policy, which refuses older releases.
    const crd = load(readFileSync(join(GATEWAY_API_DIR, 'gateway.networking.k8s.io_httproutes.yaml'), 'utf8')) as { metadata: { annotations: Record<string, string> } };
    crd.metadata.annotations['gateway.networking.k8s.io/bundle-version'] = 'v1.1.0';
    await kubectl(['apply', '--server-side', '-f', '-'], dump(crd));
    const out = await installCrds(major);
    expect(out).toContain(`WARNING: Gateway API v1.1.0 is too old: Linkerd ${LINKERD_VERSION} needs Gateway API ${GATEWAY_API_MINIMUM} or later`);
    expect(out).not.toContain('Gateway API not found');
  });

  it.each([3, 4] as const)('Helm %i: gateway-api-crds installs (server-side for Helm 4), and linkerd-crds NOTES then name its release', async (major) => {
    await clean();
    const install = await helm(major, ['install', 'gateway-api-crds', join(CHARTS_DIR, 'gateway-api-crds'), '-n', 'linkerd', '--create-namespace', ...(major === 4 ? ['--server-side=true'] : []), '--wait', '--timeout=2m']);
    expect(install.stdout).toContain(`The Gateway API ${gatewayApiVersion()} CRDs (standard channel) are installed.`);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${HTTPROUTES}`, 'crd/grpcroutes.gateway.networking.k8s.io']);
    const out = await installCrds(major);
    expect(out).toContain(`Gateway API ${gatewayApiVersion()} found (Linkerd ${LINKERD_VERSION} needs ${GATEWAY_API_MINIMUM} or later).`);
    // the CRDs stay when the chart goes (helm.sh/resource-policy: keep): routes are not deleted with it
    await helm(major, ['uninstall', 'gateway-api-crds', '-n', 'linkerd', '--wait']);
    await kubectl(['get', `crd/${HTTPROUTES}`]);
  });

  describe('routes of the typed helpers', () => {
    it('are admitted by the API server (schemas and CEL rules), and created', async () => {
      await clean();
      await kubectl(['apply', '--server-side', '-k', join(CHARTS_DIR, '..', 'dist', 'gateway-api-crds')]);
      await kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${HTTPROUTES}`, 'crd/grpcroutes.gateway.networking.k8s.io']);
      await kubectl(['create', 'namespace', NS]);
      const chart = new Chart(new App(), 'routes');
      serviceHttpRoute(chart, 'web', {
        namespace: NS,
        service: { name: 'web', port: 80 },
        rules: [
          {
            matches: [{ path: { value: '/api' }, headers: [{ name: 'x-canary', value: 'true' }], method: 'GET', queryParams: [{ name: 'v', value: '2' }] }],
            backends: canaryBackends({ name: 'web', port: 80 }, { name: 'web-v2', port: 80 }, 10),
            timeouts: { request: '10s', backendRequest: '2s' },
          },
          { matches: [{ path: { type: 'Exact', value: '/healthz' } }, { path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } }] },
        ],
        retry: { on: ['5xx', '429'], limit: 2, timeout: '300ms' },
      });
      serviceHttpRoute(chart, 'web-all', { namespace: NS, service: { name: 'web', port: 8080 } });
      serviceGrpcRoute(chart, 'greeter', {
        namespace: NS,
        service: { name: 'greeter', port: 8080 },
        rules: [
          { matches: [{ service: 'helloworld.Greeter', method: 'SayHello', headers: [{ name: 'x-user', value: 'a.*', type: 'RegularExpression' }] }], backends: canaryBackends({ name: 'greeter', port: 8080 }, { name: 'greeter-v2', port: 8080 }, 50) },
          { matches: [{ service: 'helloworld.Greeter' }] },
        ],
        retry: { on: ['unavailable'], limit: 3 },
        timeouts: { request: '5s', idle: '1m' },
      });
      const routes = Testing.synth(chart);
      expect(routes).toHaveLength(3);
      for (const r of routes) expect(await serverVerdict(r)).toEqual({ accepted: true, message: '' });
      await kubectl(['apply', '--server-side', '-f', '-'], routes.map((r) => dump(r)).join('---\n'));
      const names = (await kubectl(['get', 'httproutes.gateway.networking.k8s.io,grpcroutes.gateway.networking.k8s.io', '-n', NS, '-o', 'name'])).stdout.trim().split('\n').sort();
      expect(names).toEqual(['grpcroute.gateway.networking.k8s.io/greeter', 'httproute.gateway.networking.k8s.io/web', 'httproute.gateway.networking.k8s.io/web-all']);
    });

    it.each([
      ['a backend timeout longer than the request timeout', { rules: [{ timeouts: { request: '1s', backendRequest: '2s' } }] }, 'backendRequest timeout cannot be longer than request timeout'],
      ['a Service backend without a port', { rules: [{ backends: [{ name: 'web' }] }] }, 'Must have port for Service reference'],
      ['a path with //', { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/a//b' } }] }] }, "must not contain '//'"],
      ['a relative path', { rules: [{ matches: [{ path: { type: 'PathPrefix', value: 'api' } }] }] }, 'value must be an absolute path'],
    ])('refuse %s, as the API server does', async (_why, spec, serverMessage) => {
      // the helper refuses it ...
      expect(() => serviceHttpRoute(new Chart(new App(), 'c'), 'bad', { namespace: NS, service: { name: 'web', port: 80 }, ...(spec as object) })).toThrow(GatewayRouteError);
      // ... and so does the API server, given the same route written by hand
      const { backends, ...rest } = spec.rules[0] as Record<string, unknown>;
      const rule = { backendRefs: backends ?? [{ name: 'web', port: 80 }], ...rest };
      const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'bad', namespace: NS }, spec: { parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }], rules: [rule] } };
      const verdict = await serverVerdict(route);
      expect(verdict.accepted).toBe(false);
      expect(verdict.message).toContain(serverMessage);
    });
  });
});
