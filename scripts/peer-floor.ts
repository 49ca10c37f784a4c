/**
 * The lowest peer versions the packed package works with (install, strict compile, synth):
 * how the lower bounds of `peerDependencies` in package.json were found.
 *
 *   tsx scripts/peer-floor.ts check cdk8s@2.60.0 constructs@10.0.0 [cdk8s-plus-27@2.7.1]
 *   tsx scripts/peer-floor.ts bisect cdk8s --with constructs@10.8.1 [--with cdk8s-plus-27@2.9.5] [--from 2.0.0]
 *
 * `bisect` binary-searches the released versions (no prereleases) of one peer, the others held
 * fixed, for the lowest that passes (assuming that a version passes when an older one does), and
 * reports the release just below it (which the search saw fail). `--tarball FILE` reuses a packed
 * tarball. Either way the peer ranges in the tarball are widened to the whole major versions first,
 * so that our own ranges do not decide the outcome.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createApp, isolatedDir, packProject, type Peers } from './packed-app';

/**
 * A copy of the tarball whose peer ranges admit every release of the peers' major versions, so
 * that npm installs the version under test instead of refusing it (ERESOLVE) by our own range.
 */
const scratch: string[] = [];
process.on('exit', () => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

function widened(tarball: string): string {
  const dir = isolatedDir('cdk8s-linkerd-wide');
  scratch.push(dir);
  execFileSync('tar', ['-xzf', tarball, '-C', dir]);
  const file = join(dir, 'package', 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { peerDependencies: Record<string, string> };
  pkg.peerDependencies = { cdk8s: '^2.0.0', constructs: '^10.0.0', 'cdk8s-plus-27': '^2.0.0', 'cdk8s-plus-34': '^2.0.0' };
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  const out = join(dir, basename(tarball));
  execFileSync('tar', ['-czf', out, '-C', dir, 'package']);
  return out;
}

type Outcome = { ok: true } | { ok: false; stage: string; detail: string };

async function check(tarball: string, peers: Peers): Promise<Outcome> {
  const app = createApp(tarball, peers, 'cdk8s-linkerd-floor');
  try {
    const steps: [string, () => Promise<{ code: number; stdout: string; stderr: string }>][] = [
      ['install', app.install],
      ['compile', app.compile],
      ['synth', app.synth],
    ];
    for (const [stage, step] of steps) {
      const r = await step();
      if (r.code !== 0) return { ok: false, stage, detail: `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(0, 6).join('\n') };
    }
    const out = app.output();
    if (!Object.keys(out).includes('linkerd-control-plane.k8s.yaml')) return { ok: false, stage: 'output', detail: Object.keys(out).join(', ') };
    return { ok: true };
  } finally {
    rmSync(app.dir, { recursive: true, force: true });
  }
}

function label(peers: Peers): string {
  return Object.entries(peers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}@${v}`)
    .join(' ');
}

async function report(tarball: string, peers: Peers): Promise<boolean> {
  const started = Date.now();
  const o = await check(tarball, peers);
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(o.ok ? `PASS ${label(peers)} (${secs}s)\n` : `FAIL ${label(peers)} at ${o.stage} (${secs}s)\n  ${o.detail.replace(/\n/g, '\n  ')}\n`);
  return o.ok;
}

function parsePeers(specs: string[]): Peers {
  const peers: Record<string, string> = {};
  for (const s of specs) {
    const at = s.lastIndexOf('@');
    peers[s.slice(0, at)] = s.slice(at + 1);
  }
  if (!peers.cdk8s || !peers.constructs) throw new Error('cdk8s@X and constructs@Y are required');
  return peers as unknown as Peers;
}

function releases(name: string, major: string): string[] {
  const all = JSON.parse(execFileSync('npm', ['view', name, 'versions', '--json'], { encoding: 'utf8' })) as string[];
  return all.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && v.startsWith(`${major}.`));
}

const cmp = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

async function main(argv: string[]): Promise<void> {
  const tarballAt = argv.indexOf('--tarball');
  let tarball: string;
  if (tarballAt >= 0) {
    tarball = argv[tarballAt + 1];
    argv.splice(tarballAt, 2);
  } else {
    const dir = isolatedDir('cdk8s-linkerd-pack');
    scratch.push(dir);
    tarball = await packProject(dir);
    process.stdout.write(`packed ${tarball}\n`);
  }
  tarball = widened(tarball);
  const [cmd, ...rest] = argv;
  if (cmd === 'check') {
    process.exitCode = (await report(tarball, parsePeers(rest))) ? 0 : 1;
    return;
  }
  if (cmd !== 'bisect') throw new Error('usage: peer-floor.ts check PEERS... | bisect NAME --with PEER@V... [--from V]');
  const name = rest[0] as keyof Peers;
  const fixed: string[] = [];
  let from = '0.0.0';
  for (let i = 1; i < rest.length; i += 2) {
    if (rest[i] === '--with') fixed.push(rest[i + 1]);
    else if (rest[i] === '--from') from = rest[i + 1];
  }
  const major = name === 'constructs' ? '10' : '2';
  const versions = releases(name, major)
    .filter((v) => cmp(v, from) >= 0)
    .sort(cmp);
  const peersFor = (v: string) => ({ ...parsePeers([...fixed, `${name}@${v}`]) });
  process.stdout.write(`${versions.length} ${name} releases ${versions[0]} … ${versions.at(-1)}\n`);
  let lo = 0;
  let hi = versions.length - 1;
  if (!(await report(tarball, peersFor(versions[hi])))) throw new Error(`the newest ${name} fails`);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await report(tarball, peersFor(versions[mid]))) hi = mid;
    else lo = mid + 1;
  }
  process.stdout.write(`lowest passing ${name}: ${versions[lo]}\n`);
  if (lo > 0) process.stdout.write(`the release below, ${versions[lo - 1]}, failed above (bisection)\n`);
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 1;
});
