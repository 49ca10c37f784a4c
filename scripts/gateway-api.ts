/**
 * Copies the standard-channel Gateway API CRDs of the release pinned by
 * scripts/cluster/modules/gateway-api/go.mod (the `config/crd/standard/*.yaml` of the
 * `sigs.k8s.io/gateway-api` Go module, fetched through the Go module proxy into
 * .tools/gateway-api-<version>/) into vendor/gateway-api/, where the gateway-api-crds chart
 * reads them. The files are copied byte for byte, never edited.
 *
 *   npm run gateway-api            # fetch (if needed) and copy; says what changed
 *   npm run gateway-api -- --check # exit 1 if vendor/gateway-api/ differs from the pinned release
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTool, ROOT, toolVersion } from './cluster/tools';

export const VENDOR_DIR = join(ROOT, 'vendor', 'gateway-api');

/** The pinned release's standard-channel manifests, by file name (fetched if missing). */
export async function pinnedManifests(log: (line: string) => void = console.error): Promise<Map<string, string>> {
  const dir = join(await ensureTool('gateway-api', log), 'standard');
  const names = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  return new Map(names.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** The manifests in vendor/gateway-api/, by file name. */
export function vendoredManifests(): Map<string, string> {
  if (!existsSync(VENDOR_DIR)) return new Map();
  const names = readdirSync(VENDOR_DIR).filter((f) => f.endsWith('.yaml')).sort();
  return new Map(names.map((f) => [f, readFileSync(join(VENDOR_DIR, f), 'utf8')]));
}

/** Files that differ between two sets (added, removed or changed). */
export function differences(want: Map<string, string>, have: Map<string, string>): string[] {
  const names = [...new Set([...want.keys(), ...have.keys()])].sort();
  return names.filter((f) => want.get(f) !== have.get(f)).map((f) => (!have.has(f) ? `${f} (missing)` : !want.has(f) ? `${f} (not in the release)` : `${f} (changed)`));
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const version = toolVersion('gateway-api');
  const want = await pinnedManifests();
  const diff = differences(want, vendoredManifests());
  if (check) {
    if (diff.length > 0) {
      console.error(`vendor/gateway-api/ is not Gateway API ${version} (standard channel): ${diff.join(', ')}; run npm run gateway-api`);
      process.exit(1);
    }
    console.log(`vendor/gateway-api/ is Gateway API ${version} (standard channel), ${want.size} files`);
    return;
  }
  rmSync(VENDOR_DIR, { recursive: true, force: true });
  mkdirSync(VENDOR_DIR, { recursive: true });
  for (const [f, text] of want) writeFileSync(join(VENDOR_DIR, f), text);
  writeFileSync(
    join(VENDOR_DIR, 'README.md'),
    [
      `# Gateway API ${version}, standard channel`,
      '',
      `Copied byte for byte by \`npm run gateway-api\` (scripts/gateway-api.ts) from \`config/crd/standard/\` of the`,
      `Go module \`sigs.k8s.io/gateway-api@${version}\`, pinned in scripts/cluster/modules/gateway-api/go.mod.`,
      'Do not edit: change the pin and rerun the script. The gateway-api-crds chart is built from these files.',
      '',
    ].join('\n'),
  );
  console.log(diff.length > 0 ? `vendor/gateway-api/: Gateway API ${version}, ${want.size} files (${diff.join(', ')})` : `vendor/gateway-api/ was already Gateway API ${version}`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  });
}
