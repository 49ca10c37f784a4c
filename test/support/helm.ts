/**
 * Helm binaries. The differential tests and the cluster suite use the Helm 3 and Helm 4 of the
 * AWS Lambda-layer npm packages (scripts/install-helm.mjs); the Helms of the TOOLS table
 * (scripts/cluster/tools.ts: Helm 3.21.4, 4.3.2 and the oldest supported, built from Go modules)
 * are used by test/helm-versions.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath, type ToolName } from '../../scripts/cluster/tools';

const root = join(__dirname, '..', '..');

export type HelmMajor = 3 | 4;
export const HELM_MAJORS: HelmMajor[] = [3, 4];

export function helmBinary(major: HelmMajor): string {
  const bin = join(root, '.tools', `helm${major}`, 'helm');
  if (!existsSync(bin)) execFileSync(process.execPath, [join(root, 'scripts', 'install-helm.mjs')], { stdio: 'inherit' });
  return bin;
}

/** A Helm of the TOOLS table, built first if missing (progress on stderr). */
export function helmTool(tool: Extract<ToolName, 'helm3' | 'helm4' | 'helm-oldest'>): string {
  const bin = toolPath(tool, 'helm');
  if (!existsSync(bin)) execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'tools.ts'), tool], { stdio: ['ignore', 'ignore', 'inherit'] });
  return bin;
}
