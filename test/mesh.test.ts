/** The TypeScript API for cdk8s apps: LinkerdMesh, proxy annotations, meshing by annotation or manually, policy helpers, and the examples. */
import { ApiObject, App, Chart, Cron, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { Shop } from '../examples/app-team/main';
import { production } from '../examples/production/main';
import { quickStart } from '../examples/quick-start/main';
import { controlPlaneProxySettings, proxySettingsFromValues } from '../src/control-plane/proxy-settings';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { INJECTOR_ANNOTATIONS, ProxyConfigError, proxyAnnotations } from '../src/mesh/annotations';
import { injectProxy, meshWorkloads } from '../src/mesh/inject';
import { LinkerdMesh } from '../src/mesh/mesh';
import { schemaProblems } from './support/chart-suite';
import type { K8sDoc } from './support/render';
import { IDENTITY_VALUES, identityPem } from './fixtures/identity';

type Doc = K8sDoc & { spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const identity = { trustAnchorsPEM: identityPem('ca.crt'), issuerCrtPEM: identityPem('issuer.crt'), issuerKeyPEM: identityPem('issuer.key') };
const all = (app: App) => app.charts.flatMap((c) => Testing.synth(c) as Doc[]);
const podTemplate = (d: Doc | undefined) => d?.spec.template;

describe('proxyAnnotations', () => {
  it('turns a typed configuration into the annotations the proxy injector reads', () => {
    const a = proxyAnnotations({
      opaquePorts: [5432, '6000-6010'],
      resources: { cpu: { request: '100m', limit: '1' }, memory: { limit: '250Mi' } },
      defaultInboundPolicy: 'cluster-authenticated',
      await: false,
      waitBeforeExitSeconds: 10,
      logLevel: 'warn,linkerd=info',
      skipSubnets: ['10.0.0.0/8'],
    });
    expect(a).toEqual({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/opaque-ports': '5432,6000-6010',
      'config.linkerd.io/proxy-cpu-request': '100m',
      'config.linkerd.io/proxy-cpu-limit': '1',
      'config.linkerd.io/proxy-memory-limit': '250Mi',
      'config.linkerd.io/default-inbound-policy': 'cluster-authenticated',
      'config.linkerd.io/proxy-await': 'disabled',
      'config.alpha.linkerd.io/proxy-wait-before-exit-seconds': '10',
      'config.linkerd.io/proxy-log-level': 'warn,linkerd=info',
      'config.linkerd.io/skip-subnets': '10.0.0.0/8',
    });
    for (const key of Object.keys(a)) expect(INJECTOR_ANNOTATIONS).toContain(key);
  });

  it('uses only annotations the proxy injector knows, for every setting', () => {
    const every = proxyAnnotations({
      inject: 'ingress', image: 'r/proxy', version: 'v1', imagePullPolicy: 'Always', resources: { ephemeralStorage: { request: '1Gi', limit: '2Gi' }, cpuRatioLimit: 0.5 },
      logFormat: 'json', logHttpHeaders: 'insecure', skipInboundPorts: [22], skipOutboundPorts: [3306], requireIdentityOnInboundPorts: [8080], nativeSidecar: true,
      shutdownGracePeriod: '30s', accessLog: 'json', outboundConnectTimeout: '1s', inboundConnectTimeout: '100ms', outboundDiscoveryCacheUnusedTimeout: '5s',
      inboundDiscoveryCacheUnusedTimeout: '90s', disableOutboundProtocolDetectTimeout: true, disableInboundProtocolDetectTimeout: true, enableExternalProfiles: true,
      adminShutdown: true, enableDebugSidecar: true, metricsHostnameLabels: true, proxyUid: 2102, proxyGid: 2102,
    });
    expect(Object.keys(every).length).toBeGreaterThanOrEqual(25);
    for (const key of Object.keys(every)) expect(INJECTOR_ANNOTATIONS).toContain(key);
  });

  it.each([
    ['a port out of range', { opaquePorts: [70000] }, 'opaquePorts'],
    ['a reversed port range', { skipInboundPorts: ['9000-8000'] }, 'skipInboundPorts'],
    ['a bad quantity', { resources: { memory: { limit: 'lots' } } }, 'resources.memory.limit'],
    ['a bad duration', { shutdownGracePeriod: 'soon' }, 'shutdownGracePeriod'],
    ['a bad policy', { defaultInboundPolicy: 'everyone' }, 'defaultInboundPolicy'],
    ['a bad CIDR', { skipSubnets: ['10.0.0.0'] }, 'skipSubnets'],
    ['an unknown setting', { opaquePort: [80] }, 'opaquePort'],
    ['a CPU ratio above 1', { resources: { cpuRatioLimit: 2 } }, 'resources.cpuRatioLimit'],
    ['a day unit Go refuses', { shutdownGracePeriod: '1d' }, 'shutdownGracePeriod'],
    ['a duration with text in front', { outboundConnectTimeout: 'hello 5s' }, 'outboundConnectTimeout'],
    ['a negative duration', { inboundConnectTimeout: '-1s' }, 'inboundConnectTimeout'],
    ['a negative CPU request as a number', { resources: { cpu: { request: -1 } } }, 'resources.cpu.request'],
  ])('refuses %s, naming the field', (_name, config, field) => {
    expect(() => proxyAnnotations(config as never)).toThrow(ProxyConfigError);
    expect(() => proxyAnnotations(config as never)).toThrow(new RegExp(`\\b${field.replace(/\./g, '\\.')}:`));
  });
});

describe('manual injection and the workload\u2019s proxy annotations', () => {
  const proxyEnv = (d: Doc | undefined) => {
    const t = podTemplate(d);
    const proxy = [...(t.spec.initContainers ?? []), ...t.spec.containers].find((c: { name: string }) => c.name === 'linkerd-proxy');
    return Object.fromEntries(proxy.env.map((e: { name: string; value?: string }) => [e.name, e.value]));
  };
  const setup = () => {
    const app = Testing.app(); // synthesizes into a temporary folder
    const cp = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES });
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const worker = new kplus.Deployment(chart, 'worker', { containers: [{ image: 'worker:1', portNumber: 9090 }] });
    return { app, cp, chart, worker: ApiObject.of(worker) };
  };
  const find = (chart: Chart, name: string) => (Testing.synth(chart) as Doc[]).find((d) => d.kind === 'Deployment' && d.metadata.name.startsWith(name));

  it('meshWorkloads then injectProxy: the injected proxy follows the annotations, as the proxy injector would', () => {
    const { cp, chart, worker } = setup();
    meshWorkloads(chart, { defaultInboundPolicy: 'all-authenticated', opaquePorts: [5432], shutdownGracePeriod: '1m30s', resources: { cpu: { request: 0.1 } } });
    injectProxy(worker, { controlPlane: cp });
    const d = find(chart, 'shop-worker');
    const env = proxyEnv(d);
    expect(podTemplate(d).metadata.annotations).toMatchObject({ 'config.linkerd.io/default-inbound-policy': 'all-authenticated', 'config.linkerd.io/opaque-ports': '5432' });
    expect(env.LINKERD2_PROXY_INBOUND_DEFAULT_POLICY).toBe('all-authenticated');
    expect(env.LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION).toBe('5432');
    expect(env.LINKERD2_PROXY_SHUTDOWN_GRACE_PERIOD).toBe('90000ms'); // the injector's conversion of a Go duration
    const t = podTemplate(d);
    const proxy = [...t.spec.initContainers, ...t.spec.containers].find((c: { name: string }) => c.name === 'linkerd-proxy');
    expect(proxy.resources.requests.cpu).toBe('0.1');
  });

  it('injectProxy with config: the pod template gets the matching annotations', () => {
    const { cp, chart, worker } = setup();
    injectProxy(worker, { controlPlane: cp, config: { opaquePorts: [5432], defaultInboundPolicy: 'deny' } });
    const d = find(chart, 'shop-worker');
    expect(podTemplate(d).metadata.annotations).toMatchObject({ 'config.linkerd.io/opaque-ports': '5432', 'config.linkerd.io/default-inbound-policy': 'deny' });
    expect(proxyEnv(d).LINKERD2_PROXY_INBOUND_DEFAULT_POLICY).toBe('deny');
  });

  it('refuses a setting the annotations and injectProxy give differently, naming it', () => {
    const { cp, chart, worker } = setup();
    meshWorkloads(chart, { defaultInboundPolicy: 'all-authenticated', opaquePorts: [5432] });
    expect(() => injectProxy(worker, { controlPlane: cp, config: { defaultInboundPolicy: 'deny' } })).toThrow(ProxyConfigError);
    expect(() => injectProxy(worker, { controlPlane: cp, config: { defaultInboundPolicy: 'deny' } })).toThrow(/defaultInboundPolicy: .*"all-authenticated".*"deny"/);
    // The same value both ways is fine.
    expect(() => injectProxy(worker, { controlPlane: cp, config: { opaquePorts: [5432] } })).not.toThrow();
  });

  it('injectProxy then meshWorkloads with other settings: synthesis fails, naming the annotation', () => {
    const { app, cp, chart, worker } = setup();
    injectProxy(worker, { controlPlane: cp });
    expect(() => meshWorkloads(chart, { defaultInboundPolicy: 'all-authenticated' })).toThrow(/config\.linkerd\.io\/default-inbound-policy: .*injectProxy/);
    const later = setup();
    meshWorkloads(later.chart, { opaquePorts: [5432] });
    const late = new kplus.Deployment(later.chart, 'late', { containers: [{ image: 'late:1' }] });
    injectProxy(ApiObject.of(late), { controlPlane: later.cp }); // added after meshWorkloads: injection still sees its annotations
    expect(() => later.app.synth()).not.toThrow();
    const lateDoc = find(later.chart, 'shop-late');
    expect(podTemplate(lateDoc).metadata.annotations['config.linkerd.io/opaque-ports']).toBe('5432');
    expect(proxyEnv(lateDoc).LINKERD2_PROXY_INBOUND_PORTS_DISABLE_PROTOCOL_DETECTION).toBe('5432');
    void app;
  });

  it('refuses annotations manual injection cannot honour, and inject: disabled', () => {
    const { cp, chart, worker } = setup();
    worker.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations', { 'config.linkerd.io/admin-port': '5000', 'linkerd.io/inject': 'disabled' }));
    expect(() => injectProxy(worker, { controlPlane: cp })).toThrow(/config\.linkerd\.io\/admin-port: .*cannot honour/);
    expect(() => injectProxy(worker, { controlPlane: cp })).toThrow(/linkerd\.io\/inject: .*disabled/);
    void chart;
  });
});

describe('meshing workloads', () => {
  it('annotates the pod templates of cdk8s-plus workloads, keeping their own annotations', () => {
    const app = new App();
    const chart = new Chart(app, 'app', { namespace: 'shop' });
    const d = new kplus.Deployment(chart, 'web', { containers: [{ image: 'web:1', portNumber: 8080 }], podMetadata: { annotations: { team: 'shop' } } });
    new kplus.StatefulSet(chart, 'db', { containers: [{ image: 'db:1' }], service: new kplus.Service(chart, 'db-svc', { ports: [{ port: 5432 }] }) });
    new kplus.CronJob(chart, 'report', { containers: [{ image: 'report:1' }], schedule: Cron.daily() });
    meshWorkloads(chart, { opaquePorts: [5432] });
    new kplus.DaemonSet(chart, 'agent', { containers: [{ image: 'agent:1' }] }); // added later: meshed at synthesis
    app.synthYaml();
    const docs = Testing.synth(chart) as Doc[];
    const annotations = (kind: string) => {
      const o = docs.find((x) => x.kind === kind);
      return (kind === 'CronJob' ? o?.spec.jobTemplate.spec.template : o?.spec.template).metadata.annotations;
    };
    for (const kind of ['Deployment', 'StatefulSet', 'CronJob', 'DaemonSet']) expect(annotations(kind), kind).toMatchObject({ 'linkerd.io/inject': 'enabled', 'config.linkerd.io/opaque-ports': '5432' });
    expect(annotations('Deployment').team).toBe('shop');
    expect(ApiObject.of(d).kind).toBe('Deployment');
  });

  it('renders, by manual injection, the very proxy containers the control plane\u2019s own pods carry for the same settings', () => {
    const app = new App();
    const cp = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES });
    const injector = (Testing.synth(cp) as Doc[]).find((d) => d.kind === 'Deployment' && d.metadata.name === 'linkerd-proxy-injector');
    const settings = controlPlaneProxySettings(cp.values, proxySettingsFromValues(cp.values), {
      component: 'linkerd-proxy-injector',
      overrides: 'proxyInjectorProxyResources',
      podInboundPorts: '8443,9995',
    });
    const chart = new Chart(app, 'reference', { namespace: 'linkerd' });
    const reference = new ApiObject(chart, 'linkerd-proxy-injector', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'linkerd-proxy-injector' },
      spec: { selector: { matchLabels: { app: 'ref' } }, template: { metadata: { labels: { app: 'ref' } }, spec: { containers: [{ name: 'app', image: 'app:1' }] } } },
    });
    injectProxy(reference, { settings });
    const ref = podTemplate((Testing.synth(chart) as Doc[])[0]);
    const theirs = podTemplate(injector);
    const proxyOf = (t: any) => [...(t.spec.initContainers ?? []), ...t.spec.containers].find((c: { name: string }) => c.name === 'linkerd-proxy'); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(ref.spec.initContainers).toEqual(theirs.spec.initContainers);
    expect(proxyOf(ref)).toEqual(proxyOf(theirs));
    const names = (vs: { name: string }[]) => vs.map((v) => v.name);
    expect(names(ref.spec.volumes)).toEqual(names(theirs.spec.volumes).filter((n: string) => names(ref.spec.volumes).includes(n)));
    expect(ref.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app']); // native sidecar: the proxy runs as an init container
  });

  it('manual injection gives a workload the control plane\u2019s proxy with its own settings and labels', () => {
    const app = new App();
    const cp = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES });
    const shop = new Shop(app, 'shop', cp);
    const worker = (Testing.synth(shop) as Doc[]).find((d) => d.kind === 'Deployment' && d.metadata.name === 'worker');
    const t = podTemplate(worker);
    const proxy = t.spec.initContainers.find((c: { name: string }) => c.name === 'linkerd-proxy');
    const env = Object.fromEntries(proxy.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env.LINKERD2_PROXY_LOG).toMatch(/^warn,linkerd=info,/);
    expect(env.LINKERD2_PROXY_INBOUND_PORTS).toBe('9090');
    expect(t.spec.initContainers.map((c: { name: string }) => c.name)).toEqual(['linkerd-init', 'linkerd-proxy']);
    expect(t.metadata.labels).toMatchObject({ 'linkerd.io/control-plane-ns': 'linkerd', 'linkerd.io/workload-ns': 'shop', 'linkerd.io/proxy-deployment': 'worker' });
    expect(schemaProblems([worker as Doc])).toEqual([]);
  });
});

describe('LinkerdMesh', () => {
  it('wires the charts together: one cluster domain, the control plane\u2019s namespace, tracing and the Jaeger link', () => {
    const app = new App();
    const mesh = new LinkerdMesh(app, 'mesh', { controlPlane: IDENTITY_VALUES, jaeger: {}, clusterDomain: 'example.internal', namespaces: { controlPlane: 'mesh-system' } });
    const docs = all(app);
    const destination = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'linkerd-destination');
    const proxy = destination?.spec.template.spec.initContainers.find((c: { name: string }) => c.name === 'linkerd-proxy');
    expect(proxy.env.find((e: { name: string }) => e.name === 'LINKERD2_PROXY_TRACE_COLLECTOR_SVC_ADDR').value).toBe('collector.linkerd-jaeger.svc.example.internal:4317');
    const web = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'web');
    expect(web?.spec.template.spec.containers[0].args).toEqual(expect.arrayContaining(['-controller-namespace=mesh-system', '-cluster-domain=example.internal', '-jaeger-addr=jaeger.linkerd-jaeger:16686']));
    expect(mesh.viz && mesh.jaeger).toBeTruthy();
    expect(schemaProblems(docs)).toEqual([]);
  });

  type Ns = { metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> } };
  const namespaces = (app: App) => new Map(app.charts.flatMap((c) => (Testing.synth(c) as Doc[]).filter((d) => d.kind === 'Namespace') as unknown as Ns[]).map((n) => [n.metadata.name, n.metadata]));
  const enforce = 'pod-security.kubernetes.io/enforce';

  it('renders every namespace its charts use, first in each chart, with the labels the pods and Linkerd need', () => {
    const app = new App();
    new LinkerdMesh(app, 'mesh', { controlPlane: IDENTITY_VALUES, jaeger: {}, multicluster: {}, namespaces: { controlPlane: 'mesh-system' } });
    const ns = namespaces(app);
    expect([...ns.keys()].sort()).toEqual(['linkerd-jaeger', 'linkerd-multicluster', 'linkerd-viz', 'mesh-system']);
    expect(ns.get('mesh-system')).toEqual({
      name: 'mesh-system',
      labels: { 'linkerd.io/is-control-plane': 'true', 'config.linkerd.io/admission-webhooks': 'disabled', 'linkerd.io/control-plane-ns': 'mesh-system', [enforce]: 'privileged' },
      annotations: { 'linkerd.io/inject': 'disabled' },
    });
    for (const [name, ext] of [['linkerd-viz', 'viz'], ['linkerd-jaeger', 'jaeger'], ['linkerd-multicluster', 'multicluster']]) expect(ns.get(name)?.labels, name).toEqual({ 'linkerd.io/extension': ext, [enforce]: 'privileged' });
    // Every namespaced object of a chart is in a namespace the app creates (or kube-system), and the chart's Namespace comes first (kubectl apply -f creates in order).
    for (const chart of app.charts) {
      const docs = Testing.synth(chart) as Doc[];
      const used = new Set(docs.flatMap((d) => (d.metadata.namespace ? [d.metadata.namespace] : [])));
      for (const n of used) if (n !== 'kube-system') expect(ns.has(n), `${chart.node.id}: namespace ${n}`).toBe(true);
      if (docs.some((d) => d.kind === 'Namespace')) expect(docs[0].kind, chart.node.id).toBe('Namespace');
    }
    expect(schemaProblems(all(app))).toEqual([]);
  });

  it('with the CNI plugin: its namespace privileged and never injected, every other one "restricted"; none with namespaceObjects: false', () => {
    const app = new App();
    new LinkerdMesh(app, 'mesh', { controlPlane: IDENTITY_VALUES, cni: {}, jaeger: {}, multicluster: {} });
    const ns = namespaces(app);
    expect(ns.get('linkerd-cni')?.labels).toEqual({ 'linkerd.io/cni-resource': 'true', 'config.linkerd.io/admission-webhooks': 'disabled', [enforce]: 'privileged' });
    for (const name of ['linkerd', 'linkerd-viz', 'linkerd-jaeger', 'linkerd-multicluster']) expect(ns.get(name)?.labels[enforce], name).toBe('restricted');
    const without = new App();
    new LinkerdMesh(without, 'mesh', { controlPlane: IDENTITY_VALUES, cni: {}, namespaceObjects: false });
    expect(namespaces(without).size).toBe(0);
  });
});

describe('examples', () => {
  it.each([
    ['quick-start', (app: App) => quickStart(app, identity)],
    ['production', (app: App) => production(app, identity.trustAnchorsPEM)],
    ['app-team', (app: App) => new Shop(app, 'shop', new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES }))],
  ])('%s synthesizes objects valid against Kubernetes 1.31, our CRDs and the third-party CRDs', (_name, build) => {
    const app = new App();
    build(app);
    app.synthYaml();
    const docs = all(app);
    expect(docs.length).toBeGreaterThan(10);
    expect(schemaProblems(docs)).toEqual([]);
  });

  it('production holds no private key', () => {
    const app = new App();
    production(app, identity.trustAnchorsPEM);
    expect(app.synthYaml()).not.toMatch(/PRIVATE KEY|kind: Secret/);
  });
});
