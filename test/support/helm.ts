/** The pinned Helm binaries: built from Go modules into .tools/ by scripts/tools.ts (TOOLS in scripts/cluster/tools.ts). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath, type ToolName } from '../../scripts/cluster/tools';

const root = join(__dirname, '..', '..');

export type HelmMajor = 3 | 4;
export const HELM_MAJORS: HelmMajor[] = [3, 4];

/** A Helm of the TOOLS table, built first if missing (progress on stderr). */
export function helmTool(tool: Extract<ToolName, 'helm3' | 'helm4' | 'helm-oldest'>): string {
  const bin = toolPath(tool, 'helm');
  if (!existsSync(bin)) execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'tools.ts'), tool], { stdio: ['ignore', 'ignore', 'inherit'] });
  return bin;
}

/** The newest Helm 3 or Helm 4. */
export function helmBinary(major: HelmMajor): string {
  return helmTool(major === 3 ? 'helm3' : 'helm4');
}
