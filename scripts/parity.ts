/**
 * npm run parity -- --upstream DIR
 * npm run parity -- --record DIR
 *
 * --record: renders upstream's chart for every case of test/support/parity.ts and writes only
 * its facts (identities, containers, volumes, RBAC and webhook rules, CRD versions and schema
 * shape; no descriptions) to test/fixtures/upstream/<chart>/<case>.json, which
 * test/parity.test.ts compares with our rendering. See docs/parity.md.
 *
 * --record-history REPO: the CRDs of older upstream releases (test/support/upstream-history.ts),
 * for the upgrade test (test/upstream-history.test.ts).
 *
 * Renders upstream's chart from a local copy of the linkerd2 repository (at the
 * Linkerd version we target) with Helm, renders ours, and reports object by
 * object what is missing, extra or different. Nothing from DIR is copied into
 * this repository; the copy is made under the system temp directory.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { LINKERD_VERSION } from '../src/version';
import { allCrds } from '../src/crds/index';
import { linkCrd } from '../src/crds/link';
import { crdBody } from '../src/crds/manifest';
import { helmBinary } from '../test/support/helm';
import { factsFile, factsOf, PARITY_CASES, type ParityCase } from '../test/support/parity';
import { type HistoricCrd, UPSTREAM_HISTORY } from '../test/support/upstream-history';

type Json = unknown;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Where upstream keeps each chart, relative to the repository root. */
const UPSTREAM_DIRS: Record<string, string> = { 'linkerd-viz': join('viz', 'charts', 'linkerd-viz'), 'linkerd-multicluster': join('multicluster', 'charts', 'linkerd-multicluster') };

function renderUpstream(upstream: string, chart: string, args: string[] = [], valuesFiles: string[] = [], namespace = 'linkerd'): Record<string, Json>[] {
  const work = mkdtempSync(join(tmpdir(), 'parity-'));
  try {
    cpSync(join(upstream, UPSTREAM_DIRS[chart] ?? join('charts', chart)), join(work, chart), { recursive: true });
    cpSync(join(upstream, 'charts', 'partials'), join(work, chart, 'charts', 'partials'), { recursive: true });
    const files = valuesFiles.flatMap((f) => ['-f', join(work, chart, f)]);
    const out = execFileSync(helmBinary(3), ['template', chart, join(work, chart), '-n', namespace, ...files, ...args], {
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
    if (k === 'description' && path.startsWith('spec')) continue; // CRD prose
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

/** Paths whose differences are render-time material or documented in docs/parity.md. */
const EXPECTED = [
  /\.data\.tls\.(crt|key)$/, // webhook certificates generated at render time
  /\.clientConfig\.caBundle$/,
  /checksum\/config$/,
  /^CronJob\/linkerd-heartbeat\.spec\.schedule$/, // reproducible schedule
  /\.resources: missing in ours \(upstream null\)$/, // empty resources left out
  /linkerd-config\.data\.values\.(\w+\.)?(podLabels|priorityClassName|topologySpreadConstraints|heartbeat|certManager|trustManager): extra in ours/, // our additions
  /^ConfigMap\/linkerd-config\.data\.values\.cliVersion: extra in ours/, // declared (default empty), read for linkerd.io/created-by (docs/parity.md)
];

/** The cases of one chart (test/support/parity.ts), upstream rendered from DIR. */
function chartParity(upstream: string, chart: string, expected: RegExp[], normalize: { theirs?: Normalize; ours?: Normalize } = {}): string[] {
  const same: Normalize = (d) => d;
  return compareCases(PARITY_CASES.filter((c) => c.chart === chart), expected, (c) => ({
    theirs: renderUpstreamCase(upstream, c).map(normalize.theirs ?? same),
    ours: c.render().map(normalize.ours ?? same),
  }));
}

type Normalize = (d: Record<string, Json>) => Record<string, Json>;

/** A CRD's descriptions (prose, ours differs) removed. */
function withoutProse(d: Record<string, Json>): Record<string, Json> {
  if (d.kind !== 'CustomResourceDefinition') return d;
  const strip = (x: Json): Json =>
    Array.isArray(x) ? x.map(strip) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'description').map(([k, y]) => [k, strip(y)])) : x;
  return { ...d, spec: strip(d.spec) };
}

/** Multicluster differences documented in docs/parity.md. */
const MULTICLUSTER_EXPECTED = [
  /^(Server|AuthorizationPolicy)\/(linkerd-admin|service-mirror|controller|local-service-mirror)\.metadata\.annotations: extra in ours/, // created-by on every object
];

/** ConfigMaps whose data holds YAML text are compared as data. */
const YAML_DATA: Record<string, string> = { 'ConfigMap/linkerd-config': 'values', 'ConfigMap/prometheus-config': 'prometheus.yml', 'ConfigMap/linkerd-cni-config': 'cni_network_config' };

/** Object-by-object comparison of upstream's and our rendering for each case; differences matching `expected` are not reported. */
function compareCases(cases: ParityCase[], expected: RegExp[], render: (c: ParityCase) => { theirs: Record<string, Json>[]; ours: Record<string, Json>[] }): string[] {
  const report: string[] = [];
  for (const c of cases) {
    const { theirs, ours } = render(c);
    const key = (d: Record<string, Json>) => `${d.kind}/${(d.metadata as { name: string }).name}`;
    const lines: string[] = [];
    for (const u of theirs) if (!ours.find((o) => key(o) === key(u))) lines.push(`${key(u)}: missing in ours`);
    for (const o of ours) {
      const u = theirs.find((d) => key(d) === key(o));
      if (!u) {
        lines.push(`${key(o)}: extra in ours`);
        continue;
      }
      const diffs: string[] = [];
      const decode = (d: Record<string, Json>) => {
        const field = YAML_DATA[key(d)];
        return field ? { ...d, data: { ...(d.data as object), [field]: load((d.data as Record<string, string>)[field]) } } : d;
      };
      schemaDiff(key(o), JSON.parse(JSON.stringify(decode(o))), decode(u), diffs);
      lines.push(...diffs);
    }
    const unexpected = lines.filter((l) => !expected.some((re) => re.test(l.split(':')[0]) || re.test(l)));
    report.push(`${c.id}: ${theirs.length} upstream objects, ${ours.length} ours, ${unexpected.length} unexpected difference(s)`, ...unexpected.map((l) => `  ${l}`));
  }
  return report;
}

/** Viz differences that are render-time material, our additions (Grafana), or documented in docs/parity.md. */
const VIZ_EXPECTED = [
  /\.data\.tls\.(crt|key)$/, // certificates generated at render time
  /\.caBundle$/,
  /checksum\/config$/,
  /\.resources: missing in ours \(upstream null\)$/, // empty resources left out
  /^(Deployment|Service|ServiceAccount|ConfigMap|Server|AuthorizationPolicy|MeshTLSAuthentication)\/(grafana|grafana-config|grafana-dashboard-[\w-]+|grafana-web|prometheus-admin-grafana): extra in ours$/, // the bundled Grafana
  /^Deployment\/web\.spec\.template\.spec\.containers\.0\.args\.\d+/, // -grafana-addr of the bundled Grafana (shifts the args)
  // The linkerd-proxy job's `cronjob` rule (its 6th), and the rules after it, shifted by one: {#viz-prometheus-cronjob}
  /^ConfigMap\/prometheus-config\.data\.prometheus\.yml\.scrape_configs\.4\.relabel_configs\.([5-9]|1[0-3])\b/,
  /prometheus\.yml\.scrape_configs\.\d+\.(relabel_configs\.\d+: extra in ours \(\{"source_labels":\["\w+"\],"regex":"\(\.\+\)","target_label":"workload"|metric_relabel_configs: extra in ours \(\[\{"source_labels":\["dst_service"\])/, // {#viz-prometheus-workload-labels}
];

/** Upstream's rendering of one case (its chart copied under the temp directory, with the shared partials). */
function renderUpstreamCase(upstream: string, c: ParityCase): Record<string, Json>[] {
  const work = mkdtempSync(join(tmpdir(), 'parity-'));
  try {
    const dir = join(work, c.chart);
    cpSync(join(upstream, c.upstreamChart), dir, { recursive: true });
    cpSync(join(upstream, 'charts', 'partials'), join(dir, 'charts', 'partials'), { recursive: true });
    const args = c.helmArgs.map((a, i) => (c.helmArgs[i - 1] === '-f' ? join(dir, a) : a));
    const out = execFileSync(helmBinary(3), ['template', c.chart, dir, '-n', c.namespace, '--set', `linkerdVersion=${LINKERD_VERSION}`, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    return (loadAll(out) as Record<string, Json>[]).filter(Boolean);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Writes upstream's facts for every case (nothing else from DIR is kept). */
function record(upstream: string): void {
  const root = join(__dirname, '..', 'test', 'fixtures', 'upstream');
  for (const c of PARITY_CASES) {
    const file = join(root, factsFile(c));
    const facts = factsOf(renderUpstreamCase(upstream, c) as Record<string, unknown>[]);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ linkerd: LINKERD_VERSION, chart: c.upstreamChart, helmArgs: c.helmArgs.map((a) => a.replace(/=.*fixtures\/identity\//, '=test/fixtures/identity/')), objects: facts }, null, 1)}\n`);
    process.stdout.write(`${factsFile(c)}: ${facts.length} objects\n`);
  }
}

/**
 * Writes the CRDs of each older upstream release of UPSTREAM_HISTORY to
 * test/fixtures/upstream/history/<tag>.json: for every CRD we ship, its names, scope and
 * versions (served/storage flags, subresources, the schema without prose). REPO is a linkerd2
 * git repository with the tags; each tag's charts are taken with `git archive` (no checkout)
 * and rendered with Helm, like the parity cases.
 */
function recordHistory(repo: string): void {
  const root = join(__dirname, '..', 'test', 'fixtures', 'upstream', 'history');
  mkdirSync(root, { recursive: true });
  const ours = new Set([...allCrds, linkCrd].map((d) => `${d.plural}.${d.group}`));
  for (const release of UPSTREAM_HISTORY) {
    const work = mkdtempSync(join(tmpdir(), 'parity-history-'));
    try {
      execFileSync('sh', ['-c', `git -C "$0" archive ${release.tag} charts multicluster/charts | tar -x -C "$1"`, repo, work]);
      const crds = [...renderUpstream(work, 'linkerd-crds'), ...renderUpstream(work, 'linkerd-multicluster', ['--set', 'gateway.enabled=false'], [], 'linkerd-multicluster')]
        .filter((d) => d.kind === 'CustomResourceDefinition' && ours.has((d.metadata as { name: string }).name))
        .map((d) => historyFacts(withoutProse(d)));
      crds.sort((x, y) => x.name.localeCompare(y.name));
      writeFileSync(join(root, `${release.tag}.json`), `${JSON.stringify({ linkerd: release.tag, crds }, null, 1)}\n`);
      process.stdout.write(`history/${release.tag}.json: ${crds.map((c) => `${c.name} [${c.versions.map((v) => `${v.name}${v.storage ? '*' : ''}`).join(' ')}]`).join(', ')}\n`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

/** The facts of one CRD kept for the upgrade tests: what the API server needs to store objects as that release did. */
function historyFacts(d: Record<string, Json>): HistoricCrd {
  const spec = d.spec as { group: string; scope: string; names: HistoricCrd['names']; versions: (HistoricCrd['versions'][number] & Record<string, Json>)[] };
  return {
    name: (d.metadata as { name: string }).name,
    group: spec.group,
    scope: spec.scope,
    names: spec.names,
    versions: spec.versions.map((v) => ({ name: v.name, served: v.served, storage: v.storage, ...(v.subresources ? { subresources: v.subresources } : {}), schema: structure(v.schema) as HistoricCrd['versions'][number]['schema'] })),
  };
}

/** Value checks that do not decide how an object is stored (patterns, lengths, formats, CEL rules) are left out of the history facts. */
const VALUE_CHECKS = new Set(['pattern', 'minLength', 'maxLength', 'format', 'minimum', 'maximum', 'minItems', 'maxItems', 'maxProperties', 'x-kubernetes-validations']);

/** A schema's structure: types, fields, required fields, enums, defaults and the x-kubernetes markers that change storage. */
function structure(x: Json): Json {
  if (Array.isArray(x)) return x.map(structure);
  if (!x || typeof x !== 'object') return x;
  return Object.fromEntries(
    Object.entries(x as Record<string, Json>)
      .filter(([k]) => !VALUE_CHECKS.has(k)) // field names live under `properties`, kept whole below
      .map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Record<string, Json>).map(([p, y]) => [p, structure(y)])) : structure(v)]),
  );
}

/** CNI differences documented in docs/parity.md. */
const CNI_EXPECTED = [
  /\.resources: missing in ours \(upstream null\)$/, // empty resources left out
  /^DaemonSet\/linkerd-cni\.spec\.template\.spec\.automountServiceAccountToken: extra in ours/, // token mounted by hand
  /^DaemonSet\/linkerd-cni\.spec\.template\.spec\.volumes\.\d: extra in ours \(\{"name":"kube-api-access"/,
  /^DaemonSet\/linkerd-cni\.spec\.template\.spec\.containers\.\d\.volumeMounts(\.\d)?: extra in ours \((\[)?\{"mountPath":"\/var\/run\/secrets\/kubernetes\.io\/serviceaccount"/,
];

function main(): void {
  const recordDir = arg('--record');
  if (recordDir) return record(recordDir);
  const historyRepo = arg('--record-history');
  if (historyRepo) return recordHistory(historyRepo);
  const upstream = arg('--upstream');
  if (!upstream) {
    process.stderr.write('usage: npm run parity -- --upstream DIR | --record DIR   (DIR: a linkerd2 checkout at the targeted tag)\n');
    process.exit(2);
  }
  const report = crdParity(upstream);
  process.stdout.write(`linkerd-crds: ${report.length} difference(s)\n${report.map((l) => `  ${l}\n`).join('')}`);
  if (process.env.PARITY_ONLY) return;
  process.stdout.write(`linkerd-control-plane:\n${chartParity(upstream, 'linkerd-control-plane', EXPECTED).map((l) => `  ${l}\n`).join('')}`);
  process.stdout.write(`linkerd-viz:\n${chartParity(upstream, 'linkerd-viz', VIZ_EXPECTED).map((l) => `  ${l}\n`).join('')}`);
  process.stdout.write(`linkerd2-cni:\n${chartParity(upstream, 'linkerd2-cni', CNI_EXPECTED).map((l) => `  ${l}\n`).join('')}`);
  const crds = { theirs: withoutProse, ours: withoutProse };
  process.stdout.write(`linkerd-multicluster:\n${chartParity(upstream, 'linkerd-multicluster', MULTICLUSTER_EXPECTED, crds).map((l) => `  ${l}\n`).join('')}`);
  process.stdout.write(`linkerd-multicluster-link:\n${chartParity(upstream, 'linkerd-multicluster-link', []).map((l) => `  ${l}\n`).join('')}`);
}

main();
