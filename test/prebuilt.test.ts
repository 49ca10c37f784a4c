/**
 * The built package's prebuilt data (src/prebuild.ts, src/helm/prebuilt.ts): what lib/prebuilt/
 * holds, read back, is what the sources compute. Every chart's rules spell the same
 * validate-values.yaml and refuse the same fuzzed values; the dashboards are the same JSON; the
 * validator file names the schema's precompiled validator.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { DEFAULT_RELEASE, prebuiltChart, type PrebuiltChart } from '../src/helm/chart';
import { Expr, Lit, Ref } from '../src/helm/expr';
import { fromPrebuilt, toPrebuilt } from '../src/helm/prebuilt';
import { emitRules, refusedBy, type ValuesRule } from '../src/helm/rules';
import { writePrebuilt } from '../src/prebuild';
import { coalesce, defaultsOf } from '../src/values/model';
import { VALIDATORS_DIR } from '../src/values/precompiled';
import { PREBUILT_DASHBOARDS, dashboardFiles, type DashboardFile } from '../src/viz/grafana';
import { REQUIRED_VALUES } from './fixtures/identity';
import { arbitraryValues } from './support/arbitrary';
import { scratchDir } from './support/render';

const dir = join(scratchDir('prebuilt'), 'prebuilt');
/** A prebuilt file as the package reads it. */
const read = (name: string): unknown => fromPrebuilt(JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')));

/** What the rules refuse, as `key: message` lines. */
const refusals = (rules: readonly ValuesRule[], values: Record<string, unknown>, name: string) =>
  refusedBy(rules, { values, release: { ...DEFAULT_RELEASE, service: 'Helm' }, chart: { name, version: '0', appVersion: '0' } }).map((r) => `${r.key}: ${r.message}`);

/** The charts some of whose fuzzed values the rules refused. */
const chartsRefusing = new Set<string>();

describe('the built package\'s prebuilt data (lib/prebuilt/)', () => {
  beforeAll(() => {
    writePrebuilt(dir);
  }, 120_000);

  it('one file for each chart and one for the dashboards', () => {
    expect(readdirSync(dir).sort()).toEqual([...Object.keys(CHARTS).map((c) => `${c}.json`), `${PREBUILT_DASHBOARDS}.json`].sort());
  });

  describe.each(Object.values(CHARTS).map((def) => [def.name, def] as const))('%s', (name, def) => {
    let built: PrebuiltChart;
    let revived: PrebuiltChart;
    beforeAll(() => {
      built = prebuiltChart(def);
      revived = read(name) as PrebuiltChart;
    });

    it('the rules read back spell the same validate-values.yaml, with their keys and messages', () => {
      expect(revived.rules.map((r) => [r.key, r.message])).toEqual(built.rules.map((r) => [r.key, r.message]));
      expect(emitRules(revived.rules)).toBe(emitRules(built.rules));
      for (const r of revived.rules) expect(r.failWhen).toBeInstanceOf(Expr);
    });

    it('the rules read back refuse exactly what the sources\' refuse (60 fuzzed values)', () => {
      const base = coalesce(defaultsOf(def.values), REQUIRED_VALUES[name] ?? {});
      const samples = [base, ...fc.sample(arbitraryValues(def.values), { numRuns: 60, seed: 28 }).map((user) => coalesce(base, user))];
      let refused = 0;
      for (const values of samples) {
        const want = refusals(built.rules, values, name);
        refused += want.length;
        expect(refusals(revived.rules, values, name)).toEqual(want);
      }
      if (refused > 0) chartsRefusing.add(name);
    });

    it('the validator file is the schema\'s precompiled validator (npm run synth wrote it)', () => {
      expect(revived.validator).toBe(built.validator);
      expect(existsSync(join(VALIDATORS_DIR, revived.validator))).toBe(true);
    });
  });

  it('the fuzzed values meet the rules: the comparisons above are not of empty lists only', () => {
    expect(chartsRefusing.size, [...chartsRefusing].join(', ')).toBeGreaterThanOrEqual(4);
  });

  it('the dashboards read back are the JSON the Grafana Foundation SDK builds', () => {
    const files = read(PREBUILT_DASHBOARDS) as DashboardFile[];
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect(files).toEqual(dashboardFiles());
  });

  it('expressions keep their class and fields (a set too); anything else is refused when written, not misread later', () => {
    const ref = new Ref(['a', 'b'], 'string', new Set([1]));
    const back = fromPrebuilt(JSON.parse(JSON.stringify(toPrebuilt({ ref, lit: new Lit(3) })))) as { ref: Ref; lit: Lit };
    expect(back.ref).toBeInstanceOf(Ref);
    expect(back.ref.mayBeAbsent).toEqual(new Set([1]));
    expect(back.ref.go()).toBe(ref.go());
    expect(back.lit.go()).toBe('3');
    class Unknown extends Lit {}
    expect(() => toPrebuilt([new Unknown(1)], 'x')).toThrow(/x\[0\]: expression class Unknown is not one prebuilt data can hold/);
    expect(() => toPrebuilt({ f: () => 1 }, 'x')).toThrow(/x\.f: function cannot be prebuilt/);
    expect(() => toPrebuilt({ m: new Map() }, 'x')).toThrow(/x\.m: Map cannot be prebuilt/);
    expect(() => toPrebuilt({ $expr: 'Lit' }, 'x')).toThrow(/cannot be prebuilt/);
    expect(() => toPrebuilt(Number.NaN, 'x')).toThrow(/NaN has no JSON spelling/);
  });
});
