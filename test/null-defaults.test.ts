/**
 * Helm 3 keeps a chart's null default in `.Values`; Helm 4 drops it. A template that prints a
 * values subtree (linkerd-config's copy of the values) would then render differently with the
 * two, so no chart has a null default (val.nullable leaves such keys out): for every chart's
 * defaults both Helms see the very `.Values` our renderer resolves.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { resolveValues } from '../src/helm/chart';
import { requiredValuesOf } from './fixtures/identity';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, scratchDir, writeValues } from './support/render';

/** Paths of the null values in `v`. */
function nulls(v: unknown, path = ''): string[] {
  if (v === null) return [path];
  if (typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => nulls(x, path ? `${path}.${k}` : k));
}

describe.each(Object.keys(CHARTS))('%s', (chart) => {
  const def = CHARTS[chart];

  it('has no null default in values.yaml', () => {
    expect(nulls(load(readFileSync(join(chartDir(def), 'values.yaml'), 'utf8')) ?? {})).toEqual([]);
  });

  it('gives Helm 3 and Helm 4 the .Values our renderer resolves', async () => {
    // The chart with one more template that prints .Values.
    const dir = join(scratchDir(`values-of-${chart}`), chart);
    cpSync(chartDir(def), dir, { recursive: true });
    writeFileSync(join(dir, 'templates', 'zz-values.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: values\ndata:\n  values: {{ toJson .Values | quote }}\n');
    const user = requiredValuesOf(chart);
    const ours = JSON.parse(JSON.stringify(resolveValues(def, user)));
    for (const major of HELM_MAJORS) {
      const r = await helmTemplate(major, dir, ['-f', writeValues(user), '-s', 'templates/zz-values.yaml']);
      expect(r.ok, r.stderr).toBe(true);
      const doc = load(r.stdout.replace(/^---\n# Source: .*\n/, '')) as { data: { values: string } };
      expect(JSON.parse(doc.data.values), `Helm ${major}`).toEqual(ours);
    }
  });
});
