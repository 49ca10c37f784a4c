/**
 * The engine prints a value without the quoting helper only when its type decides the helper's
 * answer for every value (src/helm/shape.ts): checked here on random values of each shape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BuiltInRef, Fmt, Lit, Ref, type Expr } from '../src/helm/expr';
import { PATTERNS, shapeOf, spelling } from '../src/helm/shape';
import { scalarText } from '../src/helm/yaml';

const runs = { numRuns: 300 };

describe('value shapes', () => {
  it.each(Object.entries(PATTERNS))('the shape of %s holds for its values', (pattern, shape) => {
    fc.assert(
      fc.property(fc.stringMatching(new RegExp(pattern)), (s) => {
        if (shape.nonEmpty) expect(s.length).toBeGreaterThan(0);
        if (s.length > 0 && shape.first) expect(shape.first.has(s[0])).toBe(true);
        if (shape.chars) for (const c of s) expect(shape.chars.has(c)).toBe(true);
        for (const c of shape.has) expect(s).toContain(c);
        if (shape.sepsInside) expect(/[: ](?=.)(?![-A-Za-z0-9_./%@+=~()])/.test(s)).toBe(false);
        if (!shape.endsSep) expect(/[: ]$/.test(s)).toBe(false);
      }),
      runs,
    );
  });

  const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  const durationRef = new Ref(['d'], 'string', new Set(), { pattern: '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$', present: true });
  const duration = fc.stringMatching(/^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/);
  const port = new Ref(['port'], 'integer', new Set(), { minimum: 0, maximum: 65535, present: true });
  const cases: [string, Expr, fc.Arbitrary<string>, 'plain' | 'quoted' | null][] = [
    ['linkerd-<namespace>-destination', new Fmt(['linkerd-', new BuiltInRef('Release.Namespace'), '-destination']), label.map((ns) => `linkerd-${ns}-destination`), 'plain'],
    ['a bare namespace', new BuiltInRef('Release.Namespace'), label, null],
    ['-log-level=<enum>', new Fmt(['-log-level=', new Ref(['l'], 'string', new Set(), { enum: ['info', 'debug'], present: true })]), fc.constantFrom('-log-level=info', '-log-level=debug'), 'quoted'],
    ['an enum of plain words', new Ref(['l'], 'string', new Set(), { enum: ['info', 'debug'], present: true }), fc.constantFrom('info', 'debug'), 'plain'],
    ['an enum with a YAML word', new Ref(['l'], 'string', new Set(), { enum: ['on', 'off'], present: true }), fc.constantFrom('on', 'off'), 'quoted'],
    ['a duration flag', new Fmt(['-lifetime=', durationRef]), duration.map((d) => `-lifetime=${d}`), 'quoted'],
    ['a bare duration', durationRef, duration, null],
    ['127.0.0.1:<port>', new Fmt(['127.0.0.1:', port]), fc.integer({ min: 0, max: 65535 }).map((p) => `127.0.0.1:${p}`), 'quoted'],
    ['a boolean flag', new Fmt(['-enable-pprof=', new Lit(true)]), fc.constant('-enable-pprof=true'), 'quoted'],
    ['host.<namespace>.:<port>', new Fmt(['host.', new BuiltInRef('Release.Namespace'), '.:', port]), fc.tuple(label, fc.integer({ min: 0, max: 65535 })).map(([ns, p]) => `host.${ns}.:${p}`), 'plain'],
    ['a colon before a value that may be empty', new Fmt(['a:', new Ref(['t'], 'string', new Set(), { pattern: '^$|^[0-9]+(,[0-9]+)*$', present: true })]), fc.constant('a:'), null],
  ];
  it.each(cases)('%s', (_name, e, texts, expected) => {
    const how = spelling(shapeOf(e));
    expect(how).toBe(expected);
    fc.assert(
      fc.property(texts, (t) => {
        if (how === 'plain') expect(scalarText(t, 0)).toBe(t);
        if (how === 'quoted') expect(scalarText(t, 0)).toBe(JSON.stringify(t));
      }),
      runs,
    );
  });

  it('a namespace that YAML reads as another type is why a bare one goes through the helper', () => {
    for (const ns of ['123', 'null', 'true', 'no', '1e3', '0x1f']) expect(scalarText(ns, 0)).not.toBe(ns);
  });
});
