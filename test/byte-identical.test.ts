/**
 * Issue 15, must-show 1: for the defaults and every shipped preset of every registered chart,
 * `helm template` (Helm 3 and Helm 4) and `cdk8s-linkerd template` print the same bytes, except
 * for the lines Helm generates at render time (webhook certificates and what hashes them), which
 * are the lines that differ between two Helm runs of the same input.
 *
 * The command prints documents in Helm 4's order and framing. Helm 3 does not rank the webhook
 * configurations among its install order (it sorts them with the kinds it does not know, by
 * name), so where a chart has such kinds Helm 3 lists the same documents in another order, and it
 * prints no blank line after a document (Helm 4 does, src/cli/manifest.ts): for Helm 3 each
 * document is compared byte for byte, up to that blank line, in Helm 4's order.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { CHARTS } from '../src/charts';
import { mergeUserValues, type ChartDefinition } from '../src/helm/chart';
import { HELM_MAJORS } from './support/helm';
import { chartDir, helmTemplate, writeValues } from './support/render';
import { requiredValuesOf } from './fixtures/identity';

/** The defaults as given (nothing), or with the test identity when the chart refuses to render without one. */
const baseFor = (def: ChartDefinition) => requiredValuesOf(def.name);

async function cli(args: string[]): Promise<string> {
  const { code, stdout, stderr } = await runCli(args);
  expect(code, stderr).toBe(0);
  return stdout;
}

/** The lines of `a` and `b`, with the lines where the two Helm runs differ left out of both. */
function withoutGenerated(text: string, first: string, second: string): string[] {
  const [x, y] = [first.split('\n'), second.split('\n')];
  expect(y.length, 'two Helm runs of the same values differ in more than generated values').toBe(x.length);
  return text.split('\n').map((l, i) => (x[i] === y[i] ? l : '<generated at render time>'));
}

const cases = Object.values(CHARTS).flatMap((def) => Object.entries({ defaults: {}, ...(def.presets ?? {}) }).map(([preset, values]) => [def.name, preset, def, values] as const));

describe('Helm and cdk8s-linkerd print the same bytes', () => {
  it('covers every registered chart', () => {
    expect(new Set(cases.map(([name]) => name))).toEqual(new Set(Object.keys(CHARTS)));
  });

  it.each(cases)('%s, %s', { timeout: 120_000 }, async (_name, _preset, def, preset) => {
    const values = mergeUserValues(baseFor(def), preset);
    const file = writeValues(values);
    const release = { name: def.name, namespace: 'linkerd' };
    const ours = await cli(['template', def.name, '-f', file, '-n', release.namespace, '--release-name', release.name]);
    const masked: Record<number, string[]> = {};
    for (const major of HELM_MAJORS) {
      const [a, b] = [await helmTemplate(major, chartDir(def), ['-f', file], release), await helmTemplate(major, chartDir(def), ['-f', file], release)];
      expect(a.ok, a.stderr).toBe(true);
      // Only webhook certificates (and the checksums and CA bundles derived from them) may differ.
      const second = b.stdout.split('\n');
      expect(a.stdout.split('\n').filter((l, i) => l !== second[i]).length).toBeLessThan(40);
      masked[major] = withoutGenerated(a.stdout, a.stdout, b.stdout);
      if (major === 4) expect(withoutGenerated(ours, a.stdout, b.stdout), 'Helm 4').toEqual(masked[4]);
    }
    expect(documents(masked[3]), 'Helm 3').toEqual(documents(masked[4]));
  });
});

/** The documents of a manifest (from its lines), sorted by their text, without the blank line Helm 4 prints after each. */
function documents(lines: string[]): string[] {
  return lines.join('\n').split(/^---$/m).map((d) => d.replace(/\n+$/, '\n')).sort();
}
