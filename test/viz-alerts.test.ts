/**
 * The viz alerting rules (src/viz/alerts.ts), as the chart renders them, run by the promtool of
 * the Prometheus release the chart deploys: `promtool check rules`, and `promtool test rules`
 * with series that fire each alert and series that must not. Helm and the CLI render the same
 * rules, in the ConfigMap the viz Prometheus loads and in the PrometheusRule.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { linkerdVizChart } from '../src/viz/chart';
import { prometheusTool } from './support/prometheus-tools';
import { expectHelmEquivalent, ourObjects, scratchDir, type K8sDoc } from './support/render';

type Doc = K8sDoc & { spec?: { groups: unknown[] }; data?: Record<string, string> };
const release = { name: 'linkerd-viz', namespace: 'linkerd-viz' };
const dir = scratchDir('viz-alerts');

function rulesText(values: Record<string, unknown> = {}): string {
  const cm = (ourObjects(linkerdVizChart, values, release) as Doc[]).find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'prometheus-rules');
  if (!cm?.data) throw new Error('no prometheus-rules ConfigMap');
  return cm.data['linkerd_rules.yml'];
}

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
interface Check {
  at: string;
  alert: string;
  fires: Alert[];
}
interface TestGroup {
  name: string;
  series: Record<string, string>;
  checks: Check[];
}

/** The annotations a rule gives, with its `$labels` and `$value` (formatted as Prometheus would) filled in. */
function annotations(rules: string, alert: string, labels: Record<string, string>, value: string): Record<string, string> {
  const groups = (load(rules) as { groups: { rules: { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[] }).groups;
  // One rule per component for LinkerdControlPlaneComponentDown: the one whose labels the alert has.
  const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === alert && Object.entries(r.labels).every(([k, v]) => labels[k] === v));
  if (!rule) throw new Error(`no rule ${alert}`);
  const fill = (t: string) => t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => labels[l] ?? '').replace(/\{\{ \$value( \| \w+)? \}\}/g, value);
  return Object.fromEntries(Object.entries(rule.annotations).map(([k, t]) => [k, fill(t)]));
}

/** Runs `promtool test rules` on the rendered rules; returns promtool's output when a check fails. */
function promtoolTest(rules: string, groups: TestGroup[]): { ok: boolean; output: string } {
  const ruleFile = join(dir, `rules-${groups[0].name}.yml`);
  const testFile = join(dir, `tests-${groups[0].name}.yml`);
  writeFileSync(ruleFile, rules);
  const tests = {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: groups.map((g) => ({
      name: g.name,
      interval: '1m',
      input_series: Object.entries(g.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: g.checks.map((c) => ({
        eval_time: c.at,
        alertname: c.alert,
        exp_alerts: c.fires.map((f) => ({ exp_labels: f.labels, exp_annotations: f.annotations })),
      })),
    })),
  };
  writeFileSync(testFile, dump(tests, { lineWidth: -1 }));
  const r = spawnSync(prometheusTool('promtool'), ['test', 'rules', testFile], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

const inbound = (namespace: string, workload: string, extra: string) => `{job="linkerd-proxy", direction="inbound", namespace="${namespace}", workload="${workload}", pod="${workload.split('/')[1]}-1"${extra}}`;
const responses = (workload: string, classification: string) => `response_total${inbound('shop', workload, `, classification="${classification}"`)}`;
const bucket = (workload: string, le: string) => `response_latency_ms_bucket${inbound('shop', workload, `, le="${le}"`)}`;

/** Series that fire each alert, and series beside them that must not, at the default thresholds. */
function defaultGroups(rules: string): TestGroup[] {
  const fire = (alert: string, labels: Record<string, string>, value: string): Alert => ({ labels, annotations: annotations(rules, alert, labels, value) });
  const down = (component: string, extra: Record<string, string> = {}) => fire('LinkerdControlPlaneComponentDown', { severity: 'critical', component, ...extra }, '');
  return [
    {
      name: 'control-plane',
      series: {
        'up{job="linkerd-controller", component="destination", instance="10.0.0.1:9996"}': '1x20',
        'up{job="linkerd-controller", component="identity", instance="10.0.0.2:9990"}': '0x20',
        // policy: no target at all.
        'up{job="linkerd-controller", component="proxy-injector", instance="10.0.0.3:9995"}': '0x20',
        'up{job="linkerd-controller", component="proxy-injector", instance="10.0.0.4:9995"}': '1x20',
        'up{job="linkerd-controller", component="sp-validator", instance="10.0.0.5:9997"}': '1x20',
      },
      checks: [
        // Pending for controlPlaneDownFor (5m), then firing: a down target, or none.
        { at: '3m', alert: 'LinkerdControlPlaneComponentDown', fires: [] },
        { at: '10m', alert: 'LinkerdControlPlaneComponentDown', fires: [down('identity'), down('policy', { job: 'linkerd-controller' })] },
      ],
    },
    {
      name: 'certificates',
      series: {
        // time() is 1800 at 30m: web-1's certificate expires in 5h, api-1's in 20h.
        'control_identity_cert_expiration_timestamp_seconds{job="linkerd-proxy", namespace="shop", pod="web-1"}': '19800x40',
        'control_identity_cert_expiration_timestamp_seconds{job="linkerd-proxy", namespace="shop", pod="api-1"}': '73800x40',
        // The issuer expires in 12h; another Certificate's expiry is not the mesh's business.
        'certmanager_certificate_expiration_timestamp_seconds{name="linkerd-identity-issuer", namespace="linkerd", issuer_name="linkerd-trust-anchor", issuer_kind="Issuer", issuer_group="cert-manager.io"}': '45000x40',
        'certmanager_certificate_expiration_timestamp_seconds{name="web-tls", namespace="shop", issuer_name="letsencrypt", issuer_kind="ClusterIssuer", issuer_group="cert-manager.io"}': '3600x40',
      },
      checks: [
        { at: '30m', alert: 'LinkerdProxyCertificateNotRenewed', fires: [fire('LinkerdProxyCertificateNotRenewed', { severity: 'critical', namespace: 'shop', pod: 'web-1' }, '5h 0m 0s')] },
        { at: '30m', alert: 'LinkerdIdentityIssuerCertificateExpiring', fires: [fire('LinkerdIdentityIssuerCertificateExpiring', { severity: 'warning', name: 'linkerd-identity-issuer' }, '12h 0m 0s')] },
      ],
    },
    {
      name: 'traffic',
      series: {
        // web: half its responses fail, and its p99 is 4960 ms (every response between 1 s and 5 s).
        [responses('deployment/web', 'success')]: '0+60x30',
        [responses('deployment/web', 'failure')]: '0+60x30',
        [bucket('deployment/web', '1000')]: '0x30',
        [bucket('deployment/web', '5000')]: '0+120x30',
        [bucket('deployment/web', '+Inf')]: '0+120x30',
        // api: 99% success, p99 99 ms.
        [responses('deployment/api', 'success')]: '0+594x30',
        [responses('deployment/api', 'failure')]: '0+6x30',
        [bucket('deployment/api', '100')]: '0+600x30',
        [bucket('deployment/api', '+Inf')]: '0+600x30',
        // db: every response fails (there is no success series at all).
        [responses('statefulset/db', 'failure')]: '0+60x30',
        // cron: as bad as web, but a request every 30 s is below minRequestRate (0.1/s).
        [responses('cronjob/report', 'success')]: '0+1x30',
        [responses('cronjob/report', 'failure')]: '0+1x30',
        [bucket('cronjob/report', '5000')]: '0+2x30',
        [bucket('cronjob/report', '+Inf')]: '0+2x30',
      },
      checks: [
        { at: '8m', alert: 'LinkerdWorkloadSuccessRateLow', fires: [] },
        {
          at: '20m',
          alert: 'LinkerdWorkloadSuccessRateLow',
          fires: [
            fire('LinkerdWorkloadSuccessRateLow', { severity: 'warning', namespace: 'shop', workload: 'deployment/web' }, '50%'),
            fire('LinkerdWorkloadSuccessRateLow', { severity: 'warning', namespace: 'shop', workload: 'statefulset/db' }, '0%'),
          ],
        },
        { at: '20m', alert: 'LinkerdWorkloadLatencyHigh', fires: [fire('LinkerdWorkloadLatencyHigh', { severity: 'warning', namespace: 'shop', workload: 'deployment/web' }, '4960')] },
      ],
    },
    {
      name: 'versions',
      series: {
        'proxy_build_info{job="linkerd-proxy", namespace="linkerd", workload="deployment/linkerd-destination", pod="linkerd-destination-1", version="v2.366.0"}': '1x80',
        'proxy_build_info{job="linkerd-proxy", namespace="shop", workload="deployment/web", pod="web-1", version="v2.366.0"}': '1x80',
        'proxy_build_info{job="linkerd-proxy", namespace="shop", workload="deployment/legacy", pod="legacy-1", version="v2.300.0"}': '1x80',
      },
      checks: [
        { at: '50m', alert: 'LinkerdProxyVersionMismatch', fires: [] },
        { at: '70m', alert: 'LinkerdProxyVersionMismatch', fires: [fire('LinkerdProxyVersionMismatch', { severity: 'warning', namespace: 'shop', workload: 'deployment/legacy', version: 'v2.300.0' }, '1')] },
      ],
    },
  ];
}

describe('viz alerting rules', () => {
  it('pass promtool check rules', () => {
    const file = join(dir, 'check_rules.yml');
    writeFileSync(file, rulesText());
    const r = spawnSync(prometheusTool('promtool'), ['check', 'rules', file], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS: 10 rules found');
    expect(r.status).toBe(0);
  });

  it('fire on the series they watch and stay quiet on the others (promtool test rules)', () => {
    const rules = rulesText();
    const r = promtoolTest(rules, defaultGroups(rules));
    expect(r.output).toContain('SUCCESS');
    expect(r.ok, r.output).toBe(true);
  });

  it('take their thresholds from values', () => {
    const values = { alerts: { successRate: 0.4, latencyP99Ms: 5000, proxyCertificateHours: 4, issuerCertificateDays: 0.25, controlPlaneDownFor: '15m', proxyVersionFor: '2h' } };
    const rules = rulesText(values);
    const db = { severity: 'warning', namespace: 'shop', workload: 'statefulset/db' };
    // What fired at the defaults is quiet now (web at 50% > 40%, p99 4960 ms < 5000 ms, 5h > 4h,
    // 12h > 6h, and the longer `for`s), except db, whose 0% is below 40% too.
    const groups = defaultGroups(rules).map((g) => ({
      ...g,
      name: `${g.name}-thresholds`,
      checks: g.checks
        .filter((c) => c.fires.length > 0)
        .map((c) => ({ ...c, fires: c.alert === 'LinkerdWorkloadSuccessRateLow' ? [{ labels: db, annotations: annotations(rules, c.alert, db, '0%') }] : [] })),
    }));
    const r = promtoolTest(rules, groups);
    expect(r.ok, r.output).toBe(true);
  });

  it('are rendered alike by Helm and the CLI: loaded by the viz Prometheus, and as a PrometheusRule when asked', async () => {
    const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
    const docs = (await expectHelmEquivalent(linkerdVizChart, { alerts: { prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } }, successRate: 0.9 } }, { release, mask: true })) as Doc[];
    const rule = find(docs, 'PrometheusRule', 'linkerd-viz-alerts');
    expect(rule?.metadata).toMatchObject({ namespace: 'linkerd-viz', labels: { release: 'kube-prometheus-stack', 'linkerd.io/extension': 'viz' } });
    // The comparison decodes the ConfigMap's embedded YAML.
    const loaded = find(docs, 'ConfigMap', 'prometheus-rules')?.data?.['linkerd_rules.yml'] as unknown as { groups: unknown[] };
    expect(rule?.spec?.groups).toEqual(loaded.groups);
    expect(JSON.stringify(loaded)).toContain('< 0.9\\nand on');
    const prometheus = find(docs, 'Deployment', 'prometheus') as Doc & { spec: { template: { spec: { containers: { name: string; volumeMounts: { mountPath: string }[] }[] } } } };
    const mounts = prometheus.spec.template.spec.containers.find((c) => c.name === 'prometheus')!.volumeMounts.map((m) => m.mountPath);
    expect(mounts).toContain('/etc/prometheus/linkerd_rules.yml');

    // Off by default; alerts.enabled: false leaves the bundled Prometheus without them.
    const defaults = ourObjects(linkerdVizChart, {}, release) as Doc[];
    expect(find(defaults, 'PrometheusRule', 'linkerd-viz-alerts')).toBeUndefined();
    const off = (await expectHelmEquivalent(linkerdVizChart, { alerts: { enabled: false } }, { release, mask: true })) as Doc[];
    expect(find(off, 'ConfigMap', 'prometheus-rules')).toBeUndefined();
    expect(JSON.stringify(find(off, 'Deployment', 'prometheus'))).not.toContain('linkerd_rules.yml');
  });
});
