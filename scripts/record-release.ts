/**
 * npm run release:record
 *
 * Records the default values of every chart at this package's version in
 * releases/<version>/<chart>.values.json. The upgrade test renders every recorded release's
 * values with the current charts and fails on a removed or renamed key unless the CHANGELOG
 * names it for a later version. Run it when cutting a release (and while the version is
 * unreleased, to accept a deliberate change of its keys).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHARTS } from '../src/charts';
import { defaultsOf } from '../src/values/model';
import { CHART_VERSION } from '../src/version';

const dir = join(__dirname, '..', 'releases', CHART_VERSION);
mkdirSync(dir, { recursive: true });
for (const [name, def] of Object.entries(CHARTS)) {
  const file = join(dir, `${name}.values.json`);
  writeFileSync(file, `${JSON.stringify(defaultsOf(def.values), null, 2)}\n`);
  process.stderr.write(`recorded ${file}\n`);
}
