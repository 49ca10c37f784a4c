/**
 * The viz Prometheus configuration, checked by Prometheus' own `promtool check config`
 * (Debian's prometheus package; `.ci/run` installs it).
 *
 * Debian builds Prometheus without Kubernetes service discovery, so its promtool rejects
 * `kubernetes_sd_configs` as an unknown field. Each configuration is therefore checked
 * twice: as rendered, where that must be the only complaint (every other field is known and
 * well typed), and with each Kubernetes SD block swapped for a file SD block and the
 * service-account paths pointed at real files, where promtool must accept it (regexes,
 * label names, relabel actions, alerting, remote write). The Kubernetes SD blocks
 * themselves are checked against the fields Prometheus defines for them.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { linkerdVizChart } from '../src/viz/chart';
import { vizHaValues } from '../src/viz/presets';
import { ourObjects, scratchDir } from './support/render';
import { identityFile } from './fixtures/identity';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const release = { name: 'linkerd-viz', namespace: 'linkerd-viz' };

function promtool(): string {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    throw new Error('promtool is not installed: apt-get install prometheus (.ci/run does this)');
  }
}

function prometheusYml(values: Record<string, unknown>): string {
  const cm = ourObjects(linkerdVizChart, values, release).find((d) => d.kind === 'ConfigMap' && d.metadata?.name === 'prometheus-config');
  if (!cm) throw new Error('no prometheus-config ConfigMap');
  return (cm.data as Record<string, string>)['prometheus.yml'];
}

function check(text: string, dir: string): { code: number; out: string } {
  const file = join(dir, `prometheus-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  const r = spawnSync(promtool(), ['check', 'config', file], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

type Job = Record<string, unknown> & { kubernetes_sd_configs?: Record<string, unknown>[] };

/** The configuration with Kubernetes SD swapped for file SD and the service-account files made real. */
function forDebianPromtool(text: string, dir: string): string {
  const secrets = join(dir, 'serviceaccount');
  mkdirSync(secrets, { recursive: true });
  copyFileSync(identityFile('ca.crt'), join(secrets, 'ca.crt'));
  writeFileSync(join(secrets, 'token'), 'token\n');
  const config = load(text) as { scrape_configs: Job[] };
  for (const job of config.scrape_configs) {
    if (!job.kubernetes_sd_configs) continue;
    delete job.kubernetes_sd_configs;
    job.file_sd_configs = [{ files: [join(dir, 'targets', '*.json')] }];
  }
  return dump(config).split(SERVICE_ACCOUNT).join(secrets);
}

const KUBERNETES_SD_FIELDS = new Set(['role', 'namespaces', 'api_server', 'selectors', 'attach_metadata', 'kubeconfig_file', 'follow_redirects', 'enable_http2']);
const ROLES = new Set(['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress']);

function kubernetesSdProblems(text: string): string[] {
  const config = load(text) as { scrape_configs: Job[] };
  return config.scrape_configs.flatMap((job) =>
    (job.kubernetes_sd_configs ?? []).flatMap((sd) => [
      ...Object.keys(sd).filter((k) => !KUBERNETES_SD_FIELDS.has(k)).map((k) => `${job.job_name}: unknown field ${k}`),
      ...(ROLES.has(sd.role as string) ? [] : [`${job.job_name}: bad role ${String(sd.role)}`]),
      ...(sd.namespaces && !(Array.isArray((sd.namespaces as { names?: unknown }).names) && Object.keys(sd.namespaces).every((k) => k === 'names' || k === 'own_namespace'))
        ? [`${job.job_name}: bad namespaces`]
        : []),
    ]),
  );
}

const CASES: Record<string, Record<string, unknown>> = {
  defaults: {},
  'values-ha.yaml': vizHaValues,
  'alerting, remote write, rules, extra jobs, metric relabeling': {
    prometheus: {
      globalConfig: { scrape_interval: '30s', scrape_timeout: '20s', evaluation_interval: '1m', external_labels: { cluster: 'prod' } },
      alertmanagers: [{ scheme: 'http', static_configs: [{ targets: ['alertmanager.monitoring.svc:9093'] }] }],
      alertRelabelConfigs: [{ action: 'labeldrop', regex: 'prometheus_replica' }],
      remoteWrite: [{ url: 'http://thanos.monitoring.svc:19291/api/v1/receive' }],
      ruleConfigMapMounts: [{ name: 'alerting-rules', subPath: 'alerting_rules.yml', configMap: 'linkerd-prometheus-rules' }],
      scrapeConfigs: [{ job_name: 'kubernetes-nodes', kubernetes_sd_configs: [{ role: 'node' }], relabel_configs: [{ action: 'labelmap', regex: '__meta_kubernetes_node_label_(.+)' }] }],
      metricRelabelConfigs: [{ action: 'keep', source_labels: ['le'], regex: '(|10|50|100|500|1000|10000|30000|\\+Inf)' }],
    },
    linkerdNamespace: 'mesh',
    proxyContainerName: 'proxy',
  },
};

describe('viz Prometheus configuration: promtool check config', () => {
  const dir = scratchDir('promtool');
  it.each(Object.entries(CASES))('%s', (_name, values) => {
    const text = prometheusYml(values);
    const asRendered = check(text, dir);
    const complaints = asRendered.out.split('\n').filter((l) => /line \d+:/.test(l));
    expect(complaints.length, asRendered.out).toBeGreaterThan(0);
    for (const line of complaints) expect(line).toMatch(/field kubernetes_sd_configs not found in type config\.ScrapeConfig/);
    const swapped = check(forDebianPromtool(text, dir), dir);
    expect(swapped.out).toContain('SUCCESS');
    expect(swapped.code, swapped.out).toBe(0);
    expect(kubernetesSdProblems(text)).toEqual([]);
  });

  it('fails on a configuration Prometheus would refuse (a broken relabel regex, an unknown field)', () => {
    const text = prometheusYml({ prometheus: { metricRelabelConfigs: [{ action: 'keep', source_labels: ['le'], regex: '(unclosed' }] } });
    const swapped = check(forDebianPromtool(text, dir), dir);
    expect(swapped.code).not.toBe(0);
    expect(swapped.out).toMatch(/error parsing regexp/);
    const typo = check(forDebianPromtool(prometheusYml({ prometheus: { scrapeConfigs: [{ job_name: 'x', scrape_intervall: '5s' }] } }), dir), dir);
    expect(typo.code).not.toBe(0);
    expect(typo.out).toMatch(/scrape_intervall not found/);
    expect(kubernetesSdProblems(dump({ scrape_configs: [{ job_name: 'x', kubernetes_sd_configs: [{ role: 'pods', namespace: 'a' }] }] }))).toEqual([
      'x: unknown field namespace',
      'x: bad role pods',
    ]);
  });
});
