/**
 * The template engine: one chart (test/support/engine-chart.ts) that uses every
 * construct kind, rendered by Helm 3, Helm 4 and our concrete mode.
 */
import fc from 'fast-check';
import { Type } from '@sinclair/typebox';
import { App } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConcreteChart, ValuesError, chartFiles, mapAnalysis, renderTemplates, buildConcrete, resolveValues, type ChartDefinition } from '../src/helm/chart';
import { Component, K8sObject } from '../src/helm/object';
import { val } from '../src/values/model';
import { Fmt, Ref, SymbolicValueError, goFloatString, renderTpl, tplProblem } from '../src/helm/expr';
import { HelmValues } from '../src/helm/values';
import { engineChart, engineValues } from './support/engine-chart';
import { arbitraryValues } from './support/arbitrary';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, normalize, ourRender, pool, writeValues } from './support/render';

const release = { name: 'demo-release', namespace: 'demo-ns' };

async function expectEquivalent(user: Record<string, unknown>) {
  const ours = ourRender(engineChart, user, release);
  const file = writeValues(user);
  for (const major of HELM_MAJORS) {
    const helm = await helmTemplate(major, chartDir(engineChart), ['-f', file], release);
    expect(helm.stderr, `helm ${major} failed for ${JSON.stringify(user)}`).toBe(helm.ok ? helm.stderr : '');
    expect(normalize(helm.stdout), `helm ${major} vs ours for ${JSON.stringify(user)}`).toEqual(ours);
  }
}

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

  it('spells scalars with the scalar helper, structures with toYaml, optional fields with if', () => {
    expect(main).toMatch(/ name: \{\{ include "cdk8s-linkerd\.scalar" \(list \.Values\.name \d+\) \}\}/);
    expect(main).toContain('{{- toYaml .Values.tolerations | nindent 8 }}');
    expect(main).toMatch(/\{\{- if \.Values\.priorityClassName \}\}\n\s+priorityClassName: \{\{ include "cdk8s-linkerd\.scalar" \(list \.Values\.priorityClassName \d+\) \}\}\n\s+\{\{- end \}\}/);
    expect(main).toContain('{{- range .Values.extraArgs }}');
  });

  it('builds strings with printf, converting integers so Helm prints them in full', () => {
    expect(main).toContain('(printf "%v/%v:%v" .Values.image.registry .Values.image.name .Values.image.tag)');
    expect(main).toContain('(printf "0.0.0.0:%v" (int64 .Values.image.port))');
  });

  it('guards whole objects, nesting guards', () => {
    const optional = templates.get('optional.yaml') ?? '';
    expect(optional).toMatch(/^\{\{- if \.Values\.enabled \}\}\n---/);
    expect(optional).toContain('{{- if (and .Values.enabled (not .Values.ha)) }}');
  });

  it('never lets literal text act as a template', () => {
    expect(main).toMatch(/fixed: \{\{ include "cdk8s-linkerd\.scalar" \(list "a \{\{ literal \}\} value" \d+\) \}\}/);
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
const mergeChart: ChartDefinition<typeof mergeValues> = {
  name: 'merge-test',
  description: 'User maps merged with the chart keys.',
  keywords: ['test'],
  values: mergeValues,
  valuesHeader: 'Merge test chart.',
  readme: 'Test only.',
  notes: () => [''],
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
};
const KEYS = ['owned', 'before', 'after', 'maybeAfter', 'fieldAfter', 'otherwiseAfter', 'last', 'u1'];
const mergeRelease = { name: 'm', namespace: 'm-ns' };

function duplicateKeys(text: string): string[] {
  return parseAllDocuments(text, { uniqueKeys: true }).flatMap((d) => d.errors.map((e) => e.message.split('\n')[0]));
}

async function expectMergeEquivalent(user: Record<string, unknown>) {
  const file = writeValues(user);
  const ours = ourRender(mergeChart, user, mergeRelease);
  for (const major of HELM_MAJORS) {
    const helm = await helmTemplate(major, chartDir(mergeChart), ['-f', file], mergeRelease);
    expect(helm.stderr, `helm ${major} failed for ${JSON.stringify(user)}`).toBe(helm.ok ? helm.stderr : '');
    expect(duplicateKeys(helm.stdout), `helm ${major}: duplicate keys for ${JSON.stringify(user)}`).toEqual([]);
    expect(normalize(helm.stdout), `helm ${major} vs ours for ${JSON.stringify(user)}`).toEqual(ours);
  }
  return ours;
}

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
    expect(readme).toMatch(/\| `user` \|.*may not set `owned` \(set by the chart; a values error\); wins over the chart's `before`; loses to the chart's `after`, .*`last`.*; loses to `extra`, `opt`\. \|/);
  });
});
