/**
 * An application team meshes its own Deployments (cdk8s-plus) and locks them down with
 * policy: only the web frontend may call the API, and the API's routes are retried and timed
 * out. The batch worker gets its proxy rendered in at synthesis (manual injection).
 *
 *     npx tsx examples/app-team/main.ts   # writes dist.app-team/
 */
import { ApiObject, App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { allowServiceAccounts, injectProxy, meshWorkloads, serverForPort, serviceProfile, type LinkerdControlPlane } from '../../src';

export class Shop extends Chart {
  readonly api: kplus.Deployment;
  readonly web: kplus.Deployment;
  readonly worker: kplus.Deployment;

  constructor(scope: Construct, id: string, controlPlane?: LinkerdControlPlane) {
    super(scope, id, { namespace: 'shop', disableResourceNameHashes: true });
    const deployment = (name: string, image: string, port: number) => {
      const sa = new kplus.ServiceAccount(this, `${name}-sa`, { metadata: { name } });
      const d = new kplus.Deployment(this, name, {
        metadata: { name },
        serviceAccount: sa,
        replicas: 2,
        containers: [{ name, image, portNumber: port, securityContext: { user: 1000, group: 1000 }, resources: {} }],
      });
      return d;
    };
    this.api = deployment('api', 'ghcr.io/example/shop-api:1.4.2', 8080);
    this.web = deployment('web', 'ghcr.io/example/shop-web:2.0.0', 3000);
    this.worker = deployment('worker', 'ghcr.io/example/shop-worker:1.0.0', 9090);
    this.api.exposeViaService({ name: 'api', ports: [{ port: 8080 }] });

    // Mesh the frontend and the API by annotation (the proxy injector adds the proxies).
    for (const d of [this.api, this.web]) {
      meshWorkloads(d, { defaultInboundPolicy: 'all-authenticated', opaquePorts: [5432], waitBeforeExitSeconds: 5 });
    }

    // Only the web frontend may call the API's HTTP port.
    const server = serverForPort(this, 'api-http', { workload: ApiObject.of(this.api), port: 8080, proxyProtocol: 'HTTP/1' });
    allowServiceAccounts(this, 'api-from-web', { server, serviceAccounts: [{ name: 'web', namespace: 'shop' }] });
    serviceProfile(this, 'api-profile', {
      service: { name: 'api', namespace: 'shop' },
      routes: [
        { name: 'GET /products', method: 'GET', pathRegex: '/products(/.*)?', retryable: true, timeout: '300ms' },
        { name: 'POST /orders', method: 'POST', pathRegex: '/orders', timeout: '2s' },
      ],
      retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
    });

    // The worker's proxy is rendered in (no webhook needed), from the control plane's settings.
    if (controlPlane) injectProxy(ApiObject.of(this.worker), { controlPlane, config: { await: true, logLevel: 'warn,linkerd=info' } });
  }
}

if (require.main === module) {
  const app = new App({ outdir: 'dist.app-team' });
  new Shop(app, 'shop');
  app.synth();
}
