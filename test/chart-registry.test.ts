/** The charts loaded one by one (the CLI's registry) are the charts the library and the outputs ship. */
import { describe, expect, it } from 'vitest';
import { CHART_LOADERS, CHART_NAMES, UnknownChartError, loadChart } from '../src/chart-registry';
import { CHARTS, chartNamed } from '../src/charts';
import { tracingValues } from '../src/jaeger/wiring';

describe('chart registry', () => {
  it('lists every chart of CHARTS, in the same order, each loading the same definition', async () => {
    expect(CHART_NAMES).toEqual(Object.keys(CHARTS));
    for (const name of CHART_NAMES) expect(await CHART_LOADERS[name]()).toBe(CHARTS[name]);
  });
  it('names the charts when asked for an unknown one (also for names of Object.prototype)', async () => {
    for (const name of ['linkerd-nope', 'constructor', 'toString']) {
      await expect(loadChart(name)).rejects.toThrow(UnknownChartError);
      await expect(loadChart(name)).rejects.toThrow(`unknown chart '${name}' (charts: ${CHART_NAMES.join(', ')})`);
      expect(() => chartNamed(name)).toThrow(`unknown chart '${name}' (charts: ${CHART_NAMES.join(', ')})`);
    }
  });
  it("ships the control plane with the tracing preset the registry gives it (linkerd-jaeger's collector)", async () => {
    const def = await loadChart('linkerd-control-plane');
    expect(Object.keys(def.presets ?? {})).toEqual(['values-ha.yaml', 'values-gitops.yaml', 'values-tracing.yaml']);
    expect(def.presets?.['values-tracing.yaml']).toEqual(tracingValues({ namespace: 'linkerd-jaeger' }));
  });
});
