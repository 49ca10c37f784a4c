/**
 * Making random values acceptable to a chart's cross-field rules, with the rule objects the
 * chart declares (src/helm/rules.ts) rather than copies of them: shared by the chart suites.
 */
import type { TObject } from '@sinclair/typebox';
import { failingRules, type ChartDefinition } from '../../src/helm/chart';
import { rulePaths } from '../../src/helm/rules';
import { coalesce, defaultsOf } from '../../src/values/model';

/** Removes the value at a dotted path from user values (so the base's or the default applies). */
function unset(values: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  let cur: unknown = values;
  for (const k of keys.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    cur = (cur as Record<string, unknown>)[k];
  }
  if (cur !== null && typeof cur === 'object') delete (cur as Record<string, unknown>)[keys[keys.length - 1]];
}

/**
 * `user` with what the chart's rules refuse undone: while a rule refuses the values (over `base`
 * and the defaults), the first value it reads whose reset satisfies it goes back to its default
 * (else every value it reads does). The choices no rule refuses are kept.
 */
export function repairByRules<S extends TObject>(def: ChartDefinition<S>, user: Record<string, unknown>, base: Record<string, unknown> = {}): Record<string, unknown> {
  const out = structuredClone(user);
  const defaults = defaultsOf(def.values);
  const refused = (u: Record<string, unknown>) => failingRules(def, coalesce(defaults, coalesce(base, u)));
  for (let round = 0; round < 100; round++) {
    const rule = refused(out)[0];
    if (!rule) break;
    const paths = rulePaths(rule);
    const fix = paths.find((p) => {
      const trial = structuredClone(out);
      unset(trial, p);
      // By key and message: a per-item rule's refusal is a new object each time (it names the item).
      return !refused(trial).some((r) => r.key === rule.key && r.message === rule.message);
    });
    for (const p of fix ? [fix] : paths) unset(out, p);
  }
  return out;
}
