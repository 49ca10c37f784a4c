/**
 * The template engine: one chart (test/support/engine-chart.ts) that uses every
 * construct kind, rendered by Helm 3, Helm 4 and our concrete mode.
 */
import fc from 'fast-check';
import { Type } from '@sinclair/typebox';
import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConcreteChart, ValuesError, chartFiles, mapAnalysis, renderTemplates, buildConcrete, resolveValues, valuesRules } from '../src/helm/chart';
import { rule } from '../src/helm/rules';
import { CHARTS } from '../src/charts';
import { rulesSection } from '../src/rules-doc';
import { repairByRules } from './support/repair';
import { Component, K8sObject } from '../src/helm/object';
import { val } from '../src/values/model';
import { Fmt, Ref, SymbolicValueError, goFloatString, renderTpl, tplProblem } from '../src/helm/expr';
import { HelmValues } from '../src/helm/values';
import { engineChart, engineValues } from './support/engine-chart';
import { testChart } from './support/test-chart';
import { arbitraryValues } from './support/arbitrary';
import { HELM_MAJORS } from './support/helm';
import { chartDir, expectHelmEquivalent, helmTemplate, pool, writeValues } from './support/render';

const release = { name: 'demo-release', namespace: 'demo-ns' };

const expectEquivalent = (user: Record<string, unknown>) => expectHelmEquivalent(engineChart, user, { release, quiet: true });

describe('engine: concrete and template renderings agree', () => {
  it('for the defaults', async () => {
    await expectEquivalent({});
  });

  it.each([
    ['HA on, optional object off', { ha: true, enabled: false }],
    ['debug level adds fields', { logLevel: 'debug', priorityClassName: 'high' }],
    ['lists and maps pass through', { extraArgs: ['-v', '--x=1'], tolerations: [{ key: 'k', operator: 'Exists' }], annotations: { a: 'b' } }],
    ['a key that is usually absent', { flagged: false }],
    ['integers keep their digits', { bigNumber: 123456789012, replicas: 0 }],
    ['floats print as Go prints them', { ratio: 0.00001 }],
    ['strings that look like other types', { note: 'true', image: { tag: '1.0', name: 'no' } }],
    ['objects per list item, item overrides kept even when false or 0', { workers: [{ name: 'a', probe: { enabled: false } }, { name: 'b', replicas: 0, probe: { port: 9 } }, { name: 'c' }], workerDefaults: { replicas: 3 } }],
    ['no list items, no objects', { workers: [] }],
  ])('%s', async (_name, user) => {
    await expectEquivalent(user);
  });

  it('for random valid values', async () => {
    const samples = fc.sample(arbitraryValues(engineValues), { numRuns: 60, seed: 42 });
    await pool(samples, 4, (user) => expectEquivalent(user));
  });
});

describe('engine: template text', () => {
  const templates = renderTemplates(engineChart);
  const main = templates.get('main.yaml') ?? '';

  it('spells free text with the scalar helper (once per file when used more than once), typed scalars plainly, structures with toYaml, optional fields with if', () => {
    expect(main).toMatch(/\{\{- \$name := include "cdk8s-linkerd\.scalar" \(list \.Values\.name \d+\) \}\}/);
    expect(main).toContain(' name: {{ $name }}');
    expect(main).toContain('  level: {{ .Values.logLevel }}');
    expect(main).toContain('{{- toYaml .Values.tolerations | nindent (ternary 8 6 (empty .Values.tolerations)) }}');
    expect(main).toMatch(/\{\{- if \.Values\.priorityClassName \}\}\n\s+priorityClassName: \{\{ include "cdk8s-linkerd\.scalar" \(list \.Values\.priorityClassName \d+\) \}\}\n\s+\{\{- end \}\}/);
    expect(main).toContain('{{- range .Values.extraArgs }}');
  });

  it('writes objects per list item inside range, reading the root context from $ and per-item defaults with dig', () => {
    const workers = templates.get('workers.yaml') ?? '';
    expect(workers).toContain('{{- range $v1 := .Values.workers }}\n---\napiVersion: v1\nkind: ConfigMap');
    expect(workers).toContain('(dig "replicas" $.Values.workerDefaults.replicas $v1)');
    expect(workers).toMatch(/\{\{- range \$v1 := \.Values\.workers \}\}\n\{\{- if \(and \(dig "probe" "enabled" \$\.Values\.workerDefaults\.probe\.enabled \$v1\) \$\.Values\.enabled\) \}\}\n---/);
    // Inside the range `.` is the item: no reference to the root context may start from it.
    const inside = workers.split('\n').filter((l) => !l.startsWith('{{- range'));
    expect(inside.filter((l) => /[\s(]\.(Values|Release|Chart)\b/.test(l))).toEqual([]);
  });

  it('builds strings with printf, converting integers so Helm prints them in full', () => {
    expect(main).toContain('(printf "%v/%v:%v" .Values.image.registry .Values.image.name .Values.image.tag)');
    // A port has bounds, so every value prints in full as it is; a number without bounds is converted.
    expect(main).toContain('addr: "0.0.0.0:{{ .Values.image.port }}"');
    expect(main).toContain('value: "{{ int64 .Values.bigNumber }}"');
  });

  it('guards whole objects, nesting guards', () => {
    const optional = templates.get('optional.yaml') ?? '';
    expect(optional).toMatch(/^\{\{- \/\* Generated by cdk8s-linkerd from [^\n]*\*\/\}\}\n\{\{- if \.Values\.enabled \}\}\n---/);
    expect(optional).toContain('{{- if (and .Values.enabled (not .Values.ha)) }}');
  });

  it('never lets literal text act as a template', () => {
    expect(main).toContain('fixed: "a {{ "{{" }} literal }} value"');
    expect(templates.get('NOTES.txt')).toContain('Literal {{ "{{" }} braces }} stay.');
  });

  it('writes NOTES.txt with release facts', () => {
    expect(templates.get('NOTES.txt')).toContain('Installed into {{ .Release.Namespace }} as {{ .Release.Name }}.');
  });
});

describe('engine: symbolic values', () => {
  const v = new HelmValues<Record<string, unknown>>('template', engineValues, {
    values: {},
    release: { name: '', namespace: '', service: '' },
    chart: { name: '', version: '', appVersion: '' },
  });

  it('throw when JavaScript coerces them', () => {
    const replicas = v.ref('replicas' as never) as unknown as number;
    const name = v.ref('name' as never) as unknown as string;
    expect(() => `${name}`).toThrow(SymbolicValueError);
    expect(() => replicas + 1).toThrow(SymbolicValueError);
    expect(() => (name as unknown as string) == 'demo').toThrow(SymbolicValueError);
    expect(() => JSON.stringify({ name })).toThrow(SymbolicValueError);
    expect(() => String(replicas)).toThrow(SymbolicValueError);
  });

  it('reject unknown values keys at build time', () => {
    expect(() => v.ref('nmae' as never)).toThrow(/unknown values key 'nmae'/);
  });

  it('print floats inside strings as Go printf does', () => {
    const cases: [number, string][] = [
      [0.25, '0.25'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [1234567.5, '1.2345675e+06'],
      [1e20, '1e+20'],
      [100, '100'],
      [2.5e-7, '2.5e-07'],
    ];
    for (const [n, go] of cases) expect(goFloatString(n)).toBe(go);
    expect(() => new Fmt(['x', new Ref(['resources'], 'object')]).go()).toThrow(/cannot be embedded in a string/);
  });

  it('are plain data in concrete mode', () => {
    const values = resolveValues(engineChart, { replicas: 7 });
    const chart = buildConcrete(new App(), 'c', engineChart, values, release);
    const deploy = chart.node.findAll().find((c) => c.node.id === 'deploy') as unknown as { toJson(): { spec: { replicas: number } } };
    expect(deploy.toJson().spec.replicas).toBe(7);
  });
});

describe('template text in values (tpl)', () => {
  it('allows only release facts, and substitutes them', () => {
    expect(tplProblem('matchNames: [{{ .Release.Namespace }}, {{.Release.Name}}]')).toBeNull();
    expect(renderTpl('- {{ .Release.Namespace }}/{{ .Release.Name }}', { name: 'r', namespace: 'n' })).toBe('- n/r');
    expect(tplProblem('{{ .Values.x }}')).toMatch(/only/);
    expect(tplProblem('{{- .Release.Namespace }}')).toMatch(/only/);
    expect(tplProblem('a }} b')).toMatch(/only/);
  });
});

/** A chart whose objects merge user maps with their own keys in every order the engine supports. */
const mergeValues = val.object(
  {
    user: val.stringMap({}, { description: 'A user map.' }),
    extra: val.stringMap({}, { description: 'Another user map, after the first.' }),
    opt: val.unset(Type.Record(Type.String(), Type.String(), { description: 'A user map that is usually absent.' }), { a: 'b' }),
    flag: val.boolean(false, { description: 'Decides conditional fields.' }),
    show: val.boolean(true, { description: 'Decides an optional key.' }),
  },
  { description: 'Merge test values.' },
);
const mergeChart = testChart({
  name: 'merge-test',
  description: 'User maps merged with the chart keys.',
  values: mergeValues,
  build(chart, v) {
    const c = new Component(chart, 'main', 'main.yaml');
    new K8sObject(c, 'cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'merge',
        // owned; before (user wins); after, optional after, conditional after (chart wins); a later map; the last key.
        labels: {
          ...v.owned({ owned: 'chart' }),
          before: 'chart',
          ...v.spreadMap(v.ref('user')),
          after: 'chart',
          maybeAfter: v.maybe('show', 'chart'),
          ...v.fields('flag', { fieldAfter: 'chart' }, { otherwiseAfter: 'chart' }),
          ...v.spreadMap(v.ref('extra')),
          last: 'chart',
        } as Record<string, string>,
        // A merged map (two splices), then a map that may be absent.
        annotations: { before: 'chart', ...v.spreadMap(v.merge(v.ref('user'), v.ref('extra'))), ...v.spreadMap(v.ref('opt')) } as Record<string, string>,
      },
      data: {
        // A splice inside conditional fields, and every entry conditional.
        inFields: { before: 'chart', ...v.fields('flag', { ...v.spreadMap(v.ref('extra')) }, { otherwiseAfter: 'chart' }), after: 'chart' },
        allConditional: { ...v.spreadMap(v.ref('opt')), maybeAfter: v.maybe('flag', 'chart') },
      } as unknown as Record<string, string>,
    });
  },
});
const KEYS = ['owned', 'before', 'after', 'maybeAfter', 'fieldAfter', 'otherwiseAfter', 'last', 'u1'];
const mergeRelease = { name: 'm', namespace: 'm-ns' };

const expectMergeEquivalent = (user: Record<string, unknown>) => expectHelmEquivalent(mergeChart, user, { release: mergeRelease, quiet: true });

describe('engine: user maps merged with the chart keys', () => {
  const map = fc.dictionary(fc.constantFrom(...KEYS.filter((k) => k !== 'owned')), fc.constantFrom('', 'u', 'v'), { maxKeys: 6 });
  const values = fc.record({ user: map, extra: map, opt: fc.option(map, { nil: undefined }), flag: fc.boolean(), show: fc.boolean() }, { requiredKeys: [] });

  it('writes each key once, the later entry winning, as JavaScript spreads (Helm 3, Helm 4, concrete)', async () => {
    const [doc] = await expectMergeEquivalent({
      user: { before: 'u', after: 'u', maybeAfter: 'u', fieldAfter: 'u', otherwiseAfter: 'u', last: 'u', u1: 'u' },
      extra: { u1: 'e', before: '' },
      opt: { maybeAfter: 'o' },
    });
    const md = doc.metadata as unknown as { labels: Record<string, string>; annotations: Record<string, string> };
    expect(md.labels).toEqual({ owned: 'chart', before: '', after: 'chart', maybeAfter: 'chart', otherwiseAfter: 'chart', fieldAfter: 'u', last: 'chart', u1: 'e' });
    expect(md.annotations).toEqual({ before: '', after: 'u', maybeAfter: 'o', fieldAfter: 'u', otherwiseAfter: 'u', last: 'u', u1: 'e' });
    // flag is off: the optional key after `opt` is left out, and takes opt's key with it (as `{ ...opt, k: undefined }`).
    expect(doc.data).toEqual({ inFields: { before: 'chart', otherwiseAfter: 'chart', after: 'chart' }, allConditional: {} });
  });

  it('renders an object empty when a later key removes all of a map, and the map when it is kept', async () => {
    const [off] = await expectMergeEquivalent({ opt: { maybeAfter: 'o' }, flag: false, show: false });
    expect((off.data as Record<string, unknown>).allConditional).toEqual({});
    const [on] = await expectMergeEquivalent({ opt: { maybeAfter: 'o', u1: 'o' }, flag: true });
    expect((on.data as Record<string, unknown>).allConditional).toEqual({ maybeAfter: 'chart', u1: 'o' });
  });

  it('for random colliding maps', async () => {
    const samples = fc.sample(values, { numRuns: 40, seed: 19 });
    await pool(samples, 2, (user) => expectMergeEquivalent(user as Record<string, unknown>));
  });

  it('refuses a key the chart owns, in Helm (fail) and in TypeScript (ValuesError), with the same message', async () => {
    const message = 'user.owned: set by the chart; cannot be overridden';
    const user = { user: { owned: 'mine' } };
    expect(() => resolveValues(mergeChart, user)).toThrow(ValuesError);
    expect(() => resolveValues(mergeChart, user)).toThrow(message);
    expect(() => new ConcreteChart(new App(), 'm', mergeChart, user)).toThrow(message);
    for (const major of HELM_MAJORS) {
      const helm = await helmTemplate(major, chartDir(mergeChart), ['-f', writeValues(user)], mergeRelease);
      expect(helm.ok).toBe(false);
      expect(helm.stderr).toContain(message);
    }
    // Only the map beside the owned key is checked.
    expect(() => resolveValues(mergeChart, { extra: { owned: 'x' } })).toThrow('extra.owned');
    expect(() => resolveValues(mergeChart, { opt: { owned: 'x' } })).not.toThrow();
  });

  it('spells the merge with hasKey, omit and range, and documents it in the values table', () => {
    const main = renderTemplates(mergeChart).get('main.yaml') ?? '';
    expect(main).toContain('{{- if (not (or (hasKey (default (dict) .Values.user) "before") (hasKey (default (dict) .Values.extra) "before"))) }}');
    expect(main).toContain('{{- range $key, $value := (omit (default (dict) .Values.user) "after" "maybeAfter" "last") }}');
    expect(main).toContain('(hasKey (default (dict) $.Values.extra) $key)');
    expect(main).not.toMatch(/^\s+owned: .*\n(?:.*\n)*?\s+owned:/m);
    const rules = renderTemplates(mergeChart).get('validate-values.yaml') ?? '';
    expect(rules).toContain('{{- fail "user.owned: set by the chart; cannot be overridden" }}');
    expect(mapAnalysis(mergeChart).rules.map((r) => r.key).sort()).toEqual(['extra.owned', 'user.owned']);
    const readme = chartFiles(mergeChart).get('README.md') ?? '';
    expect(readme).toMatch(/\| `user` \|.*Merged with the chart's keys \(\[how\]\(#maps-merged-with-the-charts-keys\)\)\. \|/);
    const note = readme.slice(readme.indexOf("### Maps merged with the chart's keys")).replace(/\n {2}/g, ' ');
    expect(note).toMatch(/- `user`: may not set `owned` \(set by the chart; a values error\); wins over the chart's `before`; loses to the chart's `after`, .*`last`.*; loses to `extra`, `opt`\./);
  });
});

/** A chart with one cross-field rule and one TypeScript-only check. */
const ruleValues = val.object(
  {
    enabled: val.boolean(false, { description: 'Needs a target.' }),
    target: val.string('', { description: 'Where to send.' }),
    parsed: val.string('ok', { description: 'Checked in TypeScript only.' }),
  },
  { description: 'Rule test values.' },
);
let ruleBuilds = 0;
const ruleChart = testChart({
  name: 'rule-test',
  description: 'A cross-field rule.',
  values: ruleValues,
  rules: (v) => {
    ruleBuilds += 1;
    return [rule('target', v.and('enabled', v.not(v.truthy(v.trim(v.ref('target'))))), 'required when enabled')];
  },
  check: (values) => (values.parsed === 'ok' ? [] : [{ key: 'parsed', message: 'not ok' }]),
  build(chart, v) {
    new K8sObject(new Component(chart, 'main', 'main.yaml'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'r' }, data: { target: v.ref('target') } });
  },
});


describe('engine: cross-field rules', () => {
  it('refuse the same values in TypeScript (ValuesError) and Helm (fail), with the same message, from one declaration', async () => {
    const bad = { enabled: true, target: ' ' };
    expect(() => resolveValues(ruleChart, bad)).toThrow(ValuesError);
    expect(() => resolveValues(ruleChart, bad)).toThrow('target: required when enabled');
    expect(() => new ConcreteChart(new App(), 'r', ruleChart, bad)).toThrow('target: required when enabled');
    expect(() => resolveValues(ruleChart, { enabled: true, target: 'x' })).not.toThrow();
    for (const major of HELM_MAJORS) {
      const helm = await helmTemplate(major, chartDir(ruleChart), ['-f', writeValues(bad)], release);
      expect(helm.ok).toBe(false);
      expect(helm.stderr).toContain('target: required when enabled');
      const ok = await helmTemplate(major, chartDir(ruleChart), ['-f', writeValues({ enabled: true, target: 'x' })], release);
      expect(ok.stderr).toBe('');
    }
    const rules = renderTemplates(ruleChart).get('validate-values.yaml') ?? '';
    expect(rules.match(/fail "target: required when enabled"/g)).toHaveLength(1);
    // Built once, however often values are resolved.
    resolveValues(ruleChart, {});
    expect(ruleBuilds).toBe(1);
  });

  it('run the TypeScript-only check after the rules pass', () => {
    expect(() => resolveValues(ruleChart, { parsed: 'no' })).toThrow('parsed: not ok');
    expect(() => resolveValues(ruleChart, { parsed: 'no', enabled: true })).toThrow(/target: required when enabled$/);
  });

  it('repair random values with the rule objects: a value the refusing rule reads goes back to its default', () => {
    expect(repairByRules(ruleChart, { enabled: true, parsed: 'x' })).toEqual({ parsed: 'x' });
    expect(repairByRules(ruleChart, { enabled: true, target: 'x' })).toEqual({ enabled: true, target: 'x' });
    expect(repairByRules(ruleChart, { target: '' }, { enabled: true })).toEqual({});
  });

  it.each(Object.values(CHARTS).map((d) => [d.name, d] as const))('%s: each rule once, in validate-values.yaml once', (_name, def) => {
    const rules = valuesRules(def);
    const texts = rules.map((r) => `${r.key}: ${r.message}`);
    expect(new Set(texts).size).toBe(texts.length);
    const file = renderTemplates(def).get('validate-values.yaml') ?? '';
    expect(file.match(/\{\{- fail\s/g) ?? []).toHaveLength(rules.length);
  });

  it('are all listed in docs/engine.md (npm run synth writes the list)', () => {
    expect(readFileSync(join(__dirname, '..', 'docs', 'engine.md'), 'utf8')).toContain(rulesSection());
  });
});
