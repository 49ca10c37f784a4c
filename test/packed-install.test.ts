/**
 * The npm package as users get it: `npm pack` of this repository (npm runs `prepare`, which
 * builds lib/), installed with `npm install --omit=dev` into three new cdk8s apps under
 * os.tmpdir() that see only their own node_modules — one on the peer versions we develop
 * with and cdk8s-plus-27, one on the same with cdk8s-plus-34 instead, one on the lowest
 * versions that peerDependencies admits (without cdk8s-plus). The cdk8s-plus apps mesh a
 * workload of every kind by annotation and another by manual injection. Each app is compiled with
 * `strict` and without `skipLibCheck`, synthesized with node, and runs the installed command.
 * Helpers: scripts/packed-app.ts (also behind scripts/peer-floor.ts, which found the floors).
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCrds } from '../src/crds/index';
import { createApp, isolatedDir, packageOf, packProject, plusOf, PLUS_PEERS, PLUS_WORKLOADS, requiredModules, ROOT, run, tarballFiles, type PackedApp, type Peers, type RunResult } from '../scripts/packed-app';
import { identityPem } from './fixtures/identity';

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  license: string;
}
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const PEERS = ['cdk8s', 'constructs'] as const;

/** `^2.0.0` → `2.0.0`: the lowest version a caret range admits (the only form we declare). */
function floor(name: string): string {
  const range = pkg.peerDependencies?.[name];
  const m = range === undefined ? null : /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!m) throw new Error(`package.json: peerDependencies.${name} is ${range === undefined ? 'missing' : `"${range}"`}, expected ^X.Y.Z`);
  return m[1];
}

/** What we develop and test with (devDependencies pin it), with cdk8s-plus-27. */
const CURRENT: Peers = { cdk8s: pkg.devDependencies.cdk8s, constructs: pkg.devDependencies.constructs, 'cdk8s-plus-27': pkg.devDependencies['cdk8s-plus-27'] };
/** The same with the newest cdk8s-plus (Kubernetes 1.34) instead. */
const PLUS34: Peers = { cdk8s: pkg.devDependencies.cdk8s, constructs: pkg.devDependencies.constructs, 'cdk8s-plus-34': pkg.devDependencies['cdk8s-plus-34'] };
/**
 * The floors of the peer ranges. The optional cdk8s-plus peers are left out: their floors need
 * a newer cdk8s than ours, and this app also shows that the package works without them.
 */
const lowest = (): Peers => ({ cdk8s: floor('cdk8s'), constructs: floor('constructs') });

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } } & Record<string, unknown>;
const docs = (text: string): Doc[] => (loadAll(text) as (Doc | null)[]).filter((d): d is Doc => d !== null);
const ids = (ds: Doc[]) => ds.map((d) => `${d.kind}/${d.metadata.namespace ? `${d.metadata.namespace}/` : ''}${d.metadata.name}`);

/** Material generated anew at every synthesis (webhook certificates and the checksums over them), masked. */
function masked(value: unknown, key = ''): unknown {
  if (['caBundle', 'tls.crt', 'tls.key'].includes(key) || key.startsWith('checksum/')) return '<generated>';
  if (Array.isArray(value)) return value.map((v) => masked(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, k)]));
  return value;
}

type Which = 'current' | 'plus-34' | 'lowest';
const WHICH: readonly Which[] = ['current', 'plus-34', 'lowest'];

interface Container {
  name: string;
  env?: { name: string; value?: string }[];
}
interface PodTemplate {
  metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: { containers?: Container[]; initContainers?: Container[] };
}
const isWorkload = (d: Doc) => (PLUS_WORKLOADS as readonly string[]).includes(d.kind);
/** A workload's pod template (a CronJob's is in its job template). */
function podTemplate(d: Doc): PodTemplate {
  const spec = d.spec as { template?: PodTemplate; jobTemplate?: { spec: { template: PodTemplate } } };
  return d.kind === 'CronJob' ? spec.jobTemplate!.spec.template : spec.template!;
}
const containerNames = (t: PodTemplate) => [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])].map((c) => c.name);

/** Generous: on a busy two-core machine one strict compile of the app takes half a minute. */
const SLOW = 600_000;

const show = (r: RunResult) => `exit ${r.code}\n${r.stderr}\n${r.stdout}`.slice(0, 4000);

describe('the packed package, installed into new cdk8s apps', () => {
  const work = isolatedDir('cdk8s-linkerd-packed');
  let tarball = '';
  let files: string[] = [];
  const apps: Record<Which, PackedApp | undefined> = { current: undefined, 'plus-34': undefined, lowest: undefined };
  const installs: Record<string, RunResult> = {};
  let lowestError: Error | undefined;
  const compiles: Record<string, Promise<RunResult> | undefined> = {};

  beforeAll(async () => {
    tarball = await packProject(work);
    files = await tarballFiles(tarball);
    apps.current = createApp(tarball, CURRENT);
    apps['plus-34'] = createApp(tarball, PLUS34);
    try {
      apps.lowest = createApp(tarball, lowest());
    } catch (e) {
      lowestError = e as Error; // reported by the lowest app's tests; the current app still runs
    }
    // all at once: one npm cache (the user's), three installs
    const [a, p, b] = await Promise.all([apps.current.install(), apps['plus-34'].install(), apps.lowest?.install()]);
    installs.current = a;
    installs['plus-34'] = p;
    if (b) installs.lowest = b;
    // the compilations are the slow part: all start now, side by side; their tests await them
    for (const which of WHICH) compiles[which] = apps[which]?.compile();
  }, 2 * SLOW);

  afterAll(async () => {
    await Promise.all(Object.values(compiles)); // a filtered run may not have awaited them
    // three apps' node_modules: removed side by side, with the time a loaded machine needs
    await Promise.all([work, ...WHICH.map((w) => apps[w]?.dir)].flatMap((d) => (d ? [rm(d, { recursive: true, force: true })] : [])));
  }, SLOW);

  it('declares cdk8s and constructs as peers (not dependencies), the tested cdk8s-plus majors (27, 34) as optional peers', () => {
    // exactly the cdk8s-plus packages the apps below test, no other
    expect(Object.keys(pkg.peerDependencies ?? {}).filter((n) => n.startsWith('cdk8s-plus-')).sort()).toEqual([...PLUS_PEERS]);
    for (const name of [...PEERS, ...PLUS_PEERS]) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.peerDependencies?.[name], name).toMatch(/^\^\d+\.\d+\.\d+$/);
      // what we develop with is inside the range we declare: same major, not below the floor
      const [dev, low] = [pkg.devDependencies[name], floor(name)].map((v) => v.split('.').map(Number));
      expect(dev[0], name).toBe(low[0]);
      expect(dev[1] * 1e6 + dev[2], name).toBeGreaterThanOrEqual(low[1] * 1e6 + low[2]);
    }
    for (const name of PLUS_PEERS) expect(pkg.peerDependenciesMeta?.[name]?.optional, name).toBe(true);
    expect(pkg.peerDependenciesMeta?.cdk8s?.optional).toBeFalsy();
  });

  it('packs lib/, bin/, the charts and the license, and no sources or tests', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('package.json');
    expect(files).toContain('lib/index.js');
    expect(files).toContain('lib/index.d.ts');
    expect(files).toContain('bin/cdk8s-linkerd.js');
    expect(files.some((f) => f.startsWith('charts/linkerd-crds/'))).toBe(true);
    expect(files).toContain('vendor/gateway-api/gateway.networking.k8s.io_httproutes.yaml'); // read by the gateway-api-crds chart
    expect(files.filter((f) => f.startsWith('validators/')).length).toBeGreaterThanOrEqual(4); // precompiled values validators
    // The data the build computed from the code (src/prebuild.ts): every chart's rules, the dashboards.
    expect(files).toContain('lib/prebuilt/linkerd-control-plane.json');
    expect(files).toContain('lib/prebuilt/linkerd-viz.dashboards.json');
    expect(files.filter((f) => /^(src|test|scripts|node_modules)\//.test(f))).toEqual([]);
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  describe.each(WHICH)('on the %s peer versions', (which) => {
    const app = (): PackedApp => {
      const a = apps[which];
      if (!a) throw lowestError ?? new Error(`no ${which} app`);
      return a;
    };

    it('installs, with no missing or invalid dependency and one copy of cdk8s and constructs', async () => {
      app(); // throws when the app could not be made
      expect(installs[which].code, show(installs[which])).toBe(0);
      const ls = await run('npm', ['ls', '--all', '--omit=dev'], app().dir);
      expect(ls.code, show(ls)).toBe(0);
      for (const name of PEERS) {
        const copies = await run('npm', ['ls', name, '--all', '--parseable'], app().dir);
        expect(copies.stdout.trim().split('\n'), name).toEqual([join(app().dir, 'node_modules', name)]);
        const version = (JSON.parse(readFileSync(join(app().dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
        expect(version, name).toBe(app().peers[name]);
      }
      // an optional peer is installed only where the app asks for it
      for (const name of PLUS_PEERS) {
        const plus = await run('npm', ['ls', name, '--parseable'], app().dir);
        expect(plus.stdout.trim() !== '', name).toBe(app().peers[name] !== undefined);
      }
    }, SLOW);

    it('resolves every module that lib/ and bin/ require, each a declared dependency or peer', async () => {
      const pkgDir = join(app().dir, 'node_modules', 'cdk8s-linkerd');
      const installed = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
      const declared = new Set([...Object.keys(installed.dependencies), ...Object.keys(installed.peerDependencies ?? {})]);
      const required = requiredModules(pkgDir);
      // bin/ loads tsx only in a source checkout (when src/ exists), which the package is not
      for (const spec of ['tsx/cjs', 'tsx/esm/api']) {
        expect(required.get(spec), spec).toEqual(['bin/cdk8s-linkerd.js']);
        required.delete(spec);
      }
      expect(required.size).toBeGreaterThan(5);
      expect([...required].filter(([spec]) => !declared.has(packageOf(spec))).map(([spec, where]) => `${spec} (${where.join(', ')})`)).toEqual([]);
      const script = `const specs = ${JSON.stringify([...required.keys()])};
        const out = {};
        for (const s of specs) { try { out[s] = require.resolve(s, { paths: [${JSON.stringify(pkgDir)}] }); } catch (e) { out[s] = 'UNRESOLVED: ' + e.message.split('\\n')[0]; } }
        console.log(JSON.stringify(out));`;
      const r = await run(process.execPath, ['-e', script], app().dir);
      expect(r.code, show(r)).toBe(0);
      const resolved = JSON.parse(r.stdout) as Record<string, string>;
      expect(Object.entries(resolved).filter(([, p]) => !p.startsWith(join(app().dir, 'node_modules')))).toEqual([]);
    }, SLOW);

    it('compiles a strict TypeScript app (no skipLibCheck) against the installed types', async () => {
      app();
      const r = await compiles[which]!;
      expect(r.code, show(r)).toBe(0);
    }, SLOW);

    it('synthesizes the CRDs, the control plane with the given identity, viz and a Server', async () => {
      const r = await app().synth();
      expect(r.code, show(r)).toBe(0);
      const out = app().output();
      const plus = plusOf(app().peers);
      expect(Object.keys(out).sort()).toEqual(['linkerd-control-plane.k8s.yaml', 'linkerd-crds.k8s.yaml', 'linkerd-viz.k8s.yaml', ...(plus ? ['manual.k8s.yaml'] : []), 'shop.k8s.yaml']);

      const crds = docs(out['linkerd-crds.k8s.yaml']);
      expect(ids(crds).sort()).toEqual(allCrds.map((c) => `CustomResourceDefinition/${c.plural}.${c.group}`).sort());

      const cp = docs(out['linkerd-control-plane.k8s.yaml']);
      expect(ids(cp)).toEqual(
        expect.arrayContaining(['Deployment/linkerd/linkerd-identity', 'Deployment/linkerd/linkerd-destination', 'Deployment/linkerd/linkerd-proxy-injector', 'ConfigMap/linkerd/linkerd-config']),
      );
      const roots = cp.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'linkerd-identity-trust-roots') as { data: Record<string, string> } | undefined;
      const ca = identityPem('ca.crt');
      expect(roots?.data['ca-bundle.crt'].trim()).toBe(ca.trim());
      const issuer = cp.find((d) => d.kind === 'Secret' && d.metadata.name === 'linkerd-identity-issuer') as { data: Record<string, string> } | undefined;
      expect(Buffer.from(issuer?.data['crt.pem'] ?? '', 'base64').toString().trim()).toBe(identityPem('issuer.crt').trim());

      const viz = docs(out['linkerd-viz.k8s.yaml']);
      expect(ids(viz)).toEqual(expect.arrayContaining(['Deployment/linkerd-viz/metrics-api', 'Deployment/linkerd-viz/tap', 'Deployment/linkerd-viz/web', 'Deployment/linkerd-viz/prometheus']));
      expect(out['linkerd-viz.k8s.yaml']).toContain('--storage.tsdb.retention.time=24h');

      const shop = docs(out['shop.k8s.yaml']);
      const server = shop.find((d) => d.kind === 'Server');
      expect(server).toMatchObject({
        apiVersion: 'policy.linkerd.io/v1beta3',
        metadata: { name: 'web-http', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { app: 'web' } }, port: 'http', proxyProtocol: 'HTTP/1' },
      });
      if (!plus) {
        expect(shop.filter((d) => isWorkload(d))).toEqual([]);
        return;
      }
      // Meshed by annotation: every kind's pod template asks the proxy injector, with the opaque port; no proxy rendered in.
      const annotated = shop.filter((d) => isWorkload(d));
      expect(annotated.map((d) => d.kind).sort()).toEqual([...PLUS_WORKLOADS].sort());
      for (const w of annotated) {
        const t = podTemplate(w);
        expect(t.metadata?.annotations, w.kind).toMatchObject({ 'linkerd.io/inject': 'enabled', 'config.linkerd.io/opaque-ports': '5432' });
        expect(containerNames(t), w.kind).not.toContain('linkerd-proxy');
        expect(containerNames(t), w.kind).toContain('main');
      }
      // Manual injection: every kind's pod template has the proxy and proxy-init, with the settings and the labels the injector would give.
      const manual = docs(out['manual.k8s.yaml']).filter((d) => isWorkload(d));
      expect(manual.map((d) => d.kind).sort()).toEqual([...PLUS_WORKLOADS].sort());
      for (const w of manual) {
        const t = podTemplate(w);
        expect(containerNames(t), w.kind).toEqual(expect.arrayContaining(['linkerd-init', 'linkerd-proxy', 'main']));
        expect(t.metadata?.annotations, w.kind).toMatchObject({ 'config.linkerd.io/opaque-ports': '6379', 'linkerd.io/proxy-version': expect.stringMatching(/^edge-/) });
        expect(t.metadata?.labels, w.kind).toMatchObject({ 'linkerd.io/control-plane-ns': 'linkerd', [`linkerd.io/proxy-${w.kind.toLowerCase()}`]: w.metadata.name });
        const proxy = [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])].find((c) => c.name === 'linkerd-proxy');
        const env = Object.fromEntries((proxy?.env ?? []).map((e) => [e.name, e.value]));
        expect(env.LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION, w.kind).toBe('6379');
      }
    }, SLOW);

    it('an ES module imports every export by name, the same values require gives (the entry loads each module on first use)', async () => {
      const script = `import * as esm from 'cdk8s-linkerd';
        import { createRequire } from 'node:module';
        const cjs = createRequire(import.meta.url)('cdk8s-linkerd');
        const names = Object.keys(cjs);
        console.log(JSON.stringify({ names: names.length, missing: names.filter((n) => !(n in esm)), differ: names.filter((n) => esm[n] !== cjs[n]), undefined: names.filter((n) => cjs[n] === undefined) }));`;
      const r = await run(process.execPath, ['--input-type=module', '-e', script], app().dir);
      expect(r.code, show(r)).toBe(0);
      const out = JSON.parse(r.stdout) as { names: number; missing: string[]; differ: string[]; undefined: string[] };
      expect(out.names).toBeGreaterThan(50);
      expect(out).toMatchObject({ missing: [], differ: [], undefined: [] });
    }, SLOW);

    it('runs the installed cdk8s-linkerd command', async () => {
      const help = await app().cli(['--help']);
      expect(help.code, show(help)).toBe(0);
      expect(help.stdout).toMatch(/^cdk8s-linkerd \d+\.\d+\.\d+/);
      expect(help.stdout).toContain('template <chart>');
      const crds = await app().cli(['template', 'linkerd-crds']);
      expect(crds.code, show(crds)).toBe(0);
      expect(ids(docs(crds.stdout)).sort()).toEqual(allCrds.map((c) => `CustomResourceDefinition/${c.plural}.${c.group}`).sort());
      const gateway = await app().cli(['template', 'gateway-api-crds']);
      expect(gateway.code, show(gateway)).toBe(0);
      expect(ids(docs(gateway.stdout))).toEqual(expect.arrayContaining(['CustomResourceDefinition/httproutes.gateway.networking.k8s.io', 'CustomResourceDefinition/grpcroutes.gateway.networking.k8s.io']));
    }, SLOW);
  });

  it('gives the same manifests on the lowest peers and on cdk8s-plus-34 as on the current ones (generated certificates aside)', () => {
    if (!apps.current || !apps.lowest || !apps['plus-34']) throw lowestError ?? new Error('an app is missing');
    const [cur, low, p34] = [apps.current.output(), apps.lowest.output(), apps['plus-34'].output()];
    for (const file of ['linkerd-crds.k8s.yaml', 'linkerd-control-plane.k8s.yaml', 'linkerd-viz.k8s.yaml']) {
      expect(masked(docs(low[file])), file).toEqual(masked(docs(cur[file])));
      expect(masked(docs(p34[file])), file).toEqual(masked(docs(cur[file])));
    }
    // the current app's shop chart also has the cdk8s-plus workloads
    expect(docs(low['shop.k8s.yaml'])).toEqual(docs(cur['shop.k8s.yaml']).filter((d) => !isWorkload(d) && d.kind !== 'Service'));
  });
});
