/**
 * The built package's prebuilt data (src/prebuild.ts, src/helm/prebuilt.ts), written into
 * lib/prebuilt/ from the code tsc just built (`npm run build` and `prepare`, after tsc and before
 * the command's bundles, which read the same folder).
 */
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { writePrebuilt } = createRequire(import.meta.url)(join(root, 'lib', 'prebuild.js'));
const files = writePrebuilt(join(root, 'lib', 'prebuilt'));
process.stdout.write(`prebuilt: ${files.length} files in ${relative(root, dirname(files[0]))}/\n`);
