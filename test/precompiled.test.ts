/** The values validators compiled ahead (validators/) are current and judge values as ajv compiled now does. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { defaultsOf, stripSymbols, validateValues } from '../src/values/model';
import { AJV_OPTIONS, VALIDATORS_DIR, precompiledValidator, validatorCode, validatorFile } from '../src/values/precompiled';

describe('precompiled values validators', () => {
  for (const [name, def] of Object.entries(CHARTS)) {
    const schema = stripSymbols(def.values) as object;
    it(`${name}: validators/ holds the validator of its current schema (else: npm run synth)`, () => {
      expect(readFileSync(join(VALIDATORS_DIR, validatorFile(schema)), 'utf8')).toBe(validatorCode(schema));
    });
    it(`${name}: accepts the defaults and reports the errors ajv reports`, () => {
      const pre = precompiledValidator(schema)!;
      const now = new Ajv(AJV_OPTIONS).compile(schema);
      const defaults = defaultsOf(def.values);
      expect(pre(defaults)).toBe(true);
      const bad = { ...defaults, nope: 1, namespace: 7, podLabels: 'x' };
      expect(pre(bad)).toBe(false);
      expect(now(bad)).toBe(false);
      expect(pre.errors).toEqual(now.errors);
      expect(validateValues(def.values, bad).map((p) => p.key)).toContain('nope');
    });
  }
});
