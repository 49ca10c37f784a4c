/**
 * Helm's toYaml in TypeScript (src/helm/toyaml.ts) prints what Helm 3 and Helm 4 print, byte for
 * byte, for many random values: strings of every kind (special words, numbers, indicators,
 * blanks, line breaks, long text that folds), numbers, maps with keys in go-yaml's order, lists.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { helmToYaml } from '../src/helm/toyaml';
import { HELM_MAJORS } from './support/helm';
import { helmTemplate, scratchDir, writeValues } from './support/render';

const WORDS = ['', 'true', 'Yes', 'on', 'null', '~', '123', '1.5', '1e3', '0x1F', '012', '08', '1_000', '1:20', '2001-12-14', '.inf', '::/0', 'a: b', 'a:b', 'a:', ' lead', 'trail ', '#x', 'a #b', '-x', '- x', '@x', '*a', '|', "'q'", '"dq"', '[a]', 'a,b', '?x', '<<', 'a\tb', 'été', 'x\ny', 'x\ny\n', 'x\n\n', ' x\ny', 'x \ny', 'x\n y', 'word '.repeat(30), `${'a'.repeat(70)} ${'b'.repeat(20)} c`, 'linkerd/helm edge-26.8.3', 'a10', 'a9', 'a09', 'B', '_x', '10'];
const text = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ unit: fc.constantFrom(...'aZ09 -_.:#\'"\n|>*&!?,[]{}~'.split('')), maxLength: 30 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 100 }),
);
// Keys of one line and under 128 characters (go-yaml writes longer ones as complex keys, `? …`).
const key = fc.oneof(fc.constantFrom(...WORDS.filter((w) => !w.includes('\n') && w.length < 60)), fc.string({ unit: fc.constantFrom(...'ab0129_-.'.split('')), minLength: 1, maxLength: 6 }));
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), tie('map'), tie('list')),
  map: fc.dictionary(key, tie('any'), { maxKeys: 6 }),
  list: fc.array(tie('any'), { maxLength: 4 }),
})).map;

function probe(): string {
  const dir = join(scratchDir('toyaml-probe'), 'probe');
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: probe\nversion: 0.1.0\n');
  // Each value's YAML as a JSON string, so that the output parses whatever toYaml printed.
  writeFileSync(join(dir, 'templates', 'probe.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\ndata:\n{{- range $i, $v := .Values.v }}\n  v{{ $i }}: {{ toYaml $v | toJson }}\n{{- end }}\n');
  return dir;
}

describe("Helm's toYaml in TypeScript", () => {
  it.each(HELM_MAJORS)('prints what Helm %i prints, for random values', { timeout: 300_000 }, async (major) => {
    const dir = probe();
    const batches = fc.sample(fc.array(value, { minLength: 1, maxLength: 30 }), { numRuns: 20, seed: 1516 });
    batches.unshift([Object.fromEntries(WORDS.map((w, i) => [`k${i}`, w])), WORDS] as unknown as (typeof batches)[number]);
    for (const batch of batches) {
      const helm = await helmTemplate(major, dir, ['-f', writeValues({ v: batch })], { name: 'p', namespace: 'default' });
      expect(helm.ok, helm.stderr).toBe(true);
      const printed = [...helm.stdout.matchAll(/^ {2}v(\d+): (".*")$/gm)].map((m) => JSON.parse(m[2]) as string);
      expect(printed.length).toBe(batch.length);
      batch.forEach((v, i) => expect(helmToYaml(v), JSON.stringify(v)).toBe(printed[i]));
    }
  });
});
