/**
 * npm run bench [-- --write]
 *
 * Times, on this machine: synthesis of the full mesh (CRDs, control plane, viz, jaeger),
 * of apps with 100 and 1000 meshed Deployments (annotation and manual injection), our
 * rendering of every chart, and `helm template` of every chart with Helm 3 and Helm 4.
 * Prints a table; `--write` also writes it to docs/performance.md with the machine described.
 * Figures are compared as ratios within one run (e.g. per-Deployment cost at 1000 vs 100).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiObject, App, Chart } from 'cdk8s';
import { CHARTS } from '../src/charts';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { renderObjects, resolveValues } from '../src/helm/chart';
import { injectProxy, meshWorkloads } from '../src/mesh/inject';
import { LinkerdMesh } from '../src/mesh/mesh';
import { helmBinary } from '../test/support/helm';
import { writeValues } from '../test/support/render';

const root = join(__dirname, '..');
const pem = (f: string) => readFileSync(join(root, 'test', 'fixtures', 'identity', f), 'utf8');
const certs = { identityTrustAnchorsPEM: pem('ca.crt'), identity: { issuer: { tls: { crtPEM: pem('issuer.crt'), keyPEM: pem('issuer.key') } } } };

/** Median wall time of `runs` runs, in milliseconds. */
function time(runs: number, fn: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

function appWithDeployments(n: number, mode: 'annotation' | 'manual'): void {
  const app = new App();
  const cp = mode === 'manual' ? new LinkerdControlPlane(app, 'linkerd-control-plane', { values: certs }) : undefined;
  const chart = new Chart(app, 'apps', { namespace: 'apps' });
  for (let i = 0; i < n; i++) {
    const d = new ApiObject(chart, `app-${i}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}` },
      spec: {
        selector: { matchLabels: { app: `app-${i}` } },
        template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] } },
      },
    });
    if (cp) injectProxy(d, { controlPlane: cp });
  }
  if (mode === 'annotation') meshWorkloads(chart, { opaquePorts: [5432] });
  app.synthYaml();
}

const rows: [string, string][] = [];
const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const row = (what: string, value: string) => {
  rows.push([what, value]);
  process.stderr.write(`${what}: ${value}\n`);
};

row(
  'full mesh (LinkerdMesh: CRDs, control plane, viz, jaeger), synthesis',
  fmt(
    time(3, () => {
      const app = new App();
      new LinkerdMesh(app, 'mesh', { controlPlane: certs, jaeger: {} });
      app.synthYaml();
    }),
  ),
);
for (const mode of ['annotation', 'manual'] as const) {
  const t100 = time(3, () => appWithDeployments(100, mode));
  const t1000 = time(1, () => appWithDeployments(1000, mode));
  row(`100 meshed Deployments (${mode}), synthesis`, fmt(t100));
  row(`1000 meshed Deployments (${mode}), synthesis`, fmt(t1000));
  row(`per-Deployment cost, 1000 vs 100 (${mode}; 1.0 = linear)`, `${(t1000 / 10 / t100).toFixed(2)}×`);
}
for (const [name, def] of Object.entries(CHARTS)) {
  const values = name === 'linkerd-control-plane' ? certs : {};
  row(`${name}: cdk8s-linkerd rendering`, fmt(time(3, () => renderObjects(def, resolveValues(def, values), { name, namespace: 'linkerd' }))));
  const file = writeValues(values);
  for (const major of [3, 4] as const) {
    row(`${name}: helm template (Helm ${major})`, fmt(time(3, () => execFileSync(helmBinary(major), ['template', name, join(root, 'charts', name), '-n', 'linkerd', '-f', file], { maxBuffer: 1 << 28 }))));
  }
}

const table = ['| what | time |', '| --- | --- |', ...rows.map(([w, v]) => `| ${w} | ${v} |`)].join('\n');
process.stdout.write(`${table}\n`);
if (process.argv.includes('--write')) {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  writeFileSync(
    join(root, 'docs', 'performance.md'),
    [
      '# Performance',
      '',
      `Measured with \`npm run bench -- --write\` on ${machine}. Median of three runs (one for the 1000-Deployment apps).`,
      'Compare figures within one run; absolute times depend on the machine.',
      '',
      table,
      '',
    ].join('\n'),
  );
}
