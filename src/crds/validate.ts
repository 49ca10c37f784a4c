/**
 * Validation of custom resources against our CRD schemas, with Kubernetes'
 * OpenAPI extensions understood (int-or-string; the others are annotations here).
 * CEL rules (`x-kubernetes-validations`) are evaluated by the API server, not here.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { crdName, type CrdDefinition, type CrdVersion } from './definition';
import { toOpenApi } from './schema';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
ajv.addKeyword({
  keyword: 'x-kubernetes-int-or-string',
  type: [],
  validate: (enabled: boolean, data: unknown) => !enabled || typeof data === 'string' || (typeof data === 'number' && Number.isInteger(data)),
  errors: false,
});
for (const keyword of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-validations', 'x-kubernetes-map-type']) {
  ajv.addKeyword({ keyword, schemaType: ['boolean', 'string', 'array', 'object'] });
}

const compiled = { prune: new WeakMap<CrdVersion, ValidateFunction>(), reject: new WeakMap<CrdVersion, ValidateFunction>() };

type Node = Record<string, unknown>;

/**
 * The same schema with unknown fields refused in every declared object (the API server would
 * prune them silently): objects with `properties` that neither preserve unknown fields nor
 * declare `additionalProperties` get `additionalProperties: false`.
 */
function rejectingUnknownFields(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rejectingUnknownFields);
  if (node === null || typeof node !== 'object') return node;
  const out: Node = {};
  for (const [k, child] of Object.entries(node as Node)) {
    out[k] =
      k === 'properties' && child && typeof child === 'object'
        ? Object.fromEntries(Object.entries(child as Node).map(([name, c]) => [name, rejectingUnknownFields(c)]))
        : rejectingUnknownFields(child);
  }
  const closed = out.type === 'object' && out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields'];
  return closed ? { ...out, additionalProperties: false } : out;
}

export interface ValidateOptions {
  /**
   * `prune` (default): unknown fields pass, as the API server accepts (and drops) them;
   * `reject`: an unknown field under `spec` is a problem (what the typed constructs want: a
   * misspelt field would otherwise vanish).
   */
  unknownFields?: 'prune' | 'reject';
}

/** Problems of a custom resource against one version of a CRD, as `path: message` lines. */
export function validateCustomResource(def: CrdDefinition, version: string, resource: unknown, opts: ValidateOptions = {}): string[] {
  const v = def.versions.find((x) => x.name === version);
  if (!v) return [`${crdName(def)} has no version ${version}`];
  const mode = opts.unknownFields ?? 'prune';
  let fn = compiled[mode].get(v);
  if (!fn) {
    const schema = toOpenApi(v.schema) as Node;
    const properties = schema.properties as Node | undefined;
    // Only under spec: apiVersion, kind and metadata are not always declared at the root.
    const strict = mode === 'reject' && properties?.spec ? { ...schema, properties: { ...properties, spec: rejectingUnknownFields(properties.spec) } } : schema;
    fn = ajv.compile(strict);
    compiled[mode].set(v, fn);
  }
  if (fn(resource)) return [];
  return (fn.errors ?? []).map((e) => {
    const path = e.instancePath.split('/').slice(1).join('.') || '(root)';
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return `${path === '(root)' ? '' : `${path}.`}${field}: unknown field (not in the ${def.kind} ${version} schema)`;
    }
    const extra = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
    const message = e.keyword === 'x-kubernetes-int-or-string' ? 'must be an integer or a string' : `${e.message}${extra}`;
    return `${path}: ${message}`;
  });
}
