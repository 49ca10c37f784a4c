/** The values model: defaults, values.yaml, the schema, Helm's merge and --set syntax. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { userValues, type Io } from '../src/cli/main';
import { chartFiles } from '../src/helm/chart';
import { coalesce, defaultsOf, validateValues } from '../src/values/model';
import { applySet } from '../src/values/set';
import { engineChart, engineValues } from './support/engine-chart';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, normalize, ourRender, scratchDir } from './support/render';

const io: Io = { stdout: () => {}, stderr: () => {}, readFile: (p) => readFileSync(p, 'utf8') };

describe('values.yaml', () => {
  const text = chartFiles(engineChart).get('values.yaml') ?? '';

  it('parses back to exactly the defaults', () => {
    expect(load(text)).toEqual(defaultsOf(engineValues));
  });

  it('documents every key with a # -- comment right above it', () => {
    const countKeys = (node: { properties?: Record<string, unknown> }): number =>
      Object.values(node.properties ?? {}).reduce<number>((n, child) => n + 1 + countKeys(child as { properties?: Record<string, unknown> }), 0);
    const lines = text.split('\n');
    const docStarts = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s*# --/.test(l));
    expect(docStarts.length).toBe(countKeys(JSON.parse(JSON.stringify(engineValues))));
    for (const [, i] of docStarts) {
      let j = i + 1;
      while (/^\s*#(?! ?[A-Za-z][\w-]*:)/.test(lines[j])) j++;
      expect(lines[j], `doc comment at line ${i + 1} is not followed by a key`).toMatch(/^\s*(# )?[A-Za-z][\w-]*:/);
    }
  });

  it('shows keys without a default commented out', () => {
    expect(text).toMatch(/^# flagged: true$/m);
  });
});

describe('values.schema.json', () => {
  it('rejects unknown keys at every level, naming the key', () => {
    expect(validateValues(engineValues, { ...defaultsOf(engineValues), nope: 1 })).toEqual([{ key: 'nope', message: 'unknown key (not a value of this chart)' }]);
    const nested = coalesce(defaultsOf(engineValues), { image: { tagg: 'x' } });
    expect(validateValues(engineValues, nested).map((p) => p.key)).toEqual(['image.tagg']);
  });

  it('reports the key, the value and what was expected', () => {
    const bad = coalesce(defaultsOf(engineValues), { replicas: 'three', logLevel: 'loud' });
    const messages = validateValues(engineValues, bad).map((p) => `${p.key}: ${p.message}`);
    expect(messages).toContain('replicas: expected integer, got "three"');
    expect(messages).toContain('logLevel: expected one of "debug", "info", "warn", got "loud"');
  });
});

describe("Helm's value merging", () => {
  it('merges maps deeply, replaces lists, and null removes a default', () => {
    expect(coalesce({ a: { b: 1, c: 2 }, l: [1, 2], d: 'x' }, { a: { c: 3 }, l: [9], d: null })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
  });
});

describe('--set syntax', () => {
  it.each([
    ['a=b', { a: 'b' }],
    ['a.b=1,c=true,d=null', { a: { b: 1 }, c: true, d: null }],
    ['n=007', { n: '007' }],
    ['list={x,y,3}', { list: ['x', 'y', 3] }],
    ['l[1]=x', { l: [null, 'x'] }],
    ['l[0].k=v', { l: [{ k: 'v' }] }],
    ['a\\.b=c\\,d', { 'a.b': 'c,d' }],
    ['empty=', { empty: '' }],
  ])('%s', (expr, expected) => {
    expect(applySet({}, expr, 'set')).toEqual(expected);
  });

  it('keeps everything a string with --set-string', () => {
    expect(applySet({}, 'a=true,b=1', 'set-string')).toEqual({ a: 'true', b: '1' });
  });

  it('rejects a key without a value', () => {
    expect(() => applySet({}, 'a.b', 'set')).toThrow(/key "b" has no value/);
  });

  it('gives the same release as Helm for the same flags', async () => {
    const file = join(scratchDir('setfile'), 'note.txt');
    writeFileSync(file, 'from a file\nline two\n');
    const flags = {
      set: ['replicas=5,image.tag=01', 'extraArgs={-v,--x=1}', 'labels.team=mesh', 'annotations.a\\.b/c=d', 'tolerations[0].key=k,tolerations[0].operator=Exists'],
      'set-string': ['image.name=true'],
      'set-file': [`note=${file}`],
    };
    const args = [
      ...flags.set.flatMap((s) => ['--set', s]),
      ...flags['set-string'].flatMap((s) => ['--set-string', s]),
      ...flags['set-file'].flatMap((s) => ['--set-file', s]),
    ];
    const ours = ourRender(engineChart, userValues(io, flags));
    for (const major of HELM_MAJORS) {
      const helm = await helmTemplate(major, chartDir(engineChart), args);
      expect(helm.ok, helm.stderr).toBe(true);
      expect(normalize(helm.stdout)).toEqual(ours);
    }
  });
});
