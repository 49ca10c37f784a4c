/** The static body of a CustomResourceDefinition, from its typed definition. */
import { crdName, type CrdDefinition } from './definition';
import { toOpenApi } from './schema';

export interface CrdBody {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string };
  spec: Record<string, unknown>;
}

export function crdBody(def: CrdDefinition): CrdBody {
  const names: Record<string, unknown> = { kind: def.kind, plural: def.plural, singular: def.singular };
  if (def.listKind) names.listKind = def.listKind;
  if (def.shortNames) names.shortNames = def.shortNames;
  if (def.categories) names.categories = def.categories;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: crdName(def) },
    spec: {
      group: def.group,
      names,
      scope: def.scope,
      versions: def.versions.map((v) => {
        const out: Record<string, unknown> = { name: v.name, served: v.served, storage: v.storage };
        if (v.deprecated !== undefined) out.deprecated = v.deprecated;
        if (v.deprecationWarning !== undefined) out.deprecationWarning = v.deprecationWarning;
        out.schema = { openAPIV3Schema: toOpenApi(v.schema) };
        if (v.subresources) out.subresources = v.subresources;
        if (v.additionalPrinterColumns) out.additionalPrinterColumns = v.additionalPrinterColumns;
        return out;
      }),
    },
  };
}
