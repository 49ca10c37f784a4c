/**
 * The cdk8s app of this repository: `npm run synth` writes the Helm charts into
 * charts/ and the default raw manifests into dist/.
 */
import { join } from 'node:path';
import { writeCharts, writeDist } from './outputs';

const root = join(__dirname, '..');
const progress = (line: string) => process.stderr.write(`${line}\n`);
writeCharts(join(root, 'charts'), progress);
writeDist(join(root, 'dist'), {}, progress);
