/**
 * The viz Prometheus configuration, checked by `promtool check config` of the Prometheus release
 * the chart deploys (v2.55.1, built from its Go module into .tools/; Kubernetes discovery
 * included). promtool wants the files a configuration names to exist, so the service-account
 * token and CA paths point at real files; nothing else changes.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { linkerdVizChart } from '../src/viz/chart';
import { vizHaValues } from '../src/viz/presets';
import { ourObjects, scratchDir } from './support/render';
import { identityFile } from './fixtures/identity';
import { prometheusTool } from './support/prometheus-tools';

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const release = { name: 'linkerd-viz', namespace: 'linkerd-viz' };

function prometheusYml(values: Record<string, unknown>): string {
  const cm = ourObjects(linkerdVizChart, values, release).find((d) => d.kind === 'ConfigMap' && d.metadata?.name === 'prometheus-config');
  if (!cm) throw new Error('no prometheus-config ConfigMap');
  return (cm.data as Record<string, string>)['prometheus.yml'];
}

/** promtool check config on the configuration, with the service-account files at real paths. */
function check(text: string, dir: string): { code: number; out: string } {
  const secrets = join(dir, 'serviceaccount');
  mkdirSync(secrets, { recursive: true });
  copyFileSync(identityFile('ca.crt'), join(secrets, 'ca.crt'));
  writeFileSync(join(secrets, 'token'), 'token\n');
  const file = join(dir, `prometheus-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text.split(SERVICE_ACCOUNT).join(secrets));
  const r = spawnSync(prometheusTool('promtool'), ['check', 'config', file], { encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
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
    const r = check(prometheusYml(values), dir);
    expect(r.out).toContain('SUCCESS');
    expect(r.code, r.out).toBe(0);
  });

  it('fails on a configuration Prometheus would refuse (a broken relabel regex, an unknown field, a bad discovery block)', () => {
    const bad = (prometheus: Record<string, unknown>) => check(prometheusYml({ prometheus }), dir);
    const regex = bad({ metricRelabelConfigs: [{ action: 'keep', source_labels: ['le'], regex: '(unclosed' }] });
    expect(regex.code).not.toBe(0);
    expect(regex.out).toMatch(/error parsing regexp/);
    const typo = bad({ scrapeConfigs: [{ job_name: 'x', scrape_intervall: '5s' }] });
    expect(typo.code).not.toBe(0);
    expect(typo.out).toMatch(/scrape_intervall not found/);
    const role = bad({ scrapeConfigs: [{ job_name: 'x', kubernetes_sd_configs: [{ role: 'pods' }] }] });
    expect(role.code).not.toBe(0);
    expect(role.out).toMatch(/unknown Kubernetes SD role "pods"/);
    const field = bad({ scrapeConfigs: [{ job_name: 'x', kubernetes_sd_configs: [{ role: 'pod', namespace: 'a' }] }] });
    expect(field.code).not.toBe(0);
    expect(field.out).toMatch(/field namespace not found/);
  });
});
