/**
 * The template engine: one chart (test/support/engine-chart.ts) that uses every
 * construct kind, rendered by Helm 3, Helm 4 and our concrete mode.
 */
import fc from 'fast-check';
import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { renderTemplates, buildConcrete, resolveValues } from '../src/helm/chart';
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

  it('spells scalars with toJson, structures with toYaml, optional fields with if', () => {
    expect(main).toContain('name: {{ .Values.name | toJson }}');
    expect(main).toContain('{{- toYaml .Values.tolerations | nindent 8 }}');
    expect(main).toMatch(/\{\{- if \.Values\.priorityClassName \}\}\n\s+priorityClassName: \{\{ \.Values\.priorityClassName \| toJson \}\}\n\s+\{\{- end \}\}/);
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
    expect(main).toContain('fixed: {{ "a {{ literal }} value" | toJson }}');
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
