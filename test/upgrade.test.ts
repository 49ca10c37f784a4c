/**
 * Upgrades: the values of every recorded release (releases/<version>/) still render with
 * the current charts. A key a release had that the charts no longer accept must be named
 * in the CHANGELOG for a later version.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { renderObjects, resolveValues } from '../src/helm/chart';
import { coalesce, defaultsOf, validateValues } from '../src/values/model';
import { CHART_VERSION } from '../src/version';
import { REQUIRED_VALUES } from './fixtures/identity';

const root = join(__dirname, '..');
const REQUIRED = REQUIRED_VALUES;

const semver = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
};

/** CHANGELOG text for the versions after `version` (the sections above its heading). */
function changelogAfter(changelog: string, version: string): string {
  const i = changelog.search(new RegExp(`^## ${version.replace(/\./g, '\\.')}\\b`, 'm'));
  return i < 0 ? changelog : changelog.slice(0, i);
}

/** Keys of recorded values the chart now rejects, minus those the later CHANGELOG names (in backticks). */
function unannouncedBreaks(schema: Parameters<typeof validateValues>[0], recorded: unknown, laterChangelog: string): string[] {
  // Keys added since are filled in with their defaults, as Helm does.
  return validateValues(schema, coalesce(defaultsOf(schema), recorded as Record<string, unknown>))
    .map((p) => p.key)
    .filter((key) => !laterChangelog.includes(`\`${key}\``));
}

const releases = readdirSync(join(root, 'releases')).filter((v) => !newer(v, CHART_VERSION));

describe('upgrades from recorded releases', () => {
  it('has a recorded release', () => {
    expect(releases.length).toBeGreaterThan(0);
  });

  for (const version of releases) {
    // A chart added after the release has nothing to upgrade from.
    for (const name of Object.keys(CHARTS).filter((n) => existsSync(join(root, 'releases', version, `${n}.values.json`)))) {
      it(`${name} ${version} values render with the current chart`, () => {
        const recorded = JSON.parse(readFileSync(join(root, 'releases', version, `${name}.values.json`), 'utf8')) as Record<string, unknown>;
        const later = changelogAfter(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
        expect(unannouncedBreaks(CHARTS[name].values, recorded, later)).toEqual([]);
        if (validateValues(CHARTS[name].values, recorded).length === 0) {
          expect(renderObjects(CHARTS[name], resolveValues(CHARTS[name], coalesce(recorded, REQUIRED[name] ?? {}))).length).toBeGreaterThan(0);
        }
      });
    }
  }

  it('fails on a removed key unless a later CHANGELOG section names it', () => {
    const schema = CHARTS['linkerd-viz'].values;
    const old = { grafana: { enabled: true, dashboards: 'all' } };
    expect(unannouncedBreaks(schema, old, '')).toEqual(['grafana.dashboards']);
    expect(unannouncedBreaks(schema, old, '### Removed\n- `grafana.dashboards`: every dashboard is bundled\n')).toEqual([]);
    expect(changelogAfter('# x\n## 0.2.0\nnew\n## 0.1.0\nold\n', '0.1.0')).toBe('# x\n## 0.2.0\nnew\n');
  });
});
