/** The pinned Helm binaries unpacked by scripts/install-helm.mjs. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

export type HelmMajor = 3 | 4;
export const HELM_MAJORS: HelmMajor[] = [3, 4];

export function helmBinary(major: HelmMajor): string {
  const bin = join(root, '.tools', `helm${major}`, 'helm');
  if (!existsSync(bin)) execFileSync(process.execPath, [join(root, 'scripts', 'install-helm.mjs')], { stdio: 'inherit' });
  return bin;
}
