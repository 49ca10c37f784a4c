/**
 * Upgrades from older upstream releases, checked against their recorded CRDs (no cluster): the
 * API server refuses a CRD that drops a version still listed in `status.storedVersions`, so each
 * version an older release stored must stay in ours, and served, so old objects stay readable.
 */
import { describe, expect, it } from 'vitest';
import { allCrds } from '../src/crds/index';
import { linkCrd } from '../src/crds/link';
import { crdName } from '../src/crds/definition';
import { historicRelease, storageVersionOf, UPSTREAM_HISTORY } from './support/upstream-history';

const ours = new Map([...allCrds, linkCrd].map((d) => [crdName(d), d]));

describe.each(UPSTREAM_HISTORY.map((r) => r.tag))('CRDs of upstream %s', (tag) => {
  const release = historicRelease(tag);

  it('are all CRDs we ship (nothing of theirs left without an owner)', () => {
    for (const crd of release.crds) expect(ours.has(crd.name), crd.name).toBe(true);
  });

  it.each(release.crds.map((c) => [c.name, c] as const))('%s: ours serves the version it stored and every version it served', (name, crd) => {
    const def = ours.get(name)!;
    const served = new Set(def.versions.filter((v) => v.served).map((v) => v.name));
    expect(served, `stored version ${storageVersionOf(crd)}`).toContain(storageVersionOf(crd));
    for (const v of crd.versions.filter((x) => x.served)) expect(served, `served version ${v.name}`).toContain(v.name);
  });
});

describe('the recorded history', () => {
  it('reaches back before edge-25.4, when Links were stored as v1alpha1 or v1alpha2', () => {
    const linkStorage = UPSTREAM_HISTORY.map((r) => storageVersionOf(historicRelease(r.tag).crds.find((c) => c.name === crdName(linkCrd))!));
    expect(linkStorage).toEqual(expect.arrayContaining(['v1alpha1', 'v1alpha2', 'v1alpha3']));
  });
});
