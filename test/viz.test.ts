/** The viz extension as a whole: the wiring between its parts, and the construct. */
import { App, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { ValuesError } from '../src/helm/chart';
import { linkerdVizChart } from '../src/viz/chart';
import { LinkerdViz } from '../src/viz/construct';
import { vizGitopsValues, vizHaValues } from '../src/viz/presets';
import { expectReproducibleWithoutKeys, schemaProblems } from './support/chart-suite';
import { expectHelmEquivalent, ourObjects, type K8sDoc } from './support/render';

type Doc = K8sDoc & { spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const release = { name: 'linkerd-viz', namespace: 'viz' };
const render = (values: Record<string, unknown> = {}) => ourObjects(linkerdVizChart, values, release) as Doc[];
const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata?.name === name);
const container = (d: Doc | undefined) => d?.spec.template.spec.containers.find((c: { name: string }) => c.name === d.metadata?.name);

describe('linkerd-viz wiring', () => {
  it('points the dashboard at the bundled Grafana and Grafana at the viz Prometheus', () => {
    const docs = render();
    const web = container(find(docs, 'Deployment', 'web'));
    expect(web.args).toContain('-grafana-addr=grafana.viz.svc.cluster.local:3000');
    const grafanaService = find(docs, 'Service', 'grafana');
    expect(grafanaService?.spec.ports[0].port).toBe(3000);
    const grafana = container(find(docs, 'Deployment', 'grafana'));
    expect(grafana.ports.map((p: { name: string }) => p.name)).toContain(find(docs, 'Server', 'grafana')?.spec.port);
    const datasources = find(docs, 'ConfigMap', 'grafana-config')?.data?.['datasources.yaml'] ?? '';
    expect(datasources).toContain('url: http://prometheus.viz.svc.cluster.local:9090');
    const metricsApi = container(find(docs, 'Deployment', 'metrics-api'));
    expect(metricsApi.args).toContain('-prometheus-url=http://prometheus.viz.svc.cluster.local:9090');
    expect(find(docs, 'Service', 'prometheus')?.spec.ports[0].port).toBe(9090);
  });

  it('lets only the web dashboard reach Grafana, and only the metrics API and Grafana reach Prometheus', () => {
    const docs = render();
    const policies = docs.filter((d) => d.kind === 'AuthorizationPolicy');
    const byServer = (server: string) => policies.filter((p) => p.spec.targetRef.name === server).map((p) => p.spec.requiredAuthenticationRefs);
    expect(byServer('grafana')).toEqual([[{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'grafana-web' }]]);
    expect(find(docs, 'MeshTLSAuthentication', 'grafana-web')?.spec.identityRefs).toEqual([{ kind: 'ServiceAccount', name: 'web' }]);
    expect(byServer('prometheus-admin')).toEqual([[{ kind: 'ServiceAccount', name: 'metrics-api', namespace: 'viz' }], [{ kind: 'ServiceAccount', name: 'grafana', namespace: 'viz' }]]);
  });

  it('uses an external Grafana and Prometheus when told to', () => {
    const docs = render({ grafana: { enabled: false, externalUrl: 'https://grafana.example.com' }, prometheus: { enabled: false }, prometheusUrl: 'http://prom:9090' });
    expect(docs.filter((d) => d.metadata?.name?.startsWith('grafana'))).toEqual([]);
    expect(docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata?.name).sort()).toEqual(['metrics-api', 'tap', 'tap-injector', 'web']);
    const web = container(find(docs, 'Deployment', 'web'));
    expect(web.args).toContain('-grafana-external-addr=https://grafana.example.com');
    expect(web.args.some((a: string) => a.startsWith('-grafana-addr'))).toBe(false);
    expect(container(find(docs, 'Deployment', 'metrics-api')).args).toContain('-prometheus-url=http://prom:9090');
  });

  it('gives Grafana the scrape interval of the Prometheus it queries, so $__rate_interval spans enough samples (Helm and CLI alike)', async () => {
    // The ConfigMap's embedded datasources.yaml, decoded by the comparison.
    const timeInterval = (docs: Doc[]) => {
      const data = find(docs, 'ConfigMap', 'grafana-config')?.data as unknown as Record<string, { datasources: { jsonData: { timeInterval: string } }[] }>;
      return data['datasources.yaml'].datasources[0].jsonData.timeInterval;
    };
    const restartsOn = (docs: Doc[]) => find(docs, 'Deployment', 'grafana')?.spec.template.metadata.annotations['checksum/config'] as string | undefined;
    const cases: [string, Record<string, unknown>, string][] = [
      ['defaults', {}, '10s'],
      ['a 30s scrape interval', { prometheus: { globalConfig: { scrape_interval: '30s', evaluation_interval: '30s' } } }, '30s'],
      ['scrape_interval removed with null (Prometheus then scrapes every minute)', { prometheus: { globalConfig: { scrape_interval: null } } }, '1m'],
      ['an external Prometheus', { prometheus: { enabled: false }, prometheusUrl: 'http://prom.monitoring:9090', grafana: { prometheusScrapeInterval: '15s' } }, '15s'],
      ['prometheusUrl beside the bundled Prometheus (both are queried at prometheusUrl)', { prometheusUrl: 'http://prom.monitoring:9090', prometheus: { globalConfig: { scrape_interval: '30s' } } }, '1m'],
    ];
    const checksums = new Set<string | undefined>();
    for (const [what, values, expected] of cases) {
      const docs = (await expectHelmEquivalent(linkerdVizChart, values, { release, mask: true })) as Doc[];
      expect(timeInterval(docs), what).toBe(expected);
      checksums.add(restartsOn(render(values)));
    }
    // A changed interval restarts Grafana (the datasource file is read at start only).
    expect(checksums.size).toBe(cases.length);
  });

  it('keeps every dashboard ConfigMap small enough for client-side apply', () => {
    const maps = render().filter((d) => d.kind === 'ConfigMap' && d.metadata?.name?.startsWith('grafana-dashboard-'));
    expect(maps.length).toBeGreaterThanOrEqual(12);
    for (const m of maps) expect(JSON.stringify(m).length).toBeLessThan(256 * 1024 / 2);
  });

  it('gives every replicated component a disruption budget and spreads it in HA', () => {
    const docs = render(vizHaValues);
    const tap = find(docs, 'Deployment', 'tap');
    expect(tap?.spec.replicas).toBe(3);
    expect(tap?.spec.template.spec.affinity.podAntiAffinity).toBeDefined();
    expect(find(docs, 'PodDisruptionBudget', 'tap')?.spec.maxUnavailable).toBe(1);
    expect(schemaProblems(docs)).toEqual([]);
  });
});

describe('linkerd-viz values-gitops.yaml', () => {
  it('renders the same bytes twice, through Helm 3, Helm 4 and the CLI, and holds no key', async () => {
    await expectReproducibleWithoutKeys(linkerdVizChart, vizGitopsValues, release);
  });

  it('issues the Secrets tap mounts and injects the CA its webhook and API service are served with', () => {
    const docs = render(vizGitopsValues);
    const issued = new Set(docs.filter((d) => d.kind === 'Certificate').map((c) => c.spec.secretName));
    for (const name of ['tap', 'tap-injector']) {
      const secret = find(docs, 'Deployment', name)?.spec.template.spec.volumes.find((vol: { name: string }) => vol.name === 'tls').secret.secretName;
      expect(issued).toContain(secret);
      expect(find(docs, 'Certificate', name)?.spec.dnsNames).toEqual([`${name}.viz.svc`]);
    }
    expect((find(docs, 'APIService', 'v1alpha1.tap.linkerd.io')?.metadata as { annotations?: object })?.annotations).toMatchObject({ 'cert-manager.io/inject-ca-from': 'viz/tap' });
    expect(find(docs, 'APIService', 'v1alpha1.tap.linkerd.io')?.spec.caBundle).toBeUndefined();
    expect((find(docs, 'MutatingWebhookConfiguration', 'linkerd-tap-injector-webhook-config')?.metadata as { annotations?: object })?.annotations).toMatchObject({ 'cert-manager.io/inject-ca-from': 'viz/tap-injector' });
    expect(schemaProblems(docs)).toEqual([]);
  });
});

describe('LinkerdViz construct', () => {
  it('synthesizes the extension into a cdk8s app', () => {
    const app = new App();
    const viz = new LinkerdViz(app, 'linkerd-viz', { values: { tap: { replicas: 2 } } });
    const objects = Testing.synth(viz) as Doc[];
    expect(find(objects, 'Deployment', 'tap')?.spec.replicas).toBe(2);
    expect(objects.filter((o) => o.metadata?.namespace).every((o) => ['linkerd-viz', 'kube-system', 'linkerd'].includes(o.metadata?.namespace ?? ''))).toBe(true);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('refuses bad values, naming the key', () => {
    expect(() => new LinkerdViz(new App(), 'viz', { values: { prometheus: { enabled: false } } })).toThrow(ValuesError);
    expect(() => new LinkerdViz(new App(), 'viz', { values: { prometheus: { enabled: false } } })).toThrow(/prometheusUrl/);
    expect(() => new LinkerdViz(new App(), 'viz', { values: { tap: { replicas: 0 } } as never })).toThrow(/replicas/);
  });
});
