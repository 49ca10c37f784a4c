/**
 * User maps that collide with the chart's own keys (issue 19). For every map a chart passes
 * through, values that set each key the chart writes beside it are rendered by Helm 3, Helm 4 and
 * `cdk8s-linkerd template`:
 * - no output may hold a key twice in one mapping (parsed with duplicate keys forbidden);
 * - the three renderings must be the same objects;
 * - the user's value must be in the output where the map wins, the chart's where it loses;
 * - a key the chart owns must be refused by all three, naming `<map>.<key>`.
 * The maps and their chart keys come from the engine (`mapAnalysis`); besides those, every
 * other map of strings in the values schema is set to every label, annotation and selector key
 * the chart writes, so a map merged some other way is caught too.
 */
import { createHash } from 'node:crypto';
import type { TObject } from '@sinclair/typebox';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { generateIdentity } from '../src/certs/identity';
import { ConcreteChart, mapAnalysis, type ChartDefinition, type Release } from '../src/helm/chart';
import { OWNED_MESSAGE } from '../src/helm/maps';
import { coalesce, jsonSchemaOf } from '../src/values/model';
import { App } from 'cdk8s';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, maskGenerated, normalize, pool, writeValues, type K8sDoc } from './support/render';
import { REQUIRED_VALUES } from './fixtures/identity';
import { runCli } from './support/cli';

const NAMESPACES: Record<string, string> = { 'linkerd-crds': 'linkerd', 'linkerd-control-plane': 'linkerd', 'linkerd-viz': 'linkerd-viz', 'linkerd-jaeger': 'linkerd-jaeger', 'linkerd-multicluster': 'linkerd-multicluster', 'linkerd-multicluster-link': 'linkerd-multicluster' };

/** Values that every rendering of a chart needs, and that turn its optional objects on. */
let base: Record<string, Record<string, unknown>> = {};
beforeAll(async () => {
  const id = await generateIdentity();
  base = {
    ...REQUIRED_VALUES,
    'linkerd-control-plane': {
      identityTrustAnchorsPEM: id.caCrtPEM,
      identity: { issuer: { tls: { crtPEM: id.issuerCrtPEM, keyPEM: id.issuerKeyPEM } } },
      podMonitor: { enabled: true },
      configReaders: [{ name: 'reader', namespace: 'other' }],
    },
    'linkerd-viz': { alerts: { prometheusRule: { enabled: true } } },
  };
});

/** Every mapping in a YAML stream parsed with duplicate keys forbidden: the errors, one per duplicate. */
function duplicateKeyErrors(text: string): string[] {
  return parseAllDocuments(text, { uniqueKeys: true }).flatMap((d) => d.errors.map((e) => e.message.split('\n')[0]));
}

const METADATA_MAPS = ['labels', 'annotations', 'matchLabels', 'nodeSelector', 'selector'];

/** `key=value` of every entry of every labels, annotations and selector mapping in the objects. */
function pairs(docs: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (METADATA_MAPS.includes(k) && v && typeof v === 'object' && !Array.isArray(v)) {
          for (const [lk, lv] of Object.entries(v)) if (typeof lv === 'string') out.add(`${lk}=${lv}`);
        }
        walk(v);
      }
    }
  };
  walk(docs);
  return out;
}

/** The keys of every labels, annotations and selector mapping the objects hold. */
function metadataKeys(docs: unknown): Set<string> {
  return new Set([...pairs(docs)].map((p) => p.slice(0, p.indexOf('='))));
}

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  patternProperties?: Record<string, SchemaNode>;
  propertyNames?: unknown;
  anyOf?: SchemaNode[];
}

/** Dotted paths of the values that are maps of strings with free keys. */
function stringMaps(node: SchemaNode, at: string[] = []): string[] {
  const variants = node.anyOf ?? [node];
  return variants.flatMap((n) => {
    if (n.properties) return Object.entries(n.properties).flatMap(([k, child]) => stringMaps(child, [...at, k]));
    // TypeBox writes a Record of strings as one key pattern: any key, or a label or annotation key.
    const patterns = Object.entries(n.patternProperties ?? {});
    const free = patterns.length === 1 && patterns[0][1].type === 'string';
    const add = n.additionalProperties;
    if (!n.propertyNames && (free || (patterns.length === 0 && add && typeof add === 'object' && add.type === 'string'))) return [at.join('.')];
    return [];
  });
}

/** `{ a: { b: x } }` for `a.b` = x. */
function at(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((acc, k) => ({ [k]: acc }), value) as Record<string, unknown>;
}

interface Rendered {
  ok: boolean;
  stdout: string;
  stderr: string;
}

async function renderAll(def: ChartDefinition<TObject>, release: Release, values: Record<string, unknown>): Promise<Record<string, Rendered>> {
  const file = writeValues(values);
  const out: Record<string, Rendered> = {};
  for (const major of HELM_MAJORS) out[`helm ${major}`] = await helmTemplate(major, chartDir(def), ['-f', file], release);
  const c = await runCli(['template', def.name, '-f', file, '-n', release.namespace, '--release-name', release.name]);
  out.cli = { ok: c.code === 0, stdout: c.stdout, stderr: c.stderr };
  return out;
}

/** No duplicate key anywhere, and the three renderings equal; returns our objects. */
function expectAgree(r: Record<string, Rendered>, what: string): K8sDoc[] {
  for (const [who, x] of Object.entries(r)) {
    expect(x.ok, `${who} failed for ${what}: ${x.stderr}`).toBe(true);
    expect(duplicateKeyErrors(x.stdout), `${who}: duplicate keys for ${what}`).toEqual([]);
  }
  const ours = normalize(r.cli.stdout);
  for (const major of HELM_MAJORS) expect(maskGenerated(normalize(r[`helm ${major}`].stdout)), `helm ${major} vs ours for ${what}`).toEqual(maskGenerated(ours));
  return ours;
}

/** The user's value for one key of one map: unique, and a valid label value (the values model checks label values). */
const userValue = (path: string, key: string) => `user-${createHash('sha256').update(`${path}\0${key}`).digest('hex').slice(0, 16)}`;

const covered: Record<string, { maps: number; keys: number; refused: number; mapPairs: number; otherMaps: number; otherKeys: number }> = {};

describe.each(Object.values(CHARTS).map((d) => [d.name, d] as const))('%s', (name, def) => {
  const release = { name, namespace: NAMESPACES[name] ?? 'default' };
  const merges = mapAnalysis(def).merges;
  const withBase = (values: Record<string, unknown>) => coalesce(base[name] ?? {}, values);
  const stats = { maps: 0, keys: 0, refused: 0, mapPairs: 0, otherMaps: 0, otherKeys: 0 };
  covered[name] = stats;

  it.each([...merges].map(([path, m]) => [path, m] as const))('%s: every chart key beside it, set by the user', async (path, m) => {
    const keys = [...new Set([...m.userWins, ...m.chartWins])].sort();
    const value = Object.fromEntries(keys.map((k) => [k, userValue(path, k)]));
    const ours = expectAgree(await renderAll(def, release, withBase(at(path, value))), `${path}: ${keys.join(', ')}`);
    const found = pairs(ours);
    for (const k of m.userWins) if (!m.chartWins.has(k)) expect(found.has(`${k}=${userValue(path, k)}`), `${path}.${k}: the user's value wins somewhere`).toBe(true);
    // Where the chart's key comes after the map, the chart's value is there (in some object).
    for (const k of m.chartWins) {
      if (!m.userWins.has(k)) expect([...found].some((p) => p.startsWith(`${k}=`) && p !== `${k}=${userValue(path, k)}`), `${path}.${k}: the chart's value wins`).toBe(true);
    }
    stats.maps += 1;
    stats.keys += keys.length;
  });

  it('user maps in the same objects: the later one wins', async () => {
    const paths = [...merges].filter(([, m]) => m.winsOver.size + m.losesTo.size > 0).map(([p]) => p);
    if (paths.length === 0) return;
    const values = paths.reduce<Record<string, unknown>>((acc, p) => coalesce(acc, at(p, { 'example.com/shared': `from-${p}` })), {});
    const ours = expectAgree(await renderAll(def, release, withBase(values)), `example.com/shared in ${paths.join(', ')}`);
    const found = pairs(ours);
    for (const p of paths) {
      const m = merges.get(p)!;
      // A map that loses to no other map, wherever it is used, shows its value.
      if (m.losesTo.size === 0) expect(found.has(`example.com/shared=from-${p}`), `${p} wins over ${[...m.winsOver].join(', ')}`).toBe(true);
      stats.mapPairs += m.winsOver.size;
    }
  });

  const refusals: [string, string, string][] = [...merges].flatMap(([path, m]) => [...m.refused].map((k): [string, string, string] => [`${path}.${k}`, path, k]));
  it.each(refusals.length ? refusals : [['(none)', '', ''] as [string, string, string]])('%s is refused by Helm 3, Helm 4, the CLI and the construct', async (_n, path, key) => {
    if (!path) return;
    const r = await renderAll(def, release, withBase(at(path, { [key]: 'mine' })));
    const message = `${path}.${key}: ${OWNED_MESSAGE}`;
    for (const [who, x] of Object.entries(r)) {
      expect(x.ok, `${who} accepted ${path}.${key}`).toBe(false);
      expect(x.stderr, who).toContain(message);
    }
    expect(() => new ConcreteChart(new App(), name, def, withBase(at(path, { [key]: 'mine' })) as never, release)).toThrow(message);
    stats.refused += 1;
  });

  it('every other map of strings, set to every label, annotation and selector key the chart writes', async () => {
    const defaults = await renderAll(def, release, withBase({}));
    const keys = [...metadataKeys(expectAgree(defaults, 'the defaults'))].sort();
    const maps = stringMaps(jsonSchemaOf(def.values) as SchemaNode);
    // The engine's merged maps are maps of strings of the values (a check on the analysis itself).
    for (const p of merges.keys()) expect(maps, `${p} is a map of strings in the values schema`).toContain(p);
    const others = maps.filter((p) => !merges.has(p));
    console.log(`${name}: other maps of strings: ${others.join(', ') || '(none)'}`);
    await pool(others, 2, async (p) => {
      // Owned keys are refused only in the maps merged beside them, which these are not.
      expectAgree(await renderAll(def, release, withBase(at(p, Object.fromEntries(keys.map((k) => [k, 'other-map']))))), `${p} with ${keys.length} keys`);
    });
    stats.otherMaps = others.length;
    stats.otherKeys = keys.length;
  });
});

describe('coverage', () => {
  it('reports the maps and keys covered', () => {
    const lines = Object.entries(covered).map(
      ([n, s]) =>
        `${n}: ${s.maps} merged maps x ${s.keys} colliding keys, ${s.refused} owned keys refused, ${s.mapPairs} map-over-map orders, ${s.otherMaps} other maps x ${s.otherKeys} keys`,
    );
    const total = Object.values(covered).reduce((a, s) => ({ maps: a.maps + s.maps, keys: a.keys + s.keys, refused: a.refused + s.refused }), { maps: 0, keys: 0, refused: 0 });
    console.log(`collisions covered:\n  ${lines.join('\n  ')}\n  total: ${total.maps} maps, ${total.keys} colliding (map, key) cases, ${total.refused} refused`);
    expect(total.maps).toBeGreaterThan(0);
  });
});
