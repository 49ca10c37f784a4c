/**
 * Values the API server would refuse are refused first, by the command, `helm template` with
 * Helm 3 and Helm 4, each naming the key (issue 24, item 2): a request above its limit (for every
 * request and limit of every chart, quantities compared as numbers: `500m` < `1`, `1Gi` >
 * `1000Mi`, `1e3` = `1k`), and annotations over 256 KiB on one object (keys and values of every
 * map that lands on it, in UTF-8 bytes).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHARTS, chartNamed } from '../src/charts';
import { run } from '../src/cli/main';
import { valuesRules } from '../src/helm/chart';
import { quantityNumber } from '../src/helm/expr';
import { requestLimitPairs } from '../src/values/model';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, writeValues } from './support/render';
import { IDENTITY_VALUES } from './fixtures/identity';

/** The chart's own needs (the control plane's identity) and the values under test. */
const withNeeds = (chart: string, values: Record<string, unknown>) => (chart === 'linkerd-control-plane' ? merge(IDENTITY_VALUES, values) : values);

/** `cdk8s-linkerd template` and `helm template` (3 and 4) of the values: each one's error, or '' when it renders. */
async function refusals(chart: string, values: Record<string, unknown>): Promise<{ cli: string; helm: string[] }> {
  const file = writeValues(withNeeds(chart, values));
  let stderr = '';
  const code = await run(['template', chart, '-f', file], { stdout: () => {}, stderr: (s) => (stderr += s), readFile: (p) => readFileSync(p, 'utf8') });
  const helm = await Promise.all(HELM_MAJORS.map(async (m) => {
    const r = await helmTemplate(m, chartDir(chartNamed(chart)), ['-f', file]);
    return r.ok ? '' : r.stderr;
  }));
  return { cli: code === 0 ? '' : stderr, helm };
}

/** Sets `value` at a dotted path. */
function at(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<Record<string, unknown>>((acc, k, i) => (i === path.length - 1 ? { [k]: value } : { [k]: acc }), {});
}
function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && out[k] && typeof out[k] === 'object' ? merge(out[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  return out;
}

describe('quantities compare as Kubernetes reads them', () => {
  it.each([
    ['500m', '1', -1],
    ['1', '1000m', 0],
    ['1Gi', '1000Mi', 1],
    ['1e3', '1k', 0],
    ['0.5Ki', 512, 0],
    [1073741824, '1Gi', 0],
    ['1.5', '1', 1],
    ['100M', '100Mi', -1],
  ] as const)('%s vs %s', (a, b, sign) => {
    expect(Math.sign(quantityNumber(a) - quantityNumber(b))).toBe(sign);
  });
});

describe('a request above its limit is refused by the command and by Helm 3 and 4', () => {
  it('every chart has a rule for every request and limit of its values', () => {
    for (const def of Object.values(CHARTS)) {
      const keys = new Set(valuesRules(def).map((r) => r.key));
      for (const { request, list } of requestLimitPairs(def.values)) {
        const key = list ? `${list.join('.')}[].${request.join('.')}` : request.join('.');
        expect(keys.has(key), `${def.name}: ${key}`).toBe(true);
      }
    }
    // The sections people set: the proxy's, the controllers', the extensions', the CNI plugin's, the mirrors'.
    const pairs = (chart: string) => requestLimitPairs(chartNamed(chart).values).map((p) => p.request.join('.'));
    expect(pairs('linkerd-control-plane')).toEqual(expect.arrayContaining(['proxy.resources.cpu.request', 'destinationResources.memory.request', 'policyController.resources.ephemeral-storage.request', 'identityProxyResources.cpu.request']));
    expect(pairs('linkerd-viz')).toEqual(expect.arrayContaining(['prometheus.resources.memory.request', 'metricsAPI.proxy.resources.cpu.request']));
    expect(pairs('linkerd2-cni')).toEqual(expect.arrayContaining(['resources.cpu.request']));
    expect(pairs('linkerd-multicluster')).toEqual(expect.arrayContaining(['localServiceMirror.resources.requests.memory', 'controllerDefaults.resources.requests.cpu']));
    // A list's items: each controller's own resources.
    const items = requestLimitPairs(chartNamed('linkerd-multicluster').values).filter((p) => p.list).map((p) => `${p.list!.join('.')}[].${p.request.join('.')}`);
    expect(items).toEqual(['controllers[].resources.requests.cpu', 'controllers[].resources.requests.memory', 'controllers[].resources.requests.ephemeral-storage']);
  });

  // One controller per Link; an entry that sets resources replaces controllerDefaults.resources whole.
  const controllers = (...resources: (Record<string, unknown> | undefined)[]) => ({
    controllers: resources.map((r, i) => ({ link: { ref: { name: `east${i}` } }, ...(r ? { resources: r } : {}) })),
  });

  it.each([
    ['the second entry', controllers(undefined, { requests: { cpu: '2' }, limits: { cpu: '1500m' } }), 'controllers[1].resources.requests.cpu: above its limit controllers[1].resources.limits.cpu'],
    ['the first entry, memory', controllers({ requests: { memory: '1Gi' }, limits: { memory: '1000Mi' } }, { requests: { memory: '1Gi' } }), 'controllers[0].resources.requests.memory: above its limit controllers[0].resources.limits.memory'],
  ])('linkerd-multicluster: a controller entry with a request above its limit is refused, naming %s', async (_what, values, message) => {
    const r = await refusals('linkerd-multicluster', values);
    expect(r.cli).toContain(message);
    expect(r.cli.trim().split('\n')).toHaveLength(1);
    for (const h of r.helm) expect(h).toContain(message);
  }, 120_000);

  it('linkerd-multicluster: entries within their limits render, even where controllerDefaults would not apply', async () => {
    // The entry's own limit (2) holds its request; controllerDefaults' limit (500m) is not its.
    const r = await refusals('linkerd-multicluster', { controllerDefaults: { resources: { requests: { cpu: '100m' }, limits: { cpu: '500m' } } }, ...controllers({ requests: { cpu: '1' }, limits: { cpu: '2' } }, undefined) });
    expect(r).toEqual({ cli: '', helm: ['', ''] });
  }, 120_000);

  it.each([
    ['linkerd-viz', ['metricsAPI', 'resources', 'cpu'], { request: '2', limit: '1500m' }, 'metricsAPI.resources.cpu.request'],
    ['linkerd-viz', ['prometheus', 'resources', 'memory'], { request: '1Gi', limit: '1000Mi' }, 'prometheus.resources.memory.request'],
    ['linkerd-control-plane', ['proxy', 'resources', 'ephemeral-storage'], { request: '2G', limit: '1Gi' }, 'proxy.resources.ephemeral-storage.request'],
    ['linkerd-control-plane', ['destinationResources', 'cpu'], { request: '1001m', limit: '1' }, 'destinationResources.cpu.request'],
    ['linkerd-jaeger', ['collector', 'resources', 'memory'], { request: 2147483648, limit: '1Gi' }, 'collector.resources.memory.request'],
    ['linkerd2-cni', ['resources', 'cpu'], { request: '1.5', limit: '1' }, 'resources.cpu.request'],
    ['linkerd-multicluster', ['localServiceMirror', 'resources'], { requests: { cpu: '2' }, limits: { cpu: '1' } }, 'localServiceMirror.resources.requests.cpu'],
  ] as const)('%s: %s %j', async (chart, path, value, key) => {
    const r = await refusals(chart, at([...path], value));
    expect(r.cli).toContain(`${key}: above its limit`);
    expect(r.cli.trim().split('\n')).toHaveLength(1);
    for (const h of r.helm) expect(h).toContain(`${key}: above its limit`);
  }, 120_000);

  it("a control-plane pod's proxy override is judged with what it takes from proxy.resources", async () => {
    const r = await refusals('linkerd-control-plane', { proxy: { resources: { cpu: { limit: '1', request: '' } } }, identityProxyResources: { cpu: { request: '2' } } });
    expect(r.cli).toContain('identityProxyResources.cpu: gives a request above its limit, with what it leaves out taken from proxy.resources.cpu');
    for (const h of r.helm) expect(h).toContain('identityProxyResources.cpu: gives a request above its limit');
  }, 120_000);

  it.each([
    ['linkerd-viz', at(['metricsAPI', 'resources', 'cpu'], { request: '500m', limit: '1' })],
    ['linkerd-viz', at(['prometheus', 'resources', 'memory'], { request: '1000Mi', limit: '1Gi' })],
    ['linkerd-viz', at(['tap', 'resources', 'cpu'], { request: '1e3', limit: '1k' })],
    ['linkerd-control-plane', merge(at(['proxy', 'resources', 'cpu'], { request: '100m', limit: '' }), at(['identityProxyResources', 'cpu'], { limit: '1' }))],
  ])('%s: a request at or below its limit renders (%j)', async (chart, values) => {
    const r = await refusals(chart, values);
    expect(r).toEqual({ cli: '', helm: ['', ''] });
  }, 120_000);
});

describe('annotations over 256 KiB on one object are refused by the command and by Helm 3 and 4', () => {
  const kib = (n: number, c = 'x') => c.repeat(n * 1024);

  it.each([
    ['linkerd-viz', 'two values of 150 KiB', { podAnnotations: { a: kib(150), b: kib(150) } }, 'podAnnotations: gives an object more than 262144 bytes of annotations'],
    // Two-byte characters: 140 Ki of them is 280 KiB, under the schema's 256 Ki characters a value.
    ['linkerd-viz', 'one value of 140 Ki two-byte characters', { podAnnotations: { a: kib(140, '\u00e9') } }, 'podAnnotations: gives an object more than 262144 bytes'],
    ['linkerd-control-plane', 'podAnnotations and identity.podAnnotations of 130 KiB each', { podAnnotations: { a: kib(130) }, identity: { podAnnotations: { b: kib(130) } } }, 'podAnnotations: with identity.podAnnotations, gives an object more than 262144 bytes'],
    ['linkerd-multicluster', 'three gateway Service annotations of 100 KiB', { gateway: { serviceAnnotations: { a: kib(100), b: kib(100), c: kib(100) } } }, 'gateway.serviceAnnotations: gives an object more than 262144 bytes'],
  ] as const)('%s: %s', async (chart, _what, values, message) => {
    const r = await refusals(chart, values as Record<string, unknown>);
    expect(r.cli).toContain(message);
    for (const h of r.helm) expect(h).toContain(message);
  }, 120_000);

  it('annotations within 256 KiB render', async () => {
    const r = await refusals('linkerd-viz', { podAnnotations: { a: kib(120), b: kib(120) } });
    expect(r).toEqual({ cli: '', helm: ['', ''] });
  }, 120_000);
});
