/**
 * The typed description of a CustomResourceDefinition: one per CRD, written once.
 * The CRD object (chart + dist) and the typed custom-resource construct both come from it.
 */
import type { TSchema } from './schema';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface CrdVersion<S extends TSchema = TSchema> {
  /** e.g. `v1beta3` */
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  /** The whole `openAPIV3Schema`. */
  schema: S;
  /** `subresources` (only `status` is used by Linkerd's CRDs). */
  subresources?: { status?: Record<string, never> };
  additionalPrinterColumns?: PrinterColumn[];
}

export interface CrdDefinition {
  group: string;
  kind: string;
  plural: string;
  singular: string;
  listKind?: string;
  shortNames?: string[];
  categories?: string[];
  scope: 'Namespaced' | 'Cluster';
  /** Our own words, used in docs. */
  description: string;
  /** Template file (under `templates/`) of the linkerd-crds chart that holds this CRD. */
  file: string;
  versions: CrdVersion[];
}

/**
 * `kind`, `plural` and `singular` of a CRD named after its kind (lower case; the plural adds an
 * `s` unless given), and `listKind` (`<Kind>List`) where upstream's CRD declares one.
 */
export function crdNames(kind: string, o: { plural?: string; listKind?: boolean } = {}): Pick<CrdDefinition, 'kind' | 'plural' | 'singular' | 'listKind'> {
  const singular = kind.toLowerCase();
  return { kind, plural: o.plural ?? `${singular}s`, singular, ...(o.listKind ? { listKind: `${kind}List` } : {}) };
}

export function crdName(def: CrdDefinition): string {
  return `${def.plural}.${def.group}`;
}

export function storageVersion(def: CrdDefinition): CrdVersion {
  const storage = def.versions.filter((v) => v.storage);
  if (storage.length !== 1) throw new Error(`${crdName(def)}: exactly one storage version expected, found ${storage.length}`);
  return storage[0];
}
