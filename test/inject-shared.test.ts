/** Manual injection shares the proxy's parts between workloads: each workload's output stays its own. */
import { ApiObject, App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { injectProxy } from '../src/mesh/inject';
import { IDENTITY_VALUES } from './fixtures/identity';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
const proxyOf = (d: Doc) => [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers].find((c: Doc) => c.name === 'linkerd-proxy');

function meshed(n: number, change?: (objs: ApiObject[]) => void): Doc[] {
  const app = new App();
  const cp = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES });
  const chart = new Chart(app, 'apps', { namespace: 'apps' });
  const objs = Array.from({ length: n }, (_, i) => ApiObject.of(new kplus.Deployment(chart, `app-${i}`, { containers: [{ image: 'app:1', portNumber: 8080 + (i % 2) }] })));
  for (const o of objs) injectProxy(o, { controlPlane: cp });
  change?.(objs);
  return (Testing.synth(chart) as Doc[]).filter((d) => d.kind === 'Deployment');
}

describe('manual injection of many workloads', () => {
  it('gives each workload the proxy it would get alone (its own inbound ports), and a patch of one proxy changes that one only', () => {
    const many = meshed(4, (objs) => objs[0].addJsonPatch(JsonPatch.add('/spec/template/spec/initContainers/1/env/-', { name: 'EXTRA', value: '1' })));
    const alone = meshed(1)[0];
    expect(proxyOf(many[0]).env.at(-1)).toEqual({ name: 'EXTRA', value: '1' });
    for (const d of many.slice(1)) expect(proxyOf(d).env.map((e: Doc) => e.name)).not.toContain('EXTRA');
    const ports = (d: Doc) => proxyOf(d).env.find((e: Doc) => e.name === 'LINKERD2_PROXY_INBOUND_PORTS').value;
    expect(many.map(ports)).toEqual(['8080', '8081', '8080', '8081']);
    expect(many[2].spec.template.spec.initContainers).toEqual(alone.spec.template.spec.initContainers);
    expect(many[2].spec.template.spec.volumes).toEqual(alone.spec.template.spec.volumes);
  });
});
