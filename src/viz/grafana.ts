/**
 * The bundled Grafana (our addition; upstream dropped it from viz): the Linkerd dashboards
 * (src/viz/dashboards, written with the Grafana Foundation SDK), a datasource provisioned to
 * the viz Prometheus, anonymous read-only viewing, served by the web dashboard under
 * /grafana. Meshed like every viz component; only the web dashboard may reach it.
 */
import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import type { Container, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import { Component } from '../helm/object';
import { prebuilt } from '../helm/prebuilt';
import { DASHBOARDS, dashboardJson } from './dashboards';
import { PROVISIONED_DATASOURCE_UID } from './dashboards/datasource';
import { extensionDeployment, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { resourcesOf } from '../k8s/resources';
import { pullPolicy, type Vv } from './metadata';
import { prometheusUrl } from './metrics-api';
import { authorizationPolicy, meshTlsAuthentication, server } from '../extension/policy';
import { componentConfigMap, httpProbe, meshedService } from '../extension/parts';

const NAME = 'grafana';
const DASHBOARD_DIR = '/var/lib/grafana/dashboards';

/** The ConfigMap that holds one dashboard (one per dashboard keeps each object small enough for client-side apply). */
export function dashboardConfigMapName(file: string): string {
  return `grafana-dashboard-${file.replace(/\.json$/, '')}`;
}

/** A dashboard's file and its JSON text. */
export interface DashboardFile {
  file: string;
  json: string;
}

/** The name of the dashboards' files in the prebuilt data (src/helm/prebuilt.ts). */
export const PREBUILT_DASHBOARDS = 'linkerd-viz.dashboards';

/**
 * Every dashboard's file: prebuilt when the package was built (they depend on no value), else
 * built with the Grafana Foundation SDK, which is loaded only then (./dashboards/builders).
 */
export function dashboardFiles(): DashboardFile[] {
  const files = prebuilt<DashboardFile[]>(PREBUILT_DASHBOARDS);
  if (files) return files;
  return DASHBOARDS.map((d) => ({ file: d.file, json: dashboardJson(d) }));
}

/**
 * The scrape interval of the Prometheus Grafana queries: with prometheusUrl (which wins over
 * the bundled one, as for the metrics API) the value that names it, else the bundled
 * Prometheus's global scrape_interval (Prometheus's default, 1m, when the user's globalConfig
 * leaves it out).
 */
function scrapeInterval(v: Vv): string {
  const bundled = v.orElse(v.get(v.ref('prometheus.globalConfig') as { scrape_interval?: string }, 'scrape_interval', 'string'), '1m') as string;
  return v.ternary(v.truthy(v.ref('prometheusUrl')), v.ref('grafana.prometheusScrapeInterval'), bundled);
}

/** grafana.ini: served under /grafana, anonymous read-only viewing, no login, no phoning home, the component's log level. */
function grafanaIni(v: Vv): string {
  const level = v.orElse(v.ref('grafana.logLevel'), v.ref('defaultLogLevel'));
  const grafanaLevel = v.ternary(v.eq(level, 'trace'), 'debug', level);
  return v.fmt`[server]
root_url = %(protocol)s://%(domain)s:/grafana/

[auth]
disable_login_form = true

[auth.anonymous]
enabled = true
org_role = Viewer

[auth.basic]
enabled = false

[analytics]
check_for_updates = false
check_for_plugin_updates = false
reporting_enabled = false

[news]
news_feed_enabled = false

[log]
mode = console
level = ${grafanaLevel}

[dashboards]
default_home_dashboard_path = ${DASHBOARD_DIR}/top-line.json
`;
}

/** The provisioned datasource (the viz Prometheus, or prometheusUrl) as YAML text. */
function grafanaDatasources(v: Vv): string {
  // timeInterval is the scrape interval of the Prometheus the datasource queries, so that
  // $__rate_interval (four of it) always spans enough samples for rate panels.
  return v.yamlText({
    apiVersion: 1,
    datasources: [
      { name: 'prometheus', uid: PROVISIONED_DATASOURCE_UID, type: 'prometheus', access: 'proxy', orgId: 1, url: prometheusUrl(v), isDefault: true, editable: false, jsonData: { timeInterval: scrapeInterval(v) } },
    ],
  });
}

/** The dashboard provider that reads the dashboards' folder, as YAML text. */
function grafanaProviders(v: Vv): string {
  return v.yamlText({
    apiVersion: 1,
    providers: [{ name: 'linkerd', orgId: 1, folder: 'Linkerd', type: 'file', disableDeletion: true, editable: false, options: { path: DASHBOARD_DIR } }],
  });
}

/** One ConfigMap per dashboard. */
function grafanaDashboards(scope: Construct, v: Vv, files: DashboardFile[]): void {
  for (const { file, json } of files) {
    componentConfigMap(scope, v, `dashboard-${file}`, { name: dashboardConfigMapName(file), component: NAME, data: { [file]: json } });
  }
}

/** Grafana's container: its config files and dashboards mounted read-only, data and /tmp writable. */
function grafanaContainer(v: Vv): Container {
  const g = v.section('grafana');
  const health = (initialDelaySeconds: number) => httpProbe('/api/health', 3000, { initialDelaySeconds, timeoutSeconds: 30 });
  const config = (mountPath: string, subPath: string): VolumeMount => ({ name: 'config', mountPath, subPath, readOnly: true });
  return {
    name: NAME,
    image: v.fmt`${g.image.registry}/${g.image.name}:${g.image.tag}`,
    imagePullPolicy: pullPolicy(v, 'grafana'),
    env: [{ name: 'GF_PATHS_CONFIG', value: '/etc/grafana/grafana.ini' }],
    ports: [{ containerPort: 3000, name: 'http' }],
    livenessProbe: health(30),
    readinessProbe: health(0),
    resources: resourcesOf(v, g.resources),
    securityContext: restrictedContainer(g.UID, g.GID),
    volumeMounts: [
      { name: 'data', mountPath: '/var/lib/grafana' },
      { name: 'tmp', mountPath: '/tmp' },
      config('/etc/grafana/grafana.ini', 'grafana.ini'),
      config('/etc/grafana/provisioning/datasources/datasources.yaml', 'datasources.yaml'),
      config('/etc/grafana/provisioning/dashboards/dashboards.yaml', 'dashboards.yaml'),
      { name: 'dashboards', mountPath: DASHBOARD_DIR, readOnly: true },
    ],
  } as Container;
}

/** Grafana's volumes: scratch space, its config, and every dashboard's ConfigMap projected into one folder. */
function grafanaVolumes(files: DashboardFile[]): Volume[] {
  return [
    { name: 'data', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
    { name: 'config', configMap: { name: 'grafana-config' } },
    { name: 'dashboards', projected: { sources: files.map(({ file }) => ({ configMap: { name: dashboardConfigMapName(file) } })) } },
  ];
}

/** Only the web dashboard (its ServiceAccount's mesh identity) may reach Grafana. */
function grafanaPolicy(scope: Construct, v: Vv): void {
  server(scope, v, { name: NAME, component: NAME, podSelector: { 'linkerd.io/extension': 'viz', component: NAME }, port: 'http', proxyProtocol: 'HTTP/1' });
  authorizationPolicy(scope, v, { name: NAME, component: NAME, server: NAME, authentications: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'grafana-web' }] });
  meshTlsAuthentication(scope, v, { name: 'grafana-web', component: NAME, identityRefs: [{ kind: 'ServiceAccount', name: 'web' }] });
}

export class Grafana extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'grafana.yaml');
    v.when('grafana.enabled', () => {
      extensionServiceAccount(this, v, NAME, NAME, { namespace: true });
      const ini = grafanaIni(v);
      componentConfigMap(this, v, 'config', { name: 'grafana-config', component: NAME, data: { 'grafana.ini': ini, 'datasources.yaml': grafanaDatasources(v), 'dashboards.yaml': grafanaProviders(v) } });
      const files = dashboardFiles();
      grafanaDashboards(this, v, files);
      const dashboardsDigest = createHash('sha256')
        .update(files.map((f) => f.json).join('\n'))
        .digest('hex');
      meshedService(this, v, { name: NAME, component: NAME, namespaceLabel: true, ports: [{ name: 'http', port: 3000, targetPort: 3000 }] });

      const g = v.section('grafana');
      extensionDeployment(this, v, {
        name: NAME,
        component: NAME,
        section: 'grafana',
        namespaceLabel: true,
        versionLabel: true,
        replicas: g.replicas,
        scheduling: 'own',
        affinity: true,
        strategyWithAntiAffinity: false,
        checksum: v.sha256sum(v.fmt`${ini}|${prometheusUrl(v)}|${scrapeInterval(v)}|${dashboardsDigest}`),
        safeToEvict: true,
        podSecurityContext: { fsGroup: g.GID, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [grafanaContainer(v)],
        volumes: grafanaVolumes(files),
      });
      grafanaPolicy(this, v);
    });
  }
}
