/**
 * npm run parity -- --upstream DIR [--chart linkerd-crds]
 *
 * Renders upstream's chart from a local copy of the linkerd2 repository (at the
 * Linkerd version we target) with Helm, renders ours, and reports object by
 * object what is missing, extra or different. Nothing from DIR is copied into
 * this repository; the copy is made under the system temp directory.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { allCrds } from '../src/crds/index';
import { crdBody } from '../src/crds/manifest';
import { helmBinary } from '../test/support/helm';

type Json = unknown;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function renderUpstream(upstream: string, chart: string, args: string[] = []): Record<string, Json>[] {
  const work = mkdtempSync(join(tmpdir(), 'parity-'));
  try {
    cpSync(join(upstream, 'charts', chart), join(work, chart), { recursive: true });
    cpSync(join(upstream, 'charts', 'partials'), join(work, chart, 'charts', 'partials'), { recursive: true });
    const out = execFileSync(helmBinary(3), ['template', chart, join(work, chart), '-n', 'linkerd', ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    return (loadAll(out) as Record<string, Json>[]).filter(Boolean);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Differences between two JSON schemas, ignoring prose (`description`). */
export function schemaDiff(path: string, ours: Json, theirs: Json, out: string[]): void {
  if (typeof ours !== 'object' || ours === null || typeof theirs !== 'object' || theirs === null) {
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) out.push(`${path}: ours ${JSON.stringify(ours)} upstream ${JSON.stringify(theirs)}`);
    return;
  }
  if (Array.isArray(ours) !== Array.isArray(theirs)) {
    out.push(`${path}: ours ${JSON.stringify(ours)} upstream ${JSON.stringify(theirs)}`);
    return;
  }
  const o = ours as Record<string, Json>;
  const t = theirs as Record<string, Json>;
  const keys = new Set([...Object.keys(o), ...Object.keys(t)]);
  for (const k of keys) {
    if (k === 'description') continue;
    if (!(k in o)) out.push(`${path}.${k}: missing in ours (upstream ${JSON.stringify(t[k]).slice(0, 160)})`);
    else if (!(k in t)) out.push(`${path}.${k}: extra in ours (${JSON.stringify(o[k]).slice(0, 160)})`);
    else if (k === 'required' || k === 'enum') {
      const a = JSON.stringify([...(o[k] as string[])].sort());
      const b = JSON.stringify([...(t[k] as string[])].sort());
      if (a !== b) out.push(`${path}.${k}: ours ${a} upstream ${b}`);
    } else schemaDiff(`${path}.${k}`, o[k], t[k], out);
  }
}

function crdParity(upstream: string): string[] {
  const theirs = new Map(renderUpstream(upstream, 'linkerd-crds').map((d) => [(d.metadata as { name: string }).name, d]));
  const ours = new Map(allCrds.filter((d) => !process.env.PARITY_ONLY || process.env.PARITY_ONLY.split(",").includes(`${d.plural}.${d.group}`)).map((def) => { const b = crdBody(def); return [b.metadata.name, b] as const; }));
  const report: string[] = [];
  for (const name of theirs.keys()) if (!ours.has(name) && !process.env.PARITY_ONLY) report.push(`CRD ${name}: missing in ours`);
  for (const [name, body] of ours) {
    const up = theirs.get(name);
    if (!up) {
      report.push(`CRD ${name}: extra in ours`);
      continue;
    }
    const diffs: string[] = [];
    schemaDiff('spec', body.spec, up.spec, diffs);
    for (const d of diffs) report.push(`CRD ${name}: ${d}`);
  }
  return report;
}

function main(): void {
  const upstream = arg('--upstream');
  if (!upstream) {
    process.stderr.write('usage: npm run parity -- --upstream DIR   (DIR: a linkerd2 checkout at the targeted tag)\n');
    process.exit(2);
  }
  const report = crdParity(upstream);
  process.stdout.write(`linkerd-crds: ${report.length} difference(s)\n${report.map((l) => `  ${l}\n`).join('')}`);
}

main();
