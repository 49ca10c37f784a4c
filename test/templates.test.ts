/**
 * Chart templates people read (issue 15): the proxy and the other parts every meshed
 * control-plane pod shares are written once, as named templates, and the control plane's
 * templates stay close to upstream's size. Shared definitions are checked by the engine too.
 */
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { renderTemplates, type ChartDefinition } from '../src/helm/chart';
import { Component, K8sObject, type ValuesChart } from '../src/helm/object';
import { val } from '../src/values/model';
import { testChart } from './support/test-chart';

/**
 * Lines of upstream's control-plane chart templates at edge-26.8.3: `charts/linkerd-control-plane/templates`
 * (2035) and `charts/partials/templates` (730), counted with `wc -l` in linkerd/linkerd2 at that tag.
 */
const UPSTREAM_CONTROL_PLANE_TEMPLATE_LINES = 2035 + 730;

const lines = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

describe('the control plane chart templates', () => {
  const templates = renderTemplates(CHARTS['linkerd-control-plane']);

  it('are at most 1.2 times as many lines as upstream\u2019s templates and partials', () => {
    const total = [...templates.values()].reduce((n, t) => n + lines(t), 0);
    expect(total).toBeLessThanOrEqual(Math.floor(1.2 * UPSTREAM_CONTROL_PLANE_TEMPLATE_LINES));
  });

  it('define the proxy container in exactly one file, which every meshed pod includes', () => {
    // A container named linkerd-proxy with the proxy's environment (the PodMonitor of that name has none).
    const proxyName = /^\s*(- )?name: linkerd-proxy$/m;
    const defining = [...templates].filter(([, t]) => proxyName.test(t) && /- name: LINKERD2_PROXY_IDENTITY_DIR$/m.test(t)).map(([f]) => f);
    expect(defining).toEqual(['_proxy.tpl']);
    const proxy = templates.get('_proxy.tpl')!;
    expect(proxy.match(/\{\{- define "linkerd-control-plane\.proxy\.container" \}\}/g)).toHaveLength(1);
    for (const file of ['destination.yaml', 'identity.yaml', 'proxy-injector.yaml']) {
      expect(templates.get(file), file).toContain('{{- include "linkerd-control-plane.proxy.container" (dict');
      expect(templates.get(file), file).toContain('{{- include "linkerd-control-plane.proxy.init" (dict');
      expect(templates.get(file), file).toContain('{{- include "linkerd-control-plane.proxy.volumes" (dict');
    }
  });

  it('include only what they define', () => {
    const defined = new Set([...templates.values()].flatMap((t) => [...t.matchAll(/\{\{- define "([^"]+)"/g)].map((m) => m[1])));
    const included = new Set([...templates.values()].flatMap((t) => [...t.matchAll(/include "([^"]+)"/g)].map((m) => m[1])));
    expect([...included].filter((n) => !defined.has(n))).toEqual([]);
    expect([...defined].filter((n) => !included.has(n))).toEqual([]);
  });
});

describe('shared definitions (v.partial)', () => {
  const values = val.object({ name: val.string('x', { description: 'Name.' }), port: val.integer(1, { description: 'Port.', minimum: 0 }) }, { description: 'Test.' });
  const chartWith = (build: (chart: ValuesChart<{ name: string; port: number }>, v: Parameters<ChartDefinition<typeof values>['build']>[1]) => void) =>
    testChart({ name: 'partial-test', description: 'Test.', values, build });

  it('refuses uses that differ beyond their arguments', () => {
    const def = chartWith((chart, v) => {
      const c = new Component(chart, 'c', 'c.yaml');
      // The second use differs in a constant it does not pass as an argument.
      for (const [i, extra] of ['a', 'b'].entries()) {
        new K8sObject(c, `pod${i}`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: v.ref('name') },
          spec: { containers: [v.partial('c.main', { port: v.ref('port') }, (a) => ({ name: extra, ports: [{ containerPort: a.port }] }))] },
        });
      }
    });
    expect(() => renderTemplates(def)).toThrow(/shared definition partial-test\.c\.main: use 2 differs from use 1 beyond its arguments/);
  });

  it('are written once, in templates/_<file>.tpl, and included with the arguments they use', () => {
    const def = chartWith((chart, v) => {
      const c = new Component(chart, 'c', 'c.yaml');
      new K8sObject(c, 'pod', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: v.ref('name') },
        spec: { containers: [v.partial('c.main', { port: v.ref('port'), role: 'r' }, (a) => ({ name: a.role, ports: [{ containerPort: a.port }] }))] },
      });
    });
    const text = renderTemplates(def).get('_c.tpl')!;
    expect(text).toContain('{{- define "partial-test.c.main" }}');
    expect(text).toContain('- name: {{ include "cdk8s-linkerd.scalar" (list $.role 4) }}');
    expect(renderTemplates(def).get('c.yaml')).toContain('{{- include "partial-test.c.main" (dict "port" .Values.port "role" "r") | replace "\\n" "\\n  " }}');
  });
});
