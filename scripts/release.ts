/**
 * npm run release -- --registry HOST[:PORT] [--repository PATH] [--plain-http]
 *
 * Publishes every chart, packaged reproducibly (npm run package), to an OCI registry as
 * oci://HOST[:PORT]/PATH/<chart>:<version> (PATH defaults to `linkerd`) with the pinned Helm.
 * Every chart is checked before anything is pushed:
 * - the version is not in the registry yet: it is pushed;
 * - it is, with the same archive (same digest): nothing to do;
 * - it is, with another archive: the release is refused and nothing is pushed. A published
 *   version never changes; a change gets a new version (docs/releases.md).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { CHART_VERSION } from '../src/version';
import { helmBinary } from '../test/support/helm';
import { sha256 } from './chart-archive';
import { packageCharts, type PackageOptions } from './package';

const run = promisify(execFile);

export interface ReleaseOptions extends PackageOptions {
  /** `host[:port]` of the registry. */
  registry: string;
  /** Path of the charts in the registry (default `linkerd`). */
  repository?: string;
  /** HTTP instead of HTTPS (a registry on loopback). */
  plainHttp?: boolean;
}

export interface ReleaseResult {
  chart: string;
  ref: string;
  digest: string;
  outcome: 'pushed' | 'unchanged';
}

export class ReleaseRefused extends Error {}

/** What the registry holds for a chart version: its archive's digest, or undefined when the version is not there. */
async function publishedDigest(ref: string, version: string, plainHttp: boolean): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-pull-'));
  try {
    await run(helmBinary(3), ['pull', ref, '--version', version, '--destination', dir, ...(plainHttp ? ['--plain-http'] : [])]);
    return sha256(readFileSync(join(dir, readdirSync(dir)[0])));
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message);
    if (/not found|manifest unknown|name unknown/i.test(stderr)) return undefined;
    throw new Error(`cannot read ${ref}:${version}: ${stderr.trim().split('\n').at(-1)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function releaseCharts(options: ReleaseOptions, progress: (line: string) => void = () => {}): Promise<ReleaseResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-release-'));
  const plainHttp = options.plainHttp ?? false;
  const base = `oci://${options.registry}/${options.repository ?? 'linkerd'}`;
  try {
    const archives = packageCharts(dir, progress, options);
    const plan: (ReleaseResult & { archive: string })[] = [];
    const refused: string[] = [];
    for (const archive of archives) {
      const chart = basename(archive).slice(0, -`-${CHART_VERSION}.tgz`.length);
      const ref = `${base}/${chart}`;
      const digest = sha256(readFileSync(archive));
      const existing = await publishedDigest(ref, CHART_VERSION, plainHttp);
      if (existing && existing !== digest) refused.push(`${ref}:${CHART_VERSION} is already published with other content (registry ${existing}, ours ${digest}): a published version never changes; give the charts a new version (docs/releases.md)`);
      plan.push({ chart, ref, digest, archive, outcome: existing ? 'unchanged' : 'pushed' });
    }
    if (refused.length) throw new ReleaseRefused(refused.join('\n'));
    for (const [i, p] of plan.entries()) {
      if (p.outcome === 'pushed') await run(helmBinary(3), ['push', p.archive, base, ...(plainHttp ? ['--plain-http'] : [])]);
      progress(`[${i + 1}/${plan.length}] ${p.ref}:${CHART_VERSION} ${p.outcome === 'pushed' ? 'pushed' : 'already published with the same content, not pushed'} (${p.digest})`);
    }
    return plan.map(({ archive: _archive, ...r }) => r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const registry = arg('--registry');
  if (!registry) {
    process.stderr.write('usage: npm run release -- --registry HOST[:PORT] [--repository PATH] [--plain-http]\n');
    process.exit(2);
  }
  releaseCharts({ registry, repository: arg('--repository'), plainHttp: process.argv.includes('--plain-http') }, (l) => process.stderr.write(`${l}\n`)).catch((e: Error) => {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  });
}
