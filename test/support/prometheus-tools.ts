/**
 * The Prometheus release the viz chart deploys (prom/prometheus v2.55.1), built from its Go
 * module into .tools/ by scripts/cluster/tools.ts: `npm test` builds it first (once; cached).
 */
import { existsSync } from 'node:fs';
import { toolPath, toolVersion } from '../../scripts/cluster/tools';

export function prometheusTool(binary: 'prometheus' | 'promtool'): string {
  const path = toolPath('prometheus', binary);
  if (!existsSync(path)) throw new Error(`${path} is missing (Prometheus ${toolVersion('prometheus')}): build it with \`npx tsx scripts/cluster/tools.ts prometheus\``);
  return path;
}
