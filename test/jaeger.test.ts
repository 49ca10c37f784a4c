/**
 * linkerd-jaeger: the collector's and Jaeger's configurations hold together (every
 * component a pipeline names is defined, ports match the Services and containers), the
 * policy lets only meshed clients in, and the wiring into the control plane and viz.
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { linkerdControlPlaneChart } from '../src/control-plane/chart';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { linkerdJaegerChart } from '../src/jaeger/chart';
import { LinkerdJaeger } from '../src/jaeger/construct';
import { tracingValues } from '../src/jaeger/wiring';
import { LinkerdViz } from '../src/viz/construct';
import { schemaProblems } from './support/chart-suite';
import { injectProxy } from '../src/mesh/inject';
import { chartDir, helmTemplate, maskGenerated, ourObjects, type K8sDoc } from './support/render';
import { jaegerValues } from '../src/jaeger/values';
import { coalesce, defaultsOf, validateValues } from '../src/values/model';
import { IDENTITY_VALUES } from './fixtures/identity';

type Doc = K8sDoc & { spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Config {
  receivers: Record<string, unknown>;
  processors: Record<string, unknown>;
  exporters: Record<string, unknown>;
  extensions: Record<string, unknown>;
  service: { extensions: string[]; pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
}
const release = { name: 'linkerd-jaeger', namespace: 'tracing' };
const render = (values: Record<string, unknown> = {}) => ourObjects(linkerdJaegerChart, values, release) as Doc[];
const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
const configOf = (docs: Doc[], name: string, key: string) => load(find(docs, 'ConfigMap', name)?.data?.[key] ?? '') as Config;

/** Components of the collector builds we pin: what each kind may be (the type before any `/name`). */
const KNOWN = {
  collector: {
    receivers: ['otlp'],
    processors: ['batch', 'memory_limiter', 'k8sattributes'],
    exporters: ['otlp', 'otlphttp', 'debug'],
    extensions: ['health_check'],
  },
  jaeger: {
    receivers: ['otlp'],
    processors: ['batch'],
    exporters: ['jaeger_storage_exporter'],
    extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
  },
};

/** Problems of a collector-style configuration: undefined or unknown components, unused definitions. */
function configProblems(c: Config, known: Record<'receivers' | 'processors' | 'exporters' | 'extensions', string[]>): string[] {
  const problems: string[] = [];
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as const) {
    for (const id of Object.keys(c[kind] ?? {})) if (!known[kind].includes(id.split('/')[0])) problems.push(`${kind}: unknown component type ${id}`);
  }
  for (const [name, p] of Object.entries(c.service.pipelines)) {
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      if (p[kind].length === 0 && kind !== 'processors') problems.push(`pipeline ${name}: no ${kind}`);
      for (const id of p[kind]) if (!(id in (c[kind] ?? {}))) problems.push(`pipeline ${name}: ${kind} ${id} is not defined`);
    }
  }
  for (const id of c.service.extensions) if (!(id in c.extensions)) problems.push(`service: extension ${id} is not defined`);
  const used = new Set(Object.values(c.service.pipelines).flatMap((p) => [...p.receivers, ...p.processors, ...p.exporters]));
  for (const kind of ['receivers', 'processors', 'exporters'] as const) for (const id of Object.keys(c[kind])) if (!used.has(id)) problems.push(`${kind}: ${id} is defined but unused`);
  return problems;
}

/** host:port endpoints of receivers and extensions, by port. */
const ports = (c: Config) =>
  JSON.stringify([c.receivers, c.extensions])
    .match(/"endpoint":"0\.0\.0\.0:(\d+)"/g)
    ?.map((m) => Number(m.split(':').pop()?.replace('"', ''))) ?? [];

describe('linkerd-jaeger configurations', () => {
  for (const [name, values] of Object.entries({ defaults: {}, badger: { jaeger: { storage: { type: 'badger' } } } })) {
    it(`define every component their pipelines use, and only known ones (${name})`, () => {
      const docs = render(values);
      expect(configProblems(configOf(docs, 'collector-config', 'collector.yaml'), KNOWN.collector)).toEqual([]);
      expect(configProblems(configOf(docs, 'jaeger-config', 'jaeger.yaml'), KNOWN.jaeger)).toEqual([]);
    });
  }

  it('catches an undefined, an unknown and an unused component', () => {
    const broken: Config = {
      receivers: { otlp: {}, zipkin: {} },
      processors: {},
      exporters: { 'otlp/x': {} },
      extensions: {},
      service: { extensions: ['pprof'], pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp/x'] } } },
    };
    expect(configProblems(broken, KNOWN.collector)).toEqual([
      'receivers: unknown component type zipkin',
      'pipeline traces: processors batch is not defined',
      'service: extension pprof is not defined',
      'receivers: zipkin is defined but unused',
    ]);
  });

  it('listens where the Services and containers point, and exports to the Jaeger Service', () => {
    const docs = render();
    for (const [component, file] of [['collector', 'collector.yaml'], ['jaeger', 'jaeger.yaml']] as const) {
      const config = configOf(docs, `${component}-config`, file);
      const container = find(docs, 'Deployment', component)?.spec.template.spec.containers[0];
      const containerPorts = container.ports.map((p: { containerPort: number }) => p.containerPort);
      for (const port of ports(config)) expect(containerPorts, `${component} ${port}`).toContain(port);
      for (const sp of find(docs, 'Service', component)?.spec.ports ?? []) {
        const target = container.ports.find((p: { name: string }) => p.name === sp.targetPort);
        expect(target, `${component} Service port ${sp.name}`).toBeDefined();
        expect(ports(config)).toContain(target.containerPort);
      }
      const probePort = container.readinessProbe.httpGet.port;
      expect(ports(config)).toContain(probePort);
    }
    const exporter = configOf(docs, 'collector-config', 'collector.yaml').exporters['otlp/jaeger'] as { endpoint: string };
    const [host, port] = exporter.endpoint.split(':');
    expect(host).toBe('jaeger.tracing.svc.cluster.local');
    expect(find(docs, 'Service', 'jaeger')?.spec.ports.map((p: { port: number }) => p.port)).toContain(Number(port));
  });

  it('admits only meshed clients to the collector, the collector to Jaeger, the viz dashboard to its UI', () => {
    const docs = render();
    const policies = docs.filter((d) => d.kind === 'AuthorizationPolicy');
    const refs = (server: string) => policies.filter((p) => p.spec.targetRef.name === server).flatMap((p) => p.spec.requiredAuthenticationRefs);
    expect(refs('collector-otlp')).toEqual([{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'any-meshed-workload' }]);
    expect(find(docs, 'MeshTLSAuthentication', 'any-meshed-workload')?.spec).toEqual({ identities: ['*'] });
    expect(refs('jaeger-otlp')).toEqual([{ kind: 'ServiceAccount', name: 'collector', namespace: 'tracing' }]);
    expect(refs('jaeger-ui')).toEqual([{ kind: 'ServiceAccount', name: 'web', namespace: 'linkerd-viz' }]);
    for (const s of docs.filter((d) => d.kind === 'Server')) {
      const pod = docs.find((d) => d.kind === 'Deployment' && d.spec.selector.matchLabels.component === s.spec.podSelector.matchLabels.component);
      const names = pod?.spec.template.spec.containers[0].ports.flatMap((p: { name: string; containerPort: number }) => [p.name, p.containerPort]);
      expect(names, s.metadata.name).toContain(s.spec.port);
    }
    expect(schemaProblems(docs)).toEqual([]);
  });

  it('mounts a service-account token only where the pod talks to the API server (the collector)', () => {
    const docs = render();
    const mounts = (name: string) => JSON.stringify(find(docs, 'Deployment', name)?.spec.template.spec.volumes);
    expect(mounts('collector')).toContain('serviceAccountToken');
    expect(mounts('jaeger')).not.toContain('serviceAccountToken');
  });
});

/** The destination pod's proxy tracing env. */
const env = (docs: Doc[]) =>
    Object.fromEntries(
      // The proxy is a native sidecar (an init container) by default.
      ([...(find(docs, 'Deployment', 'linkerd-destination')?.spec.template.spec.initContainers ?? []), ...(find(docs, 'Deployment', 'linkerd-destination')?.spec.template.spec.containers ?? [])].find((c: { name: string }) => c.name === 'linkerd-proxy')?.env ?? [])
        .filter((e: { name: string }) => e.name.includes('TRACE'))
        .map((e: { name: string; value: string }) => [e.name, e.value]),
    );

describe('tracing wiring', () => {
  it('values-tracing.yaml points the proxies at the collector, with its mesh identity', () => {
    const docs = ourObjects(linkerdControlPlaneChart, { ...IDENTITY_VALUES, ...tracingValues({ namespace: 'linkerd-jaeger' }) }, { name: 'cp', namespace: 'linkerd' }) as Doc[];
    const e = env(docs);
    expect(e.LINKERD2_PROXY_TRACE_COLLECTOR_SVC_ADDR).toBe('collector.linkerd-jaeger.svc.cluster.local:4317');
    expect(e.LINKERD2_PROXY_TRACE_COLLECTOR_SVC_NAME).toBe('collector.linkerd-jaeger.serviceaccount.identity.linkerd.cluster.local');
    const destination = find(docs, 'Deployment', 'linkerd-destination')?.spec.template.spec.containers.find((c: { name: string }) => c.name === 'destination');
    expect(destination.args.join(' ')).toContain('collector.linkerd-jaeger.svc.cluster.local:4317');
  });

  it('LinkerdJaeger turns on the control plane\u2019s tracing and links viz to Jaeger', () => {
    const app = new App();
    const controlPlane = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES, namespace: 'mesh' });
    const viz = new LinkerdViz(app, 'linkerd-viz', { namespace: 'observability' });
    const before = env(Testing.synth(controlPlane) as Doc[]);
    expect(before.LINKERD2_PROXY_TRACE_COLLECTOR_SVC_ADDR).toBeUndefined();
    const jaeger = new LinkerdJaeger(app, 'linkerd-jaeger', { namespace: 'tracing', controlPlane, viz });
    const cp = Testing.synth(controlPlane) as Doc[];
    expect(env(cp).LINKERD2_PROXY_TRACE_COLLECTOR_SVC_ADDR).toBe('collector.tracing.svc.cluster.local:4317');
    expect(env(cp).LINKERD2_PROXY_TRACE_COLLECTOR_SVC_NAME).toBe('collector.tracing.serviceaccount.identity.mesh.cluster.local');
    expect(cp).toHaveLength(41); // with its Namespace object
    expect(cp[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'mesh' } });
    const web = (Testing.synth(viz) as Doc[]).find((d) => d.kind === 'Deployment' && d.metadata.name === 'web');
    expect(web?.spec.template.spec.containers[0].args).toContain('-jaeger-addr=jaeger.tracing:16686');
    const objects = Testing.synth(jaeger) as Doc[];
    expect(find(objects, 'AuthorizationPolicy', 'jaeger-ui')?.spec.requiredAuthenticationRefs).toEqual([{ kind: 'ServiceAccount', name: 'web', namespace: 'observability' }]);
    expect(schemaProblems(objects)).toEqual([]);
  });
});

describe('LinkerdJaeger and what users add to the control plane', () => {
  const build = (order: 'user first' | 'jaeger first', inject: 'before' | 'after' = 'before') => {
    const app = new App();
    const controlPlane = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES });
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const worker = ApiObject.of(new kplus.Deployment(shop, 'worker', { containers: [{ image: 'worker:1', portNumber: 8080 }] }));
    const addUser = () => {
      new ApiObject(controlPlane, 'team-quota', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'team-quota', namespace: 'linkerd' }, spec: { hard: { pods: '50' } } });
      new kplus.ConfigMap(controlPlane, 'team-notes', { metadata: { name: 'team-notes' }, data: { owner: 'platform' } });
    };
    if (order === 'user first') addUser();
    if (inject === 'before') injectProxy(worker, { controlPlane });
    new LinkerdJaeger(app, 'linkerd-jaeger', { controlPlane });
    if (inject === 'after') injectProxy(worker, { controlPlane });
    if (order === 'jaeger first') addUser();
    const sorted = (docs: Doc[]) => maskGenerated(docs).sort((a, b) => `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`));
    return { cp: sorted(Testing.synth(controlPlane) as Doc[]), shop: Testing.synth(shop) as Doc[] };
  };
  const traceEnv = (d: Doc | undefined) => {
    const t = d?.spec.template;
    const proxy = [...(t.spec.initContainers ?? []), ...t.spec.containers].find((c: { name: string }) => c.name === 'linkerd-proxy');
    return proxy.env.filter((e: { name: string }) => e.name.includes('TRACE'));
  };

  it('keeps a ResourceQuota and a cdk8s-plus ConfigMap added to the control plane, whichever comes first', () => {
    const a = build('user first');
    const b = build('jaeger first');
    for (const docs of [a.cp, b.cp]) {
      expect(docs.find((d) => d.kind === 'ResourceQuota')?.metadata.name).toBe('team-quota');
      expect(docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name.startsWith('team-notes'))?.data).toEqual({ owner: 'platform' });
      expect(env(docs).LINKERD2_PROXY_TRACE_COLLECTOR_SVC_ADDR).toBe('collector.linkerd-jaeger.svc.cluster.local:4317');
    }
    expect(a.cp).toHaveLength(43); // with the Namespace object
    expect(b.cp).toEqual(a.cp);
  });

  it('gives injectProxy the traced proxy whether it is called before or after LinkerdJaeger', () => {
    const before = build('user first', 'before').shop.find((d) => d.kind === 'Deployment');
    const after = build('user first', 'after').shop.find((d) => d.kind === 'Deployment');
    expect(traceEnv(before).map((e: { name: string }) => e.name)).toContain('LINKERD2_PROXY_TRACE_COLLECTOR_SVC_ADDR');
    expect(before).toEqual(after);
  });

  it('refuses values that would change which objects the chart renders, and values added after an injection was rendered', () => {
    const app = new App();
    const controlPlane = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: IDENTITY_VALUES });
    expect(() => controlPlane.addValues({ podMonitor: { enabled: true } })).toThrow(/addValues would change which objects the chart renders \(adds PodMonitor\//);
    const shop = new Chart(app, 'shop');
    injectProxy(ApiObject.of(new kplus.Deployment(shop, 'worker', { containers: [{ image: 'worker:1' }] })), { controlPlane });
    Testing.synth(shop);
    expect(() => new LinkerdJaeger(app, 'linkerd-jaeger', { controlPlane })).toThrow(/after injectProxy\(shop\/worker.*before synthesizing/);
  });
});

/**
 * Overrides the collector's own `validate` rejects (test/cluster/tracing-configs.test.ts shows the
 * binary's verdict): refused by the chart's schema and by our validation, naming the key, before
 * anything is rendered.
 */
describe('overrides the collector would refuse at start', () => {
  const problems = (values: Record<string, unknown>) => validateValues(jaegerValues, coalesce(defaultsOf(jaegerValues), values)).map((p) => p.key);
  const cases = [
    // memory_limiter: 'spike_limit_percentage' must be smaller than 'limit_percentage' (the spike share is 20).
    { key: 'collector.memoryLimitPercentage', set: 'collector.memoryLimitPercentage=20', values: { collector: { memoryLimitPercentage: 20 } } },
    // batch: timeout must be greater or equal to 0.
    { key: 'collector.batch.timeout', set: 'collector.batch.timeout=-5s', values: { collector: { batch: { timeout: '-5s' } } } },
  ];
  for (const c of cases) {
    it(`${c.set} is refused by helm template and by our validation, naming ${c.key}`, async () => {
      expect(problems(c.values)).toEqual([c.key]);
      const helm = await helmTemplate(4, chartDir(linkerdJaegerChart), ['--set', c.set], release);
      expect(helm.ok).toBe(false);
      expect(helm.stderr).toContain(c.key.split('.').pop());
    });
  }
  it('accepts the smallest limit above the spike share and a zero timeout', () => {
    expect(problems({ collector: { memoryLimitPercentage: 21, batch: { timeout: '0s' } } })).toEqual([]);
  });
});
