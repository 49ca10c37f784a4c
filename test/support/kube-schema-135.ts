/**
 * Kubernetes 1.35 API types, strict: every field of every object must be one the API knows,
 * with the right JSON type. The field lists come from @kubernetes/client-node 2.0.1, whose
 * models are generated from the Kubernetes v1.35.0 OpenAPI document (its `settings` file:
 * KUBERNETES_BRANCH="v1.35.0"); each model carries its fields and their types
 * (`getAttributeTypeMap`). Complements the 1.31 check (kube-schema.ts), which also checks
 * required fields and enums.
 */

interface Attribute {
  baseName: string;
  type: string;
}
type Model = { getAttributeTypeMap(): Attribute[] };

let models: Record<string, unknown> | undefined;

/** Loads the models (an ES module: the client's index needs Node 22, its models do not). */
export async function loadKube135(): Promise<void> {
  models ??= (await import('@kubernetes/client-node/dist/gen/models/ObjectSerializer.js')) as Record<string, unknown>;
}

const PRIMITIVES: Record<string, (x: unknown) => boolean> = {
  string: (x) => typeof x === 'string',
  number: (x) => typeof x === 'number',
  boolean: (x) => typeof x === 'boolean',
  Date: (x) => typeof x === 'string',
  any: () => true,
  object: () => true,
  IntOrString: (x) => typeof x === 'string' || (typeof x === 'number' && Number.isInteger(x)),
};

/**
 * Fields of type resource.Quantity, which the client's models type as strings: the API takes a
 * JSON number too (its OpenAPI v3 document says string or number; `cpu: 1` is a quantity).
 */
const QUANTITY_FIELDS = new Set([
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1EmptyDirVolumeSource.sizeLimit',
]);
const QUANTITY_MAP = '{ [key: string]: Quantity; }';
PRIMITIVES.Quantity = (x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x));

function check(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return void out.push(`${path}: expected a list`);
    value.forEach((v, i) => check(v, array[1], `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== 'object' || Array.isArray(value)) return void out.push(`${path}: expected a map`);
    for (const [k, v] of Object.entries(value)) check(v, map[1], `${path}.${k}`, out);
    return;
  }
  if (PRIMITIVES[type]) {
    if (!PRIMITIVES[type](value)) out.push(`${path}: expected ${type}, got ${JSON.stringify(value).slice(0, 40)}`);
    return;
  }
  const model = models?.[type] as Model | undefined;
  if (!model?.getAttributeTypeMap) {
    // An enum type: a string from a fixed set (the 1.31 check holds the sets).
    if (typeof value !== 'string') out.push(`${path}: expected ${type}`);
    return;
  }
  if (typeof value !== 'object' || Array.isArray(value)) return void out.push(`${path}: expected an object (${type})`);
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const field = attributes.get(k);
    const t = QUANTITY_FIELDS.has(`${type}.${k}`) ? (field?.startsWith('{') ? QUANTITY_MAP : 'Quantity') : field;
    if (!t) out.push(`${path}.${k}: unknown field (${type})`);
    else check(v, t, `${path}.${k}`, out);
  }
}

/** The model of an apiVersion and kind (`apps/v1` `Deployment` → V1Deployment), if Kubernetes has one. */
function modelOf(apiVersion: string, kind: string): string | undefined {
  const version = apiVersion.split('/').pop() ?? '';
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  return models?.[name] ? name : undefined;
}

/** Problems of one object, or undefined when it is not a Kubernetes 1.35 kind. */
export function kube135Problems(obj: { apiVersion: string; kind: string; metadata?: { name?: string } } & Record<string, unknown>): string[] | undefined {
  if (!models) throw new Error('call loadKube135() first');
  const model = modelOf(obj.apiVersion, obj.kind);
  if (!model) return undefined;
  const out: string[] = [];
  check({ ...obj, status: undefined }, model, `${obj.kind}/${obj.metadata?.name}`, out);
  return out;
}
