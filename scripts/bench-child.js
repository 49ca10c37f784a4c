/**
 * One measurement of `npm run bench`, in a fresh process, on the built package (lib/).
 *   node scripts/bench-child.js cold                          first and second synth of a control plane and viz
 *   node scripts/bench-child.js app N unmeshed|annotation|manual   an app of N cdk8s-plus Deployments
 *   node scripts/bench-child.js import                        require of cdk8s, then of the package
 *   node scripts/bench-child.js synth bare|mesh               an app of one chart and a ConfigMap, and with a control plane and viz (twice)
 * Prints one JSON line: times in ms (from process start where named so), output bytes, peak RSS.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');

const root = join(__dirname, '..');
const pem = (f) => readFileSync(join(root, 'test', 'fixtures', 'identity', f), 'utf8');
const certs = { identityTrustAnchorsPEM: pem('ca.crt'), identity: { issuer: { tls: { crtPEM: pem('issuer.crt'), keyPEM: pem('issuer.key') } } } };
const [mode, arg1, arg2] = process.argv.slice(2);
const out = (o) => process.stdout.write(`${JSON.stringify({ ...o, peakMiB: process.resourceUsage().maxRSS / 1024 })}\n`);

if (mode === 'cold') {
  const t0 = performance.now();
  const lib = require(join(root, 'lib', 'index.js'));
  const { App } = require('cdk8s');
  const loaded = performance.now();
  const synth = () => {
    const app = new App();
    new lib.LinkerdControlPlane(app, 'linkerd-control-plane', { values: certs });
    new lib.LinkerdViz(app, 'linkerd-viz', {});
    return app.synthYaml().length;
  };
  const t1 = performance.now();
  const bytes = synth();
  const first = performance.now() - t1;
  const t2 = performance.now();
  synth();
  const second = performance.now() - t2;
  // performance.now() counts from the process's start: `sinceStart` includes Node's own start-up.
  out({ sinceStart: performance.now() - second, nodeStart: t0, load: loaded - t0, first, second, bytes });
} else if (mode === 'app') {
  const n = Number(arg1);
  const lib = require(join(root, 'lib', 'index.js'));
  const { ApiObject, App, Chart } = require('cdk8s');
  const kplus = require('cdk8s-plus-27');
  const t = performance.now();
  const app = new App();
  const cp = arg2 === 'manual' ? new lib.LinkerdControlPlane(app, 'linkerd-control-plane', { values: certs }) : undefined;
  const chart = new Chart(app, 'apps', { namespace: 'apps' });
  for (let i = 0; i < n; i++) {
    const d = new kplus.Deployment(chart, `app-${i}`, { containers: [{ image: 'app:1', portNumber: 8080 }] });
    if (cp) lib.injectProxy(ApiObject.of(d), { controlPlane: cp });
  }
  if (arg2 === 'annotation') lib.meshWorkloads(chart, { opaquePorts: [5432] });
  // Time and bytes of the whole app (for manual injection, the control plane it reads included).
  const bytes = app.synthYaml().length;
  out({ ms: performance.now() - t, bytes });
} else if (mode === 'import') {
  const t0 = performance.now();
  require('cdk8s');
  const t1 = performance.now();
  require(join(root, 'lib', 'index.js'));
  out({ cdk8s: t1 - t0, lib: performance.now() - t1 });
} else if (mode === 'synth') {
  // The user's app has loaded cdk8s and the package; the time is its build and synth.
  const { ApiObject, App, Chart } = require('cdk8s');
  const lib = require(join(root, 'lib', 'index.js'));
  // Built and synthesized twice: the first is what the app pays; the second (warm: every module loaded
  // and compiled) shows what is left without loading, and how much of it is cdk8s's own YAML writer.
  const round = () => {
    const t = performance.now();
    const app = new App();
    const chart = new Chart(app, 'app', { namespace: 'app' });
    new ApiObject(chart, 'config', { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } });
    if (arg1 === 'mesh') {
      new lib.LinkerdControlPlane(app, 'linkerd-control-plane', { values: certs });
      new lib.LinkerdViz(app, 'linkerd-viz', {});
    }
    const built = performance.now();
    const bytes = app.synthYaml().length;
    return { synth: performance.now() - t, yaml: performance.now() - built, bytes };
  };
  const first = round();
  const warm = round();
  out({ ...first, warm: warm.synth, warmYaml: warm.yaml });
} else {
  throw new Error(`unknown mode ${mode}`);
}
