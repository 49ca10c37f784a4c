/**
 * The bundled Grafana (our addition; upstream dropped it from viz): the Linkerd dashboards
 * (src/viz/dashboards, written with the Grafana Foundation SDK), a datasource provisioned to
 * the viz Prometheus, anonymous read-only viewing, served by the web dashboard under
 * /grafana. Meshed like every viz component; only the web dashboard may reach it.
 */
import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { Component, K8sObject } from '../helm/object';
import { prebuilt } from '../helm/prebuilt';
import { DASHBOARDS, dashboardJson } from './dashboards';
import { PROVISIONED_DATASOURCE_UID } from './dashboards/datasource';
import { extensionDeployment, extensionMeta, extensionServiceAccount, restrictedContainer } from '../extension/metadata';
import { resourcesOf } from '../k8s/resources';
import { pullPolicy, type Vv } from './metadata';
import { prometheusUrl } from './metrics-api';
import { authorizationPolicy, meshTlsAuthentication, server } from '../extension/policy';

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

export class Grafana extends Component {
  constructor(scope: Construct, id: string, v: Vv) {
    super(scope, id, 'grafana.yaml');
    v.when('grafana.enabled', () => {
      extensionServiceAccount(this, v, NAME, NAME, { namespace: true });
      const level = v.orElse(v.ref('grafana.logLevel'), v.ref('defaultLogLevel'));
      const grafanaLevel = v.ternary(v.eq(level, 'trace'), 'debug', level);
      const ini = v.fmt`[server]
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
      // timeInterval is the scrape interval of the Prometheus the datasource queries, so that
      // $__rate_interval (four of it) always spans enough samples for rate panels.
      const datasources = v.yamlText({
        apiVersion: 1,
        datasources: [
          { name: 'prometheus', uid: PROVISIONED_DATASOURCE_UID, type: 'prometheus', access: 'proxy', orgId: 1, url: prometheusUrl(v), isDefault: true, editable: false, jsonData: { timeInterval: scrapeInterval(v) } },
        ],
      });
      const providers = v.yamlText({
        apiVersion: 1,
        providers: [{ name: 'linkerd', orgId: 1, folder: 'Linkerd', type: 'file', disableDeletion: true, editable: false, options: { path: DASHBOARD_DIR } }],
      });
      new K8sObject(this, 'config', {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: extensionMeta(v, 'grafana-config', NAME, { namespace: true }),
        data: { 'grafana.ini': ini, 'datasources.yaml': datasources, 'dashboards.yaml': providers },
      });

      const files = dashboardFiles();
      for (const { file, json } of files) {
        new K8sObject(this, `dashboard-${file}`, {
          kind: 'ConfigMap',
          apiVersion: 'v1',
          metadata: extensionMeta(v, dashboardConfigMapName(file), NAME, { namespace: true }),
          data: { [file]: json },
        });
      }
      const dashboardsDigest = createHash('sha256')
        .update(files.map((f) => f.json).join('\n'))
        .digest('hex');

      new K8sObject(this, 'service', {
        kind: 'Service',
        apiVersion: 'v1',
        metadata: extensionMeta(v, NAME, NAME, { namespace: true, annotations: { 'linkerd.io/inject': 'enabled' } }),
        spec: { type: 'ClusterIP', selector: { 'linkerd.io/extension': 'viz', component: NAME }, ports: [{ name: 'http', port: 3000, targetPort: 3000 }] },
      });

      const g = v.section('grafana');
      const probe = (initialDelaySeconds: number) => ({ httpGet: { path: '/api/health', port: 3000 }, initialDelaySeconds, timeoutSeconds: 30 });
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
        containers: [
          {
            name: NAME,
            image: v.fmt`${g.image.registry}/${g.image.name}:${g.image.tag}`,
            imagePullPolicy: pullPolicy(v, 'grafana'),
            env: [{ name: 'GF_PATHS_CONFIG', value: '/etc/grafana/grafana.ini' }],
            ports: [{ containerPort: 3000, name: 'http' }],
            livenessProbe: probe(30),
            readinessProbe: probe(0),
            resources: resourcesOf(v, g.resources),
            securityContext: restrictedContainer(g.UID, g.GID),
            volumeMounts: [
              { name: 'data', mountPath: '/var/lib/grafana' },
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'config', mountPath: '/etc/grafana/grafana.ini', subPath: 'grafana.ini', readOnly: true },
              { name: 'config', mountPath: '/etc/grafana/provisioning/datasources/datasources.yaml', subPath: 'datasources.yaml', readOnly: true },
              { name: 'config', mountPath: '/etc/grafana/provisioning/dashboards/dashboards.yaml', subPath: 'dashboards.yaml', readOnly: true },
              { name: 'dashboards', mountPath: DASHBOARD_DIR, readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'tmp', emptyDir: {} },
          { name: 'config', configMap: { name: 'grafana-config' } },
          { name: 'dashboards', projected: { sources: files.map(({ file }) => ({ configMap: { name: dashboardConfigMapName(file) } })) } },
        ],
      });

      server(this, v, { name: NAME, component: NAME, podSelector: { 'linkerd.io/extension': 'viz', component: NAME }, port: 'http', proxyProtocol: 'HTTP/1' });
      authorizationPolicy(this, v, { name: NAME, component: NAME, server: NAME, authentications: [{ group: 'policy.linkerd.io', kind: 'MeshTLSAuthentication', name: 'grafana-web' }] });
      meshTlsAuthentication(this, v, { name: 'grafana-web', component: NAME, identityRefs: [{ kind: 'ServiceAccount', name: 'web' }] });
    });
  }
}
