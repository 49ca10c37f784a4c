/**
 * The one table of per-workload proxy settings (PROXY_SETTINGS): every row is written as its
 * annotation, read back from it, applied by manual injection to the rendered proxy, and names
 * a setting the control plane's values give.
 */
import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { proxySettingsFromValues } from '../src/control-plane/proxy-settings';
import { controlPlaneValues } from '../src/control-plane/values';
import { INJECTOR_ANNOTATIONS, proxyAnnotations, proxyConfigFromAnnotations } from '../src/mesh/annotations';
import { workloadProxySettings } from '../src/mesh/inject';
import { meshedPodParts } from '../src/proxy/containers';
import { PROXY_SETTINGS, getPath, withPath, type WorkloadProxyConfig } from '../src/proxy/workload';
import { IDENTITY_VALUES } from './fixtures/identity';

const cp = new LinkerdControlPlane(new App(), 'linkerd-control-plane', { values: IDENTITY_VALUES });
const base = proxySettingsFromValues(cp.values);
const rendered = (config: WorkloadProxyConfig) => JSON.stringify(meshedPodParts(cp.values, workloadProxySettings(base, config)));
type Schema = { properties?: Record<string, Schema>; anyOf?: Schema[] };
const hasValuesKey = (path: string) => {
  let node: Schema | undefined = controlPlaneValues as Schema;
  for (const k of path.split('.')) node = (node?.properties ?? node?.anyOf?.find((x) => x.properties)?.properties)?.[k];
  return node !== undefined;
};
const examples = (r: (typeof PROXY_SETTINGS)[number]) => r.codec.examples;

describe('PROXY_SETTINGS', () => {
  it('has one row per field and per annotation, each an annotation the proxy injector reads', () => {
    expect(new Set(PROXY_SETTINGS.map((r) => r.field)).size).toBe(PROXY_SETTINGS.length);
    expect(new Set(PROXY_SETTINGS.map((r) => r.annotation)).size).toBe(PROXY_SETTINGS.length);
    for (const r of PROXY_SETTINGS) for (const a of [r.annotation, ...(r.aliases ?? [])]) expect(INJECTOR_ANNOTATIONS, r.field).toContain(a);
  });

  it.each(PROXY_SETTINGS.map((r) => [r.field, r] as const))('%s: annotation written and read back', (_field, r) => {
    for (const value of examples(r)) {
      const config = withPath<WorkloadProxyConfig>({}, r.field, value);
      const annotations = proxyAnnotations(config);
      expect(annotations[r.annotation], r.annotation).toBeDefined();
      const back = proxyConfigFromAnnotations(annotations);
      expect(back.problems).toEqual([]);
      expect(getPath(back.config, r.field)).toEqual(value);
    }
  });

  it.each(PROXY_SETTINGS.filter((r) => r.setting !== undefined).map((r) => [r.field, r] as const))('%s: manual injection renders it; the values give it', (_field, r) => {
    // Some settings show only on a proxy that is not a native sidecar (preStop).
    const changed = [{}, { nativeSidecar: false }].some((start) =>
      examples(r).some((value) => rendered(withPath<WorkloadProxyConfig>(start, r.field, value)) !== rendered(start)),
    );
    expect(changed, `no example of ${r.field} changes the injected proxy`).toBe(true);
    // The setting path is the control-plane chart's values key (inject sets a pod fact instead).
    if (r.field !== 'inject') expect(hasValuesKey(r.setting!), r.setting).toBe(true);
  });
});
