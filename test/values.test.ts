/** The values model: defaults, values.yaml, the schema, Helm's merge and --set syntax. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { userValues, type Io } from '../src/cli/main';
import { chartFiles } from '../src/helm/chart';
import { linkerdControlPlaneChart } from '../src/control-plane/chart';
import { controlPlaneValues } from '../src/control-plane/values';
import { linkerdCrdsChart } from '../src/crds/chart';
import { linkerdJaegerChart } from '../src/jaeger/chart';
import { jaegerValues } from '../src/jaeger/values';
import { DURATION, QUANTITY, coalesce, defaultsOf, orEmpty, validateValues } from '../src/values/model';
import { linkerdVizChart } from '../src/viz/chart';
import { vizValues } from '../src/viz/values';
import { applySet } from '../src/values/set';
import { engineChart, engineValues } from './support/engine-chart';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, normalize, ourRender, scratchDir } from './support/render';

const io: Io = { stdout: () => {}, stderr: () => {}, readFile: (p) => readFileSync(p, 'utf8') };

describe('values.yaml', () => {
  const text = chartFiles(engineChart).get('values.yaml') ?? '';

  it('parses back to exactly the defaults', () => {
    expect(load(text)).toEqual(defaultsOf(engineValues));
  });

  it('documents every key with a # -- comment right above it', () => {
    const countKeys = (node: { properties?: Record<string, unknown> }): number =>
      Object.values(node.properties ?? {}).reduce<number>((n, child) => n + 1 + countKeys(child as { properties?: Record<string, unknown> }), 0);
    const lines = text.split('\n');
    const docStarts = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*# --/.test(l));
    expect(docStarts.length).toBe(countKeys(JSON.parse(JSON.stringify(engineValues))));
    for (const [, i] of docStarts) {
      let j = i + 1;
      while (/^\s*#(?! ?[A-Za-z][\w-]*:)/.test(lines[j])) j++;
      expect(lines[j], `doc comment at line ${i + 1} is not followed by a key`).toMatch(/^\s*(# )?[A-Za-z][\w-]*:/);
    }
  });

  it('shows keys without a default commented out', () => {
    expect(text).toMatch(/^# flagged: true$/m);
  });
});

describe('values.schema.json', () => {
  it('rejects unknown keys at every level, naming the key', () => {
    expect(validateValues(engineValues, { ...defaultsOf(engineValues), nope: 1 })).toEqual([{ key: 'nope', message: 'unknown key (not a value of this chart)' }]);
    const nested = coalesce(defaultsOf(engineValues), { image: { tagg: 'x' } });
    expect(validateValues(engineValues, nested).map((p) => p.key)).toEqual(['image.tagg']);
  });

  it('reports the key, the value and what was expected', () => {
    const bad = coalesce(defaultsOf(engineValues), { replicas: 'three', logLevel: 'loud' });
    const messages = validateValues(engineValues, bad).map((p) => `${p.key}: ${p.message}`);
    expect(messages).toContain('replicas: expected integer, got "three"');
    expect(messages).toContain('logLevel: expected one of "debug", "info", "warn", got "loud"');
  });
});

describe("Helm's value merging", () => {
  it('merges maps deeply, replaces lists, and null removes a default', () => {
    expect(coalesce({ a: { b: 1, c: 2 }, l: [1, 2], d: 'x' }, { a: { c: 3 }, l: [9], d: null })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });
});

describe('--set syntax', () => {
  it.each([
    ['a=b', { a: 'b' }],
    ['a.b=1,c=true,d=null', { a: { b: 1 }, c: true, d: null }],
    ['n=007', { n: '007' }],
    ['list={x,y,3}', { list: ['x', 'y', 3] }],
    ['l[1]=x', { l: [null, 'x'] }],
    ['l[0].k=v', { l: [{ k: 'v' }] }],
    ['a\\.b=c\\,d', { 'a.b': 'c,d' }],
    ['empty=', { empty: '' }],
  ])('%s', (expr, expected) => {
    expect(applySet({}, expr, 'set')).toEqual(expected);
  });

  it('keeps everything a string with --set-string', () => {
    expect(applySet({}, 'a=true,b=1', 'set-string')).toEqual({ a: 'true', b: '1' });
  });

  it('rejects a key without a value', () => {
    expect(() => applySet({}, 'a.b', 'set')).toThrow(/key "b" has no value/);
  });

  it('gives the same release as Helm for the same flags', async () => {
    const file = join(scratchDir('setfile'), 'note.txt');
    writeFileSync(file, 'from a file\nline two\n');
    const flags = {
      set: ['replicas=5,image.tag=01', 'extraArgs={-v,--x=1}', 'labels.team=mesh', 'annotations.a\\.b/c=d', 'tolerations[0].key=k,tolerations[0].operator=Exists'],
      'set-string': ['image.name=true'],
      'set-file': [`note=${file}`],
    };
    const args = [
      ...flags.set.flatMap((s) => ['--set', s]),
      ...flags['set-string'].flatMap((s) => ['--set-string', s]),
      ...flags['set-file'].flatMap((s) => ['--set-file', s]),
    ];
    const ours = ourRender(engineChart, userValues(io, flags));
    for (const major of HELM_MAJORS) {
      const helm = await helmTemplate(major, chartDir(engineChart), args);
      expect(helm.ok, helm.stderr).toBe(true);
      expect(normalize(helm.stdout)).toEqual(ours);
    }
  });
});

describe('duration and quantity grammars (one definition each, anchored)', () => {
  // Answers of Go 1.26's time.ParseDuration for these strings (checked against Go on 20,000
  // generated strings as well, with no disagreement; overflow aside, which no pattern can see).
  const GO: [string, boolean][] = [
    ['0', true], ['+0', true], ['-0', true], ['1s', true], ['1.s', true], ['.5s', true], ['-1.5h', true], ['+2m', true], ['1h30m', true],
    ['24h0m0s', true], ['5m0.5s', true], ['1h.5m', true], ['1\u00b5s', true], ['1\u03bcs', true], ['1us', true], ['1ns', true], ['300ms', true],
    ['', false], ['1', false], ['00', false], ['1d', false], ['.s', false], ['1..2s', false], ['1S', false], ['1h 30m', false], [' 1s', false],
    ['1s ', false], ['hello 5s', false], ['5s hello', false], ['1e3s', false], ['1h-1m', false], ['-', false], ['1hh', false],
  ];
  it.each(GO)("Go's time.ParseDuration(%j) succeeds: %s", (text, ok) => {
    expect(new RegExp(DURATION.go).test(text)).toBe(ok);
  });

  // The proxy's parse_duration (linkerd2-proxy, linkerd/app/src/env/types.rs) and the network validator's parse_timeout.
  const PROXY: [string, boolean][] = [
    ['0', true], ['100ms', true], ['10s', true], ['5m', true], ['1h', true], ['1d', true],
    ['1', false], ['1.5s', false], ['1h30m', false], ['-1s', false], ['1 s', false], ['12moons', false], ['hello 5s', false], ['', false],
  ];
  it.each(PROXY)('the proxy parses %j: %s', (text, ok) => {
    expect(new RegExp(DURATION.proxy).test(text)).toBe(ok);
  });

  const PROMETHEUS: [string, boolean][] = [['0', true], ['10s', true], ['1h30m', true], ['1d', true], ['2w', true], ['1y', true], ['1.5s', false], ['30m1h', false], ['10', false]];
  it.each(PROMETHEUS)('Prometheus parses %j: %s', (text, ok) => {
    expect(new RegExp(DURATION.prometheus).test(text)).toBe(ok);
  });

  const QUANTITIES: [string, boolean][] = [
    ['1', true], ['0.5', true], ['.5', true], ['100m', true], ['128Mi', true], ['1Gi', true], ['1e3', true], ['2.5E-3', true], ['+1', true], ['10u', true],
    ['-1', false], ['1 Gi', false], ['lots', false], ['1GB', false], ['', false], ['hello 1', false], ['1Gi extra', false],
  ];
  it.each(QUANTITIES)('%j is a non-negative Kubernetes quantity: %s', (text, ok) => {
    expect(new RegExp(QUANTITY).test(text)).toBe(ok);
  });

  it('every duration and quantity key of every chart uses one of these definitions', () => {
    const known = new Set<string>([...Object.values(DURATION), QUANTITY].flatMap((p) => [p, orEmpty(p)]));
    const loose: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (node === null || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (typeof n.pattern === 'string' && /ms\|s\||\[KMGTPE\]i/.test(n.pattern) && !known.has(n.pattern)) loose.push(`${path}: ${n.pattern}`);
      for (const [k, child] of Object.entries(n)) walk(child, path ? `${path}.${k}` : k);
    };
    for (const def of [linkerdControlPlaneChart, linkerdVizChart, linkerdJaegerChart, linkerdCrdsChart]) walk(JSON.parse(JSON.stringify(def.values)), def.name);
    expect(loose).toEqual([]);
  });

  it('names the key and what was expected, not the regular expression', () => {
    const values = coalesce(defaultsOf(controlPlaneValues), { proxy: { shutdownGracePeriod: 'hello 5s', resources: { cpu: { request: 'lots' } } }, identity: { issuer: { issuanceLifetime: '1d' } } });
    const problems = validateValues(controlPlaneValues, values);
    expect(problems).toContainEqual({ key: 'proxy.shutdownGracePeriod', message: 'expected a duration (500ms, 10s, 5m, 1d; empty: not set), got "hello 5s"' });
    expect(problems).toContainEqual({ key: 'identity.issuer.issuanceLifetime', message: 'expected a duration (500ms, 10s, 1h30m (no d)), got "1d"' });
    expect(problems).toContainEqual({ key: 'proxy.resources.cpu.request', message: 'expected a Kubernetes quantity (e.g. 100m, 0.5, 1, 128Mi, 1Gi), got "lots"' });
  });

  it('accepts CPU and memory as YAML numbers', () => {
    const values = coalesce(defaultsOf(controlPlaneValues), { proxy: { resources: { cpu: { request: 0.1, limit: 1 }, memory: { request: 67108864 } } } });
    expect(validateValues(controlPlaneValues, values)).toEqual([]);
    expect(validateValues(controlPlaneValues, coalesce(values, { proxy: { resources: { cpu: { limit: -1 } } } })).map((p) => p.key)).toEqual(['proxy.resources.cpu.limit']);
  });
});

describe('keys upstream replaced', () => {
  it.each([
    [controlPlaneValues, { proxyInit: { image: { name: 'cr.l5d.io/linkerd/proxy-init' } } }, 'proxyInit.image', /proxy\.image\.name/],
    [controlPlaneValues, { policyController: { image: { name: 'cr.l5d.io/linkerd/policy-controller' } } }, 'policyController.image', /controllerImage/],
    [controlPlaneValues, { proxyInit: { resources: { cpu: { limit: '100m' } } } }, 'proxyInit.resources', /proxy\.resources/],
    [controlPlaneValues, { policyController: { defaultAllowPolicy: 'deny' } }, 'policyController.defaultAllowPolicy', /proxy\.defaultInboundPolicy/],
    [controlPlaneValues, { identity: { issuer: { crtExpiry: '2030-01-01T00:00:00Z' } } }, 'identity.issuer.crtExpiry', /crtPEM/],
    [controlPlaneValues, { installNamespace: false }, 'installNamespace', /-n <namespace>/],
    [controlPlaneValues, { global: { proxy: { logLevel: 'debug' } } }, 'global', /top level/],
    [vizValues, { grafanaUrl: 'grafana:3000' }, 'grafanaUrl', /grafana\.url/],
    [jaegerValues, { webhook: { enabled: true } }, 'webhook', /proxy\.tracing/],
  ] as const)('%#: %j is refused, saying what replaced it', (schema, user, key, replacement) => {
    const problems = validateValues(schema, coalesce(defaultsOf(schema), user as Record<string, unknown>));
    expect(problems).toHaveLength(1);
    expect(problems[0].key).toBe(key);
    expect(problems[0].message).toMatch(/^no longer a value of this chart/);
    expect(problems[0].message).toMatch(replacement);
  });
});
