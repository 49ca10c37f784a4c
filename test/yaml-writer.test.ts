/**
 * The engine's YAML writer (src/helm/yaml.ts): the scalar rule that concrete output uses is the
 * one Helm runs (the `cdk8s-linkerd.scalar` named template), byte for byte, for many random
 * values; every scalar reads back as the same value; dist/ reads like hand-written YAML.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { JSON_SCHEMA, load } from 'js-yaml';
import { parse } from 'yaml';
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { distFolders } from '../src/outputs';
import { CHARTS } from '../src/charts';
import { renderTemplates } from '../src/helm/chart';
import { existsSync } from 'node:fs';
import { toManifest } from '../src/helm/chart';
import { SCALAR_TEMPLATE, isLiteralString, isPlainString, objectOrder, scalarAction, yamlText } from '../src/helm/yaml';
import { HELM_MAJORS } from './support/helm';
import { helmTemplate, scratchDir, writeValues } from './support/render';

/** Strings that probe every branch of the rule: YAML 1.1 and 1.2 special words, numbers, indicators, blocks. */
const TRICKY = [
  '', 'true', 'True', 'yes', 'No', 'on', 'OFF', 'y', 'n', 'null', 'Null', '~', '123', '-1', '+1', '1.5', '1e3', '1E+3', '0x1F', '0o17', '0b101', '1_000', '08',
  '.inf', '-.Inf', '.nan', '1:20', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '::/0', '0.0.0.0/0', '25%', '10s', '48h0m0s', '1.0.0-edge', '100m', '250Mi', '1d',
  'a: b', 'a:b', 'a:', ' lead', 'trail ', '#x', 'a #b', 'a#b', '-x', '- x', '@x', '`x', '*a', '&a', '!a', '|', '>', '%x', "'q'", '"dq"', '<<', '=', '?x', 'a,b', '[a]', '{a}',
  'a\tb', 'été', 'linkerd/helm edge-26.8.3', 'cr.l5d.io/linkerd/proxy:edge-26.8.3', 'a  b', 'a b ', 'x\ny', 'x\ny\n', 'x\n\n', 'x\n\ny', ' x\ny', '\tx\ny', 'x\n  y\n', 'x\n \ny',
  'x\r\ny', 'a\u0085b', '\u2028', 'x\n# not a comment\n- not an item\n', '{{ x }}', 'a'.repeat(400), 'word '.repeat(60),
];

const scalars = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string({ unit: fc.constantFrom(...'aZ09 -_./:#%@\'"\n\t|>*&!?,[]{}~=+'.split('')), maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

/** A chart whose one template writes `.Values.s` item by item with the scalar helper, as a literal-capable value at two indents. */
function probeChart(): string {
  const dir = join(scratchDir('scalar-probe'), 'probe');
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'templates', '_helpers.tpl'), `${SCALAR_TEMPLATE}\n`);
  writeFileSync(
    join(dir, 'templates', 'probe.yaml'),
    ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: probe', 'data:', '  items:', '  {{- range .Values.s }}', `  - ${scalarAction('.', 4)}`, '  {{- end }}', ''].join('\n'),
  );
  return dir;
}

/** What our writer prints for the same document. */
function ours(values: unknown[]): string {
  const doc = yamlText({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' }, data: { items: values } });
  return `---\n# Source: probe/templates/probe.yaml\n${doc}`;
}

describe('the scalar rule', () => {
  it('reads back as the same value, with a YAML 1.2 and a YAML 1.1 reader', () => {
    fc.assert(
      fc.property(scalars, (v) => {
        const text = yamlText({ k: v });
        expect(load(text, { schema: JSON_SCHEMA })).toEqual({ k: v });
        expect(parse(text, { version: '1.1' })).toEqual({ k: v });
        expect(parse(text)).toEqual({ k: v });
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  it('writes plain and literal strings where a careful person would', () => {
    for (const s of ['ConfigMap', 'linkerd/helm edge-26.8.3', 'cr.l5d.io/linkerd/proxy:edge-26.8.3', '25%', '10s', '1.0.0-edge', '0.0.0.0/0']) expect(isPlainString(s), s).toBe(true);
    for (const s of ['', 'true', 'yes', 'null', '8080', '1e3', '2001-12-14', '1:20', 'a: b', '#x', '-x', ' lead']) expect(isPlainString(s), s).toBe(false);
    expect(isLiteralString('{\n  "a": 1\n}\n')).toBe(true);
    expect(yamlText({ data: { 'a.json': '{\n  "a": 1\n}\n' } })).toBe('data:\n  a.json: |\n    {\n      "a": 1\n    }\n');
    expect(Object.keys(objectOrder({ spec: 1, metadata: 2, kind: 3, apiVersion: 4 }))).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
  });

  it.each(HELM_MAJORS)('is what Helm %i prints through the named template, byte for byte, for random values', { timeout: 300_000 }, async (major) => {
    const dir = probeChart();
    const batches = fc.sample(fc.array(scalars, { minLength: 1, maxLength: 60 }), { numRuns: 25, seed: 1515 });
    batches.unshift(TRICKY);
    for (const batch of batches) {
      // Helm refuses invalid UTF-8 and NUL in values files, and reads a raw NEL in a quoted scalar as a line break (values reading, not writing).
      const values = batch.filter((x) => typeof x !== 'string' || !/[\u0000\u0085\ud800-\udfff]/.test(x));
      if (values.length === 0) continue;
      const helm = await helmTemplate(major, dir, ['-f', writeValues({ s: values })], { name: 'p', namespace: 'default' });
      expect(helm.ok, helm.stderr).toBe(true);
      expect(helm.stdout).toBe(ours(values));
    }
  });
});

/** Every YAML file under dist/. */
function distFiles(dir = join(__dirname, '..', 'dist')): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? distFiles(p) : /\.ya?ml$/.test(n) ? [p] : [];
  });
}

describe('dist/ reads like hand-written YAML', () => {
  it('every object starts with apiVersion, kind, metadata, and kind is never quoted', () => {
    for (const file of distFiles()) {
      for (const doc of readFileSync(file, 'utf8').split(/^---\n/m).filter((d) => d.trim())) {
        const keys = doc.split('\n').filter((l) => /^[^\s#]/.test(l)).map((l) => l.split(':')[0]);
        if (!keys.includes('kind')) continue; // a patch (argocd-cm-patch.yaml), not an object
        const first = keys.includes('metadata') ? ['apiVersion', 'kind', 'metadata'] : ['apiVersion', 'kind'];
        expect(keys.slice(0, first.length), `${file}: ${doc.slice(0, 200)}`).toEqual(first);
        expect(doc).not.toMatch(/^kind: "/m);
      }
    }
  });
});

/** dist/ as `cdk8s-linkerd synth` writes it, with user values per chart: folder → manifest text. */
function dist(values: Record<string, Record<string, unknown>> = {}): Map<string, string> {
  return new Map(distFolders(values).map((f) => [f.folder, toManifest(f.chart, f.objects)]));
}

/** Lines added or removed between two texts, and their characters. */
function changed(a: string, b: string): { lines: number; chars: number } {
  const parts = diffLines(a, b).filter((c) => c.added || c.removed);
  return { lines: parts.reduce((n, c) => n + (c.count ?? 0), 0), chars: parts.reduce((n, c) => n + c.value.length, 0) };
}

describe('dist/ diffs stay small', () => {
  it('a one-key change of values (proxy.logLevel) changes at most 30 lines of dist/', () => {
    const [before, after] = [dist(), dist({ 'linkerd-control-plane': { proxy: { logLevel: 'debug' } } })];
    const diffs = [...before.keys()].map((folder) => changed(before.get(folder) ?? '', after.get(folder) ?? ''));
    const lines = diffs.reduce((n, d) => n + d.lines, 0);
    const chars = diffs.reduce((n, d) => n + d.chars, 0);
    expect(lines).toBeGreaterThan(0);
    expect(lines).toBeLessThanOrEqual(30);
    // …and a small one: no long line (a whole configuration on one line) in it.
    expect(chars).toBeLessThanOrEqual(2000);
  });

  it('no line of dist/ is longer than 300 characters, but base64 data', () => {
    const long = [...dist().entries()].flatMap(([folder, text]) =>
      text
        .split('\n')
        .filter((l) => l.length > 300)
        // base64 (certificates, CA bundles)
        .filter((l) => !/^\s*[\w./-]+: [A-Za-z0-9+/=]+$/.test(l))
        // the Gateway API release's CEL rules, one-line strings copied unchanged (a string is never folded)
        .filter((l) => !(folder === 'gateway-api-crds' && GATEWAY_API_CEL.test(l)))
        .map((l) => `${folder}: ${l.slice(0, 120)}…`),
    );
    expect(long).toEqual([]);
  });
});

/** A CEL rule (CRD) or expression (admission policy) of the Gateway API release: its text as released, on one line. */
const GATEWAY_API_CEL = /^\s*(- )?(rule|expression): "/;

describe('chart templates read at a normal width', () => {
  it('no line of charts/ (templates, values, READMEs) is longer than 300 characters, but base64 and certificate data', () => {
    const root = join(__dirname, '..', 'charts');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const all = files(root);
    expect(all.some((f) => f.endsWith('_proxy.tpl'))).toBe(true);
    const long = all.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.length > 300)
        // base64 and PEM data
        .filter((l) => !/^\s*[\w./-]+: [A-Za-z0-9+/=]+$/.test(l) && !/^\s*[A-Za-z0-9+/=]+$/.test(l))
        .filter((l) => !(file.includes('/gateway-api-crds/templates/') && GATEWAY_API_CEL.test(l)))
        // A JSON schema's regular expression is one JSON string: it cannot be broken (the CIDR-list pattern).
        .filter((l) => !(file.endsWith('values.schema.json') && /^\s*"pattern": "/.test(l)))
        .map((l) => `${file.slice(root.length + 1)}: ${l.slice(0, 120)}…`),
    );
    expect(long).toEqual([]);
  });
});

describe('chart templates say where they come from', () => {
  it.each(Object.keys(CHARTS))('every template file of %s starts with a comment naming the TypeScript module that writes it', (name) => {
    for (const [file, text] of renderTemplates(CHARTS[name])) {
      if (!(file.endsWith('.yaml') || file.endsWith('.tpl')) || file === 'validate-values.yaml' || file === '_helpers.tpl') continue;
      const m = /^\{\{- \/\* Generated by cdk8s-linkerd from (\S+\.ts)(, \S+\.ts)*; do not edit\. \*\/\}\}\n/.exec(text);
      expect(m, `${name}/templates/${file}: ${text.slice(0, 120)}`).not.toBeNull();
      expect(existsSync(join(__dirname, '..', m![1])), m![1]).toBe(true);
    }
  });
});
