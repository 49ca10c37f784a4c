/**
 * Custom resources judged by the API server (OpenAPI schema, CEL rules, strict field
 * validation) and by our typed constructs: every example of test/fixtures, valid and wrong,
 * plus an unknown field for each kind. The two verdicts must agree on every row.
 */
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as resources from '../../src/crds/resources';
import { allCrds } from '../../src/crds/index';
import { storageVersion } from '../../src/crds/definition';
import { examples } from '../fixtures/custom-resources';
import { DIST_DIR, deleteNamespace, kubectl, serverVerdict } from './support/cluster';

const NS = 'cr-test';
type Ctor = new (scope: Construct, id: string, props: { metadata: { name: string; namespace?: string }; spec: never }) => unknown;

interface Row {
  kind: string;
  case: string;
  expected: 'valid' | 'invalid';
  server: boolean;
  construct: boolean;
  message: string;
}

function constructAccepts(kind: string, spec: Record<string, unknown>): boolean {
  const Klass = (resources as unknown as Record<string, Ctor>)[kind];
  if (!Klass) throw new Error(`no construct for ${kind}`);
  try {
    new Klass(new Chart(new App(), 'c'), 'x', { metadata: { name: 'x', namespace: NS }, spec: spec as never });
    return true;
  } catch (e) {
    if ((e as Error).name !== 'InvalidCustomResourceError') throw e;
    return false;
  }
}

describe('custom resources: API server and constructs agree', () => {
  const rows: Row[] = [];

  beforeAll(async () => {
    await kubectl(['apply', '--server-side', '-k', join(DIST_DIR, 'linkerd-crds')]);
    await kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', join(DIST_DIR, 'linkerd-crds', 'linkerd-crds.yaml')]);
    await kubectl(['create', 'namespace', NS]);
    const cases = examples.flatMap((ex) => [
      ...ex.valid.map((spec, i) => ({ ex, spec, name: `example ${i}`, expected: 'valid' as const })),
      ...ex.invalid.map((c) => ({ ex, spec: c.spec, name: c.why, expected: 'invalid' as const })),
      { ex, spec: { ...ex.valid[0], notAField: true }, name: 'unknown field notAField', expected: 'invalid' as const },
    ]);
    for (const c of cases) {
      const def = allCrds.find((d) => d.kind === c.ex.kind)!;
      const apiVersion = `${def.group}/${storageVersion(def).name}`;
      const verdict = await serverVerdict({ apiVersion, kind: c.ex.kind, metadata: { name: 'x', namespace: NS }, spec: c.spec });
      rows.push({ kind: c.ex.kind, case: c.name, expected: c.expected, server: verdict.accepted, construct: constructAccepts(c.ex.kind, c.spec), message: verdict.message });
    }
    const mark = (b: boolean) => (b ? 'accepts' : 'rejects');
    console.log(
      ['| kind | case | API server | constructs | agree |', '| --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.kind} | ${r.case} | ${mark(r.server)} | ${mark(r.construct)} | ${r.server === r.construct ? 'yes' : 'NO'} |`)].join('\n'),
    );
  });

  afterAll(async () => {
    await deleteNamespace(NS);
    await kubectl(['delete', '-k', join(DIST_DIR, 'linkerd-crds'), '--ignore-not-found']).catch(() => undefined);
  });

  it('covers every kind', () => {
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(allCrds.map((d) => d.kind)));
  });

  it('the server accepts every valid example and rejects every wrong one', () => {
    const wrong = rows.filter((r) => r.server !== (r.expected === 'valid')).map((r) => `${r.kind}: ${r.case}: server ${r.server ? 'accepts' : 'rejects'} ${r.message}`);
    expect(wrong).toEqual([]);
  });

  it('the constructs reject exactly what the server rejects', () => {
    const disagree = rows.filter((r) => r.server !== r.construct).map((r) => `${r.kind}: ${r.case}: server ${r.server ? 'accepts' : `rejects (${r.message})`}, constructs ${r.construct ? 'accept' : 'reject'}`);
    expect(disagree).toEqual([]);
  });
});
