/**
 * npm run parity -- --upstream DIR [--chart linkerd-crds]
 *
 * Renders upstream's chart from a local copy of the linkerd2 repository (at the
 * Linkerd version we target) with Helm, renders ours, and reports object by
 * object what is missing, extra or different. Nothing from DIR is copied into
 * this repository; the copy is made under the system temp directory.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';
import { linkerdControlPlaneChart } from '../src/control-plane/chart';
import { haValues } from '../src/control-plane/presets';
import { tracingValues } from '../src/jaeger/wiring';
import { linkerdMulticlusterChart } from '../src/multicluster/chart';
import { linkHaValues, linkerdMulticlusterLinkChart } from '../src/multicluster/link';
import { multiclusterHaValues } from '../src/multicluster/presets';
import { linkerdVizChart } from '../src/viz/chart';
import { vizHaValues } from '../src/viz/presets';
import { renderObjects, resolveValues } from '../src/helm/chart';
import { coalesce } from '../src/values/model';
import { LINKERD_VERSION } from '../src/version';
import { allCrds } from '../src/crds/index';
import { crdBody } from '../src/crds/manifest';
import { helmBinary } from '../test/support/helm';

type Json = unknown;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Where upstream keeps each chart, relative to the repository root. */
const UPSTREAM_DIRS: Record<string, string> = {
  'linkerd-viz': join('viz', 'charts', 'linkerd-viz'),
  'linkerd-multicluster': join('multicluster', 'charts', 'linkerd-multicluster'),
  'linkerd-multicluster-link': join('multicluster', 'charts', 'linkerd-multicluster-link'),
};

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
];

function controlPlaneParity(upstream: string): string[] {
  const fixtures = join(__dirname, '..', 'test', 'fixtures', 'identity');
  const certs = {
    identityTrustAnchorsPEM: readFileSync(join(fixtures, 'ca.crt'), 'utf8'),
    identity: { issuer: { tls: { crtPEM: readFileSync(join(fixtures, 'issuer.crt'), 'utf8'), keyPEM: readFileSync(join(fixtures, 'issuer.key'), 'utf8') } } },
  };
  const certArgs = [
    '--set-file', `identityTrustAnchorsPEM=${join(fixtures, 'ca.crt')}`,
    '--set-file', `identity.issuer.tls.crtPEM=${join(fixtures, 'issuer.crt')}`,
    '--set-file', `identity.issuer.tls.keyPEM=${join(fixtures, 'issuer.key')}`,
  ];
  const cases: ParityCase[] = [
    { name: 'defaults', args: [], files: [], ours: {} },
    { name: 'values-ha.yaml', args: [], files: ['values-ha.yaml'], ours: haValues },
    { name: 'cniEnabled=true', args: ['--set', 'cniEnabled=true'], files: [], ours: { cniEnabled: true } },
    { name: 'podMonitor.enabled=true', args: ['--set', 'podMonitor.enabled=true'], files: [], ours: { podMonitor: { enabled: true } } },
    {
      name: 'tracing (values-tracing.yaml)',
      args: [
        '--set', 'proxy.tracing.enabled=true',
        '--set', 'proxy.tracing.collector.endpoint=collector.linkerd-jaeger.svc.cluster.local:4317',
        '--set', 'proxy.tracing.collector.meshIdentity.serviceAccountName=collector',
        '--set', 'proxy.tracing.collector.meshIdentity.namespace=linkerd-jaeger',
        '--set', 'controller.tracing.enabled=true',
        '--set', 'controller.tracing.collector.endpoint=collector.linkerd-jaeger.svc.cluster.local:4317',
      ],
      files: [],
      ours: tracingValues({ namespace: 'linkerd-jaeger' }),
    },
    {
      name: 'external CA',
      args: ['--set', 'identity.externalCA=true', '--set', 'identity.issuer.scheme=kubernetes.io/tls'],
      files: [],
      ours: { identity: { externalCA: true, issuer: { scheme: 'kubernetes.io/tls' } } },
    },
  ];
  return compareCases(cases, EXPECTED, (c) => ({
    theirs: renderUpstream(upstream, 'linkerd-control-plane', [...certArgs, '--set', `linkerdVersion=${LINKERD_VERSION}`, ...c.args], c.files),
    ours: renderObjects(linkerdControlPlaneChart, resolveValues(linkerdControlPlaneChart, coalesce(certs, c.ours)), { name: 'linkerd-control-plane', namespace: 'linkerd' }).map((o) => o.object),
  }));
}

interface ParityCase {
  name: string;
  args: string[];
  files: string[];
  ours: Record<string, unknown>;
}

/** ConfigMaps whose data holds YAML text are compared as data. */
const YAML_DATA: Record<string, string> = { 'ConfigMap/linkerd-config': 'values', 'ConfigMap/prometheus-config': 'prometheus.yml' };

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
    report.push(`${c.name}: ${theirs.length} upstream objects, ${ours.length} ours, ${unexpected.length} unexpected difference(s)`, ...unexpected.map((l) => `  ${l}`));
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
];

function vizParity(upstream: string): string[] {
  const cases: ParityCase[] = [
    { name: 'defaults', args: [], files: [], ours: {} },
    { name: 'grafana.enabled=false', args: [], files: [], ours: { grafana: { enabled: false } } },
    { name: 'values-ha.yaml (grafana.enabled=false)', args: [], files: ['values-ha.yaml'], ours: coalesce(vizHaValues, { grafana: { enabled: false } }) },
    {
      name: 'external Prometheus',
      args: ['--set', 'prometheus.enabled=false', '--set', 'prometheusUrl=http://prom.example:9090'],
      files: [],
      ours: { prometheus: { enabled: false }, prometheusUrl: 'http://prom.example:9090' },
    },
  ];
  return compareCases(cases, VIZ_EXPECTED, (c) => ({
    theirs: renderUpstream(upstream, 'linkerd-viz', ['--set', `linkerdVersion=${LINKERD_VERSION}`, ...c.args], c.files, 'linkerd-viz'),
    ours: renderObjects(linkerdVizChart, resolveValues(linkerdVizChart, c.ours), { name: 'linkerd-viz', namespace: 'linkerd-viz' }).map((o) => o.object),
  }));
}

/** Multicluster differences documented in docs/parity.md. */
const MULTICLUSTER_EXPECTED = [
  /^(Server|AuthorizationPolicy)\/(linkerd-admin|service-mirror|controller|local-service-mirror)\.metadata\.annotations: extra in ours/, // created-by on every object
  /^Job\/namespace-metadata\.spec\.template\.spec\.nodeSelector: extra in ours \(\{\}\)$/, // an empty nodeSelector written as {}
];

/** Upstream's placeholder image tags, as its release process sets them. */
const versionArgs = ['localServiceMirror.image.version', 'controllerDefaults.image.version'].flatMap((k) => ['--set', `${k}=${LINKERD_VERSION}`]);

/** A CRD's descriptions (prose, ours differs) removed. */
function withoutProse(d: Record<string, Json>): Record<string, Json> {
  if (d.kind !== 'CustomResourceDefinition') return d;
  const strip = (x: Json): Json =>
    Array.isArray(x) ? x.map(strip) : x && typeof x === 'object' ? Object.fromEntries(Object.entries(x).filter(([k]) => k !== 'description').map(([k, y]) => [k, strip(y)])) : x;
  return { ...d, spec: strip(d.spec) };
}

/** Upstream's CRD with its storage version only (we serve only that one: docs/parity.md). */
function storageOnly(d: Record<string, Json>): Record<string, Json> {
  if (d.kind !== 'CustomResourceDefinition') return d;
  const spec = withoutProse(d).spec as { versions: { storage: boolean }[] };
  return { ...d, spec: { ...spec, versions: spec.versions.filter((v) => v.storage) } };
}

function multiclusterParity(upstream: string): string[] {
  const cases: ParityCase[] = [
    { name: 'defaults', args: [], files: [], ours: {} },
    { name: 'values-ha.yaml', args: [], files: ['values-ha.yaml'], ours: multiclusterHaValues },
  ];
  return compareCases(cases, MULTICLUSTER_EXPECTED, (c) => ({
    theirs: renderUpstream(upstream, 'linkerd-multicluster', ['--set', `linkerdVersion=${LINKERD_VERSION}`, ...versionArgs, ...c.args], c.files, 'linkerd-multicluster').map(storageOnly),
    ours: renderObjects(linkerdMulticlusterChart, resolveValues(linkerdMulticlusterChart, c.ours), { name: 'linkerd-multicluster', namespace: 'linkerd-multicluster' }).map((o) => withoutProse(o.object)),
  }));
}

function linkParity(upstream: string): string[] {
  const cases: ParityCase[] = [
    { name: 'defaults (targetClusterName=west)', args: [], files: [], ours: {} },
    { name: 'values-ha.yaml (targetClusterName=west)', args: [], files: ['values-ha.yaml'], ours: linkHaValues },
  ];
  return compareCases(cases, [], (c) => ({
    theirs: renderUpstream(upstream, 'linkerd-multicluster-link', ['--set', 'targetClusterName=west', '--set', `controllerImageVersion=${LINKERD_VERSION}`, '--set', `linkerdVersion=${LINKERD_VERSION}`, ...c.args], c.files, 'linkerd-multicluster'),
    ours: renderObjects(linkerdMulticlusterLinkChart, resolveValues(linkerdMulticlusterLinkChart, { ...c.ours, targetClusterName: 'west' }), { name: 'linkerd-multicluster-link', namespace: 'linkerd-multicluster' }).map((o) => o.object),
  }));
}

function main(): void {
  const upstream = arg('--upstream');
  if (!upstream) {
    process.stderr.write('usage: npm run parity -- --upstream DIR   (DIR: a linkerd2 checkout at the targeted tag)\n');
    process.exit(2);
  }
  const report = crdParity(upstream);
  process.stdout.write(`linkerd-crds: ${report.length} difference(s)\n${report.map((l) => `  ${l}\n`).join('')}`);
  if (process.env.PARITY_ONLY) return;
  process.stdout.write(`linkerd-control-plane:\n${controlPlaneParity(upstream).map((l) => `  ${l}\n`).join('')}`);
  process.stdout.write(`linkerd-viz:\n${vizParity(upstream).map((l) => `  ${l}\n`).join('')}`);
  process.stdout.write(`linkerd-multicluster:\n${multiclusterParity(upstream).map((l) => `  ${l}\n`).join('')}`);
  process.stdout.write(`linkerd-multicluster-link:\n${linkParity(upstream).map((l) => `  ${l}\n`).join('')}`);
}

main();
