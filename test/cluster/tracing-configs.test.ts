/**
 * linkerd-jaeger's configurations, judged by the programs that read them, without the cluster:
 * the OpenTelemetry collector built with the collector builder from exactly our components
 * (scripts/cluster/modules/otelcol) and Jaeger v2 (scripts/cluster/modules/jaeger).
 *
 * 1. For the defaults and value variations users set, the collector and Jaeger configurations of
 *    `helm template`'s ConfigMaps pass each binary's own `validate`, and Jaeger starts with its
 *    configuration (listen addresses moved to free loopback ports) and answers its query API.
 * 2. What the collector's `validate` rejects, the chart refuses at render time, naming the key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VARIATIONS, renderJaeger, startJaeger, tracingBinaries, validate, type Config } from './support/tracing';

let bins: { otelcol: string; jaeger: string };
let work: string;

beforeAll(async () => {
  bins = await tracingBinaries();
  work = mkdtempSync(join(tmpdir(), 'cdk8s-linkerd-tracing-configs-'));
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the rendered configurations pass validate, and Jaeger starts with its own', () => {
  for (const variation of VARIATIONS) {
    it(variation.name, async () => {
      const { collector, jaeger } = await renderJaeger(variation.set, variation.namespace);
      for (const [bin, config] of [
        [bins.otelcol, collector],
        [bins.jaeger, jaeger],
      ] as const) {
        const verdict = await validate(bin, config);
        expect(verdict.code, `${bin} validate:\n${verdict.output}`).toBe(0);
      }
      const run = await startJaeger(bins.jaeger, jaeger, mkdtempSync(join(work, 'badger-')));
      await run.stop();
    });
  }
});

describe('what the collector rejects, the chart refuses at render time', () => {
  const cases = [
    { what: 'a memory limit not above the spike limit', key: 'collector.memoryLimitPercentage', value: '20', edit: (c: Config) => (c.processors.memory_limiter.limit_percentage = 20), says: /spike_limit_percentage/ },
    { what: 'a negative batch timeout', key: 'collector.batch.timeout', value: '-5s', edit: (c: Config) => (c.processors.batch.timeout = '-5s'), says: /timeout must be greater or equal to 0/ },
  ];
  for (const c of cases) {
    it(`${c.what}: otelcol validate rejects it, helm template refuses ${c.key}=${c.value}`, async () => {
      const { collector } = await renderJaeger();
      const bad = JSON.parse(JSON.stringify(collector)) as Config;
      c.edit(bad);
      const verdict = await validate(bins.otelcol, bad);
      expect(verdict.code).not.toBe(0);
      expect(verdict.output).toMatch(c.says);
      const refused = await renderJaeger([`${c.key}=${c.value}`]).catch((e: Error) => e);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toContain(c.key.split('.').pop());
    });
  }
});
