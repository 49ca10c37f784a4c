/**
 * The test suite every chart gets:
 * (a) equivalence: `helm template` (Helm 3 and 4) == our rendering, for the defaults,
 *     each preset and N random valid values files;
 * (b) every rendered object valid against Kubernetes 1.31 and 1.35 API schemas (unknown fields
 *     rejected), and every custom resource against our CRDs;
 * (c) a snapshot of the default output;
 * (d) a table of bad values, each rejected by Helm (schema), by our CLI and by the construct
 *     with a message that names the key;
 * plus `helm lint --strict` with both Helm versions.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import type { TObject } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../../src/cli/main';
import { allCrds } from '../../src/crds/index';
import { validateCustomResource } from '../../src/crds/validate';
import { App } from 'cdk8s';
import { ConcreteChart, ValuesError, toManifest, renderObjects, resolveValues, valuesProblems, type ChartDefinition, type Release } from '../../src/helm/chart';
import { arbitraryValues } from './arbitrary';
import { repairByRules } from './repair';
import { HELM_MAJORS, framedAs, helmBinary } from './helm';
import { kube131 } from './kube-schema';
import { kube135Problems } from './kube-schema-135';
import { thirdPartyProblems } from './third-party-schema';
import { chartDir, expectHelmEquivalent, helmTemplate, maskGenerated, normalize, ourObjects, ourRender, pool, writeValues, type K8sDoc } from './render';
import { coalesce, defaultsOf } from '../../src/values/model';

const execFileAsync = promisify(execFile);

export interface BadValuesCase {
  name: string;
  values: Record<string, unknown>;
  /** The key path the messages must name. */
  key: string;
  /** Whether Helm's schema can catch it (cross-field rules may be TypeScript-only). */
  helm?: boolean;
}

export interface ChartSuiteOptions {
  /** Named values files to check besides the defaults. */
  presets?: Record<string, Record<string, unknown>>;
  /** Values every rendering needs (e.g. certificates), merged under each case's values. */
  baseValues?: Record<string, unknown>;
  /**
   * Makes a random sample acceptable to the chart's TypeScript-only `check` (parsing); what the
   * cross-field rules refuse is undone with the rules themselves (repairByRules).
   */
  repair?: (user: Record<string, unknown>) => Record<string, unknown>;
  /** Masks material Helm generates at render time before comparing. */
  maskGenerated?: boolean;
  randomRuns: number;
  /** Whether `cdk8s-linkerd template` prints, for the defaults, byte for byte what `helm template` prints. */
  byteIdenticalDefaults?: boolean;
  badValues: BadValuesCase[];
  release?: Release;
}

function customResourceProblems(doc: K8sDoc): string[] | undefined {
  const [group, version] = doc.apiVersion.split('/');
  const def = allCrds.find((d) => d.group === group && d.kind === doc.kind);
  if (!def || !version) return undefined;
  return validateCustomResource(def, version, doc);
}

/**
 * Problems of rendered objects against Kubernetes 1.31 and 1.35 (unknown fields rejected by
 * both), our CRDs, and the CRDs of cert-manager, trust-manager, Prometheus Operator and Argo CD.
 */
export function schemaProblems(docs: K8sDoc[]): string[] {
  return docs.flatMap(
    (d) => customResourceProblems(d) ?? thirdPartyProblems(d) ?? [...kube131().validate(d), ...(kube135Problems(d) ?? [`${d.apiVersion}/${d.kind}: not a Kubernetes 1.35 API kind`])],
  );
}

/**
 * A GitOps preset renders the same bytes twice through Helm 3, Helm 4 and our rendering, the
 * same objects in both, and no Secret or private key.
 */
export async function expectReproducibleWithoutKeys<S extends TObject>(def: ChartDefinition<S>, values: Record<string, unknown>, release: Release): Promise<void> {
  const file = writeValues(values);
  for (const major of HELM_MAJORS) {
    const [a, b] = [await helmTemplate(major, chartDir(def), ['-f', file], release), await helmTemplate(major, chartDir(def), ['-f', file], release)];
    expect(a.ok, a.stderr).toBe(true);
    expect(b.stdout).toBe(a.stdout);
    expect(a.stdout).not.toMatch(/PRIVATE KEY|kind: Secret/);
    expect(normalize(a.stdout)).toEqual(ourRender(def, values, release));
  }
  const ours = () => toManifest(def.name, renderObjects(def, resolveValues(def, values), release));
  expect(ours()).toBe(ours());
  expect(ours()).not.toMatch(/PRIVATE KEY|^kind: "?Secret"?$/m);
}

async function cliRun(args: string[], files: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readFile: (p) => files[p] ?? readFileSync(p, 'utf8'),
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

export function describeChart<S extends TObject>(def: ChartDefinition<S>, opts: ChartSuiteOptions): void {
  const release = opts.release ?? { name: def.name, namespace: 'linkerd' };
  const base = opts.baseValues ?? {};
  const withBase = (user: Record<string, unknown>) => coalesce(base, user);
  const presets = Object.fromEntries(Object.entries({ defaults: {}, ...(opts.presets ?? {}) }).map(([k, p]) => [k, withBase(p)]));

  const expectEquivalent = (user: Record<string, unknown>, at = release) => expectHelmEquivalent(def, user, { release: at, mask: opts.maskGenerated });

  describe(`${def.name}: helm lint --strict`, () => {
    it.each(HELM_MAJORS)('is clean with Helm %i', async (major) => {
      const { stdout } = await execFileAsync(helmBinary(major), ['lint', '--strict', chartDir(def), '-n', release.namespace, '-f', writeValues(base)]);
      expect(stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      expect(stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    });
  });

  describe(`${def.name}: Helm and cdk8s-linkerd render the same objects`, () => {
    it.each(Object.entries(presets))('for %s', async (_name, values) => {
      await expectEquivalent(values);
    });

    if (opts.byteIdenticalDefaults) {
      it('byte for byte for the defaults', async () => {
        const cli = await cliRun(['template', def.name, '-n', release.namespace, '--release-name', release.name]);
        expect(cli.code).toBe(0);
        for (const major of HELM_MAJORS) {
          const helm = await helmTemplate(major, chartDir(def), [], release);
          expect(framedAs(major, cli.stdout), `helm ${major}`).toBe(helm.stdout);
        }
      });
    }

    it('in another namespace and release', async () => {
      await expectEquivalent(base, { name: 'other', namespace: 'mesh-system' });
    });

    it(`for ${opts.randomRuns} random valid values files`, { timeout: 600_000 }, async () => {
      const candidates = fc
        .sample(arbitraryValues(def.values), { numRuns: opts.randomRuns * 3, seed: 20261124 })
        .map((user) => withBase(repairByRules(def, opts.repair ? opts.repair(user) : user, base)));
      const samples = candidates.filter((user) => valuesProblems(def, coalesce(defaultsOf(def.values), user)).length === 0).slice(0, opts.randomRuns);
      expect(samples.length).toBe(opts.randomRuns);
      await pool(samples, 4, (user) => expectEquivalent(user));
    });
  });

  describe(`${def.name}: objects are valid`, () => {
    it.each(Object.entries(presets))('against Kubernetes 1.31 and 1.35 and our CRDs, for %s', (_name, values) => {
      // (values already include the base values)
      const docs = ourObjects(def, values, release);
      expect(docs.length).toBeGreaterThan(0);
      expect(schemaProblems(docs)).toEqual([]);
    });
  });

  describe(`${def.name}: default output`, () => {
    it('matches the reviewed snapshot', async () => {
      const objects = renderObjects(def, resolveValues(def, base), release);
      const manifest = toManifest(def.name, objects.map((o) => ({ ...o, object: opts.maskGenerated ? (maskGenerated([o.object as K8sDoc])[0] as Record<string, unknown>) : o.object })));
      await expect(manifest).toMatchFileSnapshot(join(__dirname, '..', '__snapshots__', `${def.name}.yaml`));
    });
  });

  describe(`${def.name}: bad values are rejected`, () => {
    it(`has at least 10 cases`, () => {
      expect(opts.badValues.length).toBeGreaterThanOrEqual(10);
    });

    it.each(opts.badValues.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const file = writeValues(withBase(c.values));
      const cli = await cliRun(['template', def.name, '-f', file]);
      expect(cli.code).toBe(1);
      expect(cli.stdout).toBe('');
      expect(cli.stderr).toContain(c.key);
      expect(cli.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // The construct refuses it too, naming the key.
      expect(() => new ConcreteChart(new App(), def.name, def, withBase(c.values) as never, release)).toThrow(ValuesError);
      expect(() => new ConcreteChart(new App(), def.name, def, withBase(c.values) as never, release)).toThrow(c.key);
      if (c.helm === false) return;
      for (const major of HELM_MAJORS) {
        const helm = await helmTemplate(major, chartDir(def), ['-f', file], release);
        expect(helm.ok, `helm ${major} accepted ${JSON.stringify(c.values)}`).toBe(false);
        expect(helm.stderr).toContain(c.key.split('.').pop());
      }
    });
  });
}
