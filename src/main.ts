/**
 * The cdk8s app of this repository: `npm run synth` writes the Helm charts into
 * charts/, the default raw manifests into dist/, and the Argo CD objects that deploy them
 * from this repository into dist/argocd/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArgoCd } from './argocd';
import { CHARTS, EXAMPLE_REPO } from './charts';
import { writeCharts, writeDist, writeValuesTypes } from './outputs';
import { withRulesSection } from './rules-doc';
import { writeValidators } from './values/precompiled';
import { stripSymbols } from './values/model';

const root = join(__dirname, '..');
const progress = (line: string) => process.stderr.write(`${line}\n`);
// This repository's charts/ and dist/ are generated through and through (CI fails when they are
// stale), so its own run replaces any file at a path it writes (`force`), e.g. one a merge
// brought in that the merged record of the folder does not list yet.
const force = true;
writeCharts(join(root, 'charts'), progress, force);
writeDist(join(root, 'dist'), {}, progress, force);
writeArgoCd(join(root, 'dist', 'argocd'), { repo: EXAMPLE_REPO, revision: 'main' }, progress, force);
// The values validators of every chart, compiled ahead (src/values/precompiled.ts).
writeValidators(join(root, 'validators'), Object.values(CHARTS).map((d) => stripSymbols(d.values) as object));
progress('validators/ written');
// Each chart's values as documented TypeScript interfaces (src/values/types.ts).
const typesWritten = writeValuesTypes(root);
progress(`values types written${typesWritten.length ? `: ${typesWritten.join(', ')}` : ' (unchanged)'}`);
// The list of every chart's cross-field rules in docs/engine.md.
const engineDoc = join(root, 'docs', 'engine.md');
writeFileSync(engineDoc, withRulesSection(readFileSync(engineDoc, 'utf8')));
progress('docs/engine.md rules written');
