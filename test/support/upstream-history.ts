/**
 * Older upstream releases whose CRDs the upgrade tests reproduce: clusters that ran one of them
 * list its storage versions in each CRD's `status.storedVersions`, and our charts must upgrade
 * them. `npm run parity -- --record-history REPO` writes each release's CRD facts to
 * test/fixtures/upstream/history/<tag>.json (see docs/parity.md {#link-crd-versions}).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const UPSTREAM_HISTORY = [
  { tag: 'stable-2.14.10', why: 'the last stable release (2024): Link stored as v1alpha1' },
  { tag: 'edge-24.11.1', why: 'Link stored as v1alpha2, before edge-25.4 made v1alpha3 the storage version' },
  { tag: 'edge-25.6.1', why: 'a 2025 release: Link stored as v1alpha3' },
  { tag: 'edge-26.4.1', why: 'a recent release' },
] as const;

export interface HistoricCrd {
  name: string;
  group: string;
  scope: string;
  names: { plural: string; singular: string; kind: string; shortNames?: string[]; categories?: string[]; listKind?: string };
  versions: { name: string; served: boolean; storage: boolean; subresources?: Record<string, unknown>; schema: { openAPIV3Schema: Record<string, unknown> } }[];
}

export interface HistoricRelease {
  linkerd: string;
  crds: HistoricCrd[];
}

/** The recorded CRDs of one release (no network). */
export function historicRelease(tag: string): HistoricRelease {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'upstream', 'history', `${tag}.json`), 'utf8')) as HistoricRelease;
}

export function storageVersionOf(crd: HistoricCrd): string {
  return crd.versions.find((v) => v.storage)!.name;
}

/**
 * The CustomResourceDefinition object of a recorded CRD, as that release installed it: its
 * versions (served, storage, schema, subresources) and names; no conversion webhook (upstream
 * never had one for these CRDs, so the strategy is `None`).
 */
export function historicCrdObject(crd: HistoricCrd): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crd.name },
    spec: { group: crd.group, scope: crd.scope, names: crd.names, versions: crd.versions },
  };
}
