/**
 * Fidelity to upstream Linkerd without a checkout: our rendering of every parity case is compared
 * with upstream's facts recorded in test/fixtures/upstream/ (`npm run parity -- --record DIR`).
 * Every difference must match an expected pattern, and each pattern must be explained by a row of
 * docs/parity.md carrying its id (`{#id}`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { factDiff, factsFile, factsOf, PARITY_CASES } from './support/parity';

const FIXTURES = join(__dirname, 'fixtures', 'upstream');
/** The ids that table rows of docs/parity.md explain. */
export function explainedIds(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const line of markdown.split('\n')) if (line.startsWith('|')) for (const m of line.matchAll(/\{#([\w-]+)\}/g)) ids.add(m[1]);
  return ids;
}

describe('parity with upstream Linkerd (recorded facts)', () => {
  const explained = explainedIds(readFileSync(join(__dirname, '..', 'docs', 'parity.md'), 'utf8'));

  it.each(PARITY_CASES.map((c) => [`${c.chart} ${c.id}`, c] as const))('%s: only differences docs/parity.md explains', (_name, c) => {
    const file = join(FIXTURES, factsFile(c));
    expect(existsSync(file), `${file}: record it with npm run parity -- --record DIR`).toBe(true);
    const recorded = JSON.parse(readFileSync(file, 'utf8')) as { objects: Record<string, unknown>[] };
    const lines = factDiff(factsOf(c.render()), c.upstreamView ? c.upstreamView.narrow(recorded.objects) : recorded.objects);
    if (c.upstreamView) expect(explained.has(c.upstreamView.explainedBy), `{#${c.upstreamView.explainedBy}} not in docs/parity.md`).toBe(true);
    const unexpected = lines.filter((l) => !c.expected.some((e) => e.pattern.test(l)));
    expect(unexpected).toEqual([]);
    const unexplained = c.expected.filter((e) => lines.some((l) => e.pattern.test(l)) && !explained.has(e.explainedBy)).map((e) => `${e.pattern}: {#${e.explainedBy}} not in docs/parity.md`);
    expect(unexplained).toEqual([]);
  });

  it('names, for every expected difference, a row of docs/parity.md that explains it', () => {
    const missing = [...new Set(PARITY_CASES.flatMap((c) => [...c.expected.map((e) => e.explainedBy), ...(c.upstreamView ? [c.upstreamView.explainedBy] : [])]))].filter((id) => !explained.has(id));
    expect(missing).toEqual([]);
  });
});
