/**
 * Helm binaries: the Helms of the TOOLS table (scripts/cluster/tools.ts), built from the
 * `helm.sh/helm/v3|v4` Go modules into .tools/ by scripts/tools.ts. The differential tests and the
 * cluster suite run Helm 3 (v3.21.4) and Helm 4 (v4.3.2); test/helm-versions.test.ts also runs the
 * oldest supported Helm.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath, type ToolName } from '../../scripts/cluster/tools';

const root = join(__dirname, '..', '..');

export type HelmMajor = 3 | 4;
export const HELM_MAJORS: HelmMajor[] = [3, 4];

type HelmToolName = Extract<ToolName, 'helm3' | 'helm4' | 'helm-oldest'>;

/** A Helm of the TOOLS table, built first if missing (progress on stderr). */
export function helmTool(tool: HelmToolName): string {
  const bin = toolPath(tool, 'helm');
  if (!existsSync(bin)) execFileSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'tools.ts'), tool], { stdio: ['ignore', 'ignore', 'inherit'] });
  return bin;
}

/** The newest Helm of a major version that the tests pin (Helm 3.21.4, Helm 4.3.2). */
export function helmBinary(major: HelmMajor): string {
  return helmTool(major === 3 ? 'helm3' : 'helm4');
}

/**
 * The command's output (Helm 4's framing: a blank line after each document but the last before
 * the hooks, src/cli/manifest.ts) as Helm `major` frames the same documents: Helm 3 trims each
 * document, so no blank line follows any.
 */
export function framedAs(major: HelmMajor, helm4Text: string): string {
  return major === 4 ? helm4Text : helm4Text.replace(/\n\n+(?=---\n# Source: )/g, '\n').replace(/\n\n+$/, '\n');
}
