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

const compiled = new WeakMap<CrdVersion, ValidateFunction>();

/** Problems of a custom resource against one version of a CRD, as `path: message` lines. */
export function validateCustomResource(def: CrdDefinition, version: string, resource: unknown): string[] {
  const v = def.versions.find((x) => x.name === version);
  if (!v) return [`${crdName(def)} has no version ${version}`];
  let fn = compiled.get(v);
  if (!fn) {
    fn = ajv.compile(toOpenApi(v.schema));
    compiled.set(v, fn);
  }
  if (fn(resource)) return [];
  return (fn.errors ?? []).map((e) => {
    const path = e.instancePath.split('/').slice(1).join('.') || '(root)';
    const extra = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
    const message = e.keyword === 'x-kubernetes-int-or-string' ? 'must be an integer or a string' : `${e.message}${extra}`;
    return `${path}: ${message}`;
  });
}
