/** The proxy construct: Helm and concrete renderings agree; the objects are valid Kubernetes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { controlPlaneValues } from '../src/control-plane/values';
import { arbitraryValues } from './support/arbitrary';
import { schemaProblems } from './support/chart-suite';
import { proxyHarnessChart } from './support/proxy-chart';
import { repairByRules } from './support/repair';
import { expectHelmEquivalent, pool } from './support/render';

const release = { name: 'linkerd-control-plane', namespace: 'linkerd' };
const anchors = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

const expectEquivalent = (user: Record<string, unknown>) => expectHelmEquivalent(proxyHarnessChart, user, { release });

describe('proxy containers', () => {
  it.each([
    ['defaults', {}],
    ['IPv6, CNI, tracing, custom tuning', {
      disableIPv6: false,
      cniEnabled: true,
      identityTrustAnchorsPEM: anchors,
      proxy: {
        tracing: { enabled: true, collector: { endpoint: 'collector.linkerd-jaeger:4317', meshIdentity: { serviceAccountName: 'collector', namespace: 'linkerd-jaeger' } } },
        inbound: { server: { http2: { keepAliveInterval: '20s' } } },
        cores: 2,
        nativeSidecar: false,
        waitBeforeExitSeconds: 5,
        gid: 2102,
        capabilities: { add: ['NET_BIND_SERVICE'] },
        additionalEnv: [{ name: 'EXTRA', value: '1' }],
        resources: { cpu: { request: '100m' }, memory: { limit: '250Mi' } },
      },
      proxyInit: { runAsRoot: true, closeWaitTimeoutSecs: 60, iptablesMode: 'legacy', capabilities: { drop: ['ALL'] } },
    }],
  ])('render the same with Helm and cdk8s-linkerd: %s', async (_name, user) => {
    const docs = await expectEquivalent(user);
    expect(schemaProblems(docs)).toEqual([]);
  });

  it('render the same for random values', async () => {
    // Random requests and limits may cross; the rules that refuse them put them back (repair.ts).
    const samples = fc.sample(arbitraryValues(controlPlaneValues), { numRuns: 40, seed: 7 }).map((user) => repairByRules(proxyHarnessChart, user));
    await pool(samples, 4, (user) => expectEquivalent(user));
  });
});
