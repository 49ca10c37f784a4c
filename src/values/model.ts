/**
 * The values model: one TypeBox definition per chart gives the TypeScript type,
 * the defaults, values.yaml (with `# --` docs), the strict values.schema.json,
 * runtime validation, and the values table in the chart README.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject } from 'ajv';
import { dump } from 'js-yaml';

export type { Static };

interface Doc {
  /** Shown in values.yaml (`# --`), the schema and the README. Required: every key is documented. */
  description: string;
}

/** Schema constructors for values. Objects reject unknown keys. */
export const val = {
  object<P extends TProperties>(properties: P, doc: Doc): TObject<P> {
    return Type.Object(properties, { ...doc, additionalProperties: false });
  },
  boolean(defaultValue: boolean, doc: Doc) {
    return Type.Boolean({ ...doc, default: defaultValue });
  },
  string(defaultValue: string, doc: Doc & { pattern?: string; minLength?: number; maxLength?: number }) {
    return Type.String({ ...doc, default: defaultValue });
  },
  integer(defaultValue: number, doc: Doc & { minimum?: number; maximum?: number }) {
    return Type.Integer({ ...doc, default: defaultValue });
  },
  enum<const T extends readonly string[]>(values: T, defaultValue: T[number], doc: Doc) {
    return Type.Unsafe<T[number]>({ ...doc, type: 'string', enum: [...values], default: defaultValue });
  },
  list<T extends TSchema>(items: T, defaultValue: Static<T>[], doc: Doc & { maxItems?: number }) {
    return Type.Array(items, { ...doc, default: defaultValue });
  },
  /** A map of string to string (labels, annotations, node selectors). */
  stringMap(defaultValue: Record<string, string>, doc: Doc) {
    return Type.Record(Type.String(), Type.String(), { ...doc, default: defaultValue });
  },
  /** Free-form Kubernetes data passed through as given (affinity, tolerations, ...). */
  freeform<T = Record<string, unknown>>(defaultValue: T, doc: Doc & { type?: 'object' | 'array' }) {
    const { type = 'object', ...rest } = doc;
    return Type.Unsafe<T>({ ...rest, type, default: defaultValue });
  },
  /**
   * A value that may also be null (upstream leaves some keys empty, which YAML reads as
   * null). Not required: `helm lint` drops null defaults before checking the schema.
   */
  nullable<T extends TSchema>(schema: T, defaultValue: Static<T> | null, doc: Doc) {
    const inner = stripSymbols(schema) as Record<string, unknown>;
    const { description: _d, default: _def, ...rest } = inner;
    const type = rest.type;
    return Type.Optional(Type.Unsafe<Static<T> | null>({
      ...rest,
      ...doc,
      type: Array.isArray(type) ? [...type, 'null'] : [type, 'null'],
      default: defaultValue,
    }));
  },
  /** An integer or a string (a count or a percentage, a port number or name). */
  intOrString(defaultValue: number | string, doc: Doc & { pattern?: string }) {
    return Type.Unsafe<number | string>({ ...doc, type: ['integer', 'string'], default: defaultValue });
  },
  /** A map with keys of a given shape (`additionalProperties: false` for other keys). */
  record<T extends TSchema>(keyPattern: string, value: T, defaultValue: Record<string, Static<T>>, doc: Doc) {
    return Type.Record(Type.String({ pattern: keyPattern }), value, { ...doc, default: defaultValue, additionalProperties: false });
  },
  /** A key with no default: absent from the defaults, shown commented out in values.yaml. */
  unset<T extends TSchema>(schema: T, example: Static<T>) {
    return Type.Optional(Type.Unsafe<Static<T>>({ ...stripSymbols(schema), examples: [example] }));
  },
};

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  pattern?: string;
};

export function stripSymbols<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema)) as T;
}

/** The chart's default values, as `values.yaml` sets them. */
export function defaultsOf(schema: TSchema): Record<string, unknown> {
  // Objects that are always present (required) get their children's defaults; keys without
  // a default, optional objects among them, stay absent.
  const walk = (node: JsonSchema, present: boolean): unknown => {
    if (node.default !== undefined) return structuredClone(node.default);
    if (present && node.type === 'object' && node.properties) {
      const out: Record<string, unknown> = {};
      for (const [k, child] of Object.entries(node.properties)) {
        const d = walk(child, node.required?.includes(k) ?? false);
        if (d !== undefined) out[k] = d;
      }
      return out;
    }
    return undefined;
  };
  return walk(stripSymbols(schema) as JsonSchema, true) as Record<string, unknown>;
}

/** `values.schema.json`: the same rules Helm enforces at install time. */
export function jsonSchemaOf(schema: TSchema): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(stripSymbols(schema) as object) };
}

function docLines(description: string, indent: string): string[] {
  const words = description.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '# --';
  for (const w of words) {
    if (line.length + w.length + 1 > 78 && line !== '# --' && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${w}`;
  }
  lines.push(line);
  return lines.map((l) => indent + l);
}

function yamlValue(value: unknown, indent: string): string {
  const isEmptyContainer = Array.isArray(value) ? value.length === 0 : value !== null && typeof value === 'object' && Object.keys(value).length === 0;
  if (value === null || typeof value !== 'object' || isEmptyContainer) {
    return ` ${dump(value, { flowLevel: 0, lineWidth: -1, forceQuotes: true, quotingType: '"' }).trimEnd()}`;
  }
  return `\n${dump(value, { lineWidth: -1, noRefs: true, forceQuotes: true, quotingType: '"' })
    .trimEnd()
    .split('\n')
    .map((l) => `${indent}  ${l}`)
    .join('\n')}`;
}

/** `values.yaml` with a `# --` comment on every key. */
export function valuesYamlOf(schema: TSchema, header: string): string {
  const out: string[] = header.split('\n').map((l) => (l ? `# ${l}` : '#'));
  out.push('');
  const walk = (node: JsonSchema, indent: string) => {
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      if (!child.description) throw new Error(`values key '${k}' has no description`);
      out.push(...docLines(child.description, indent));
      const key = dump({ [k]: null }).split(':')[0];
      if (child.type === 'object' && child.properties && node.required?.includes(k)) {
        out.push(`${indent}${key}:`);
        walk(child, `${indent}  `);
      } else if (child.default === undefined) {
        out.push(`${indent}# ${key}:${yamlValue(child.examples?.[0] ?? null, `${indent}# `)}`);
      } else {
        out.push(`${indent}${key}:${yamlValue(child.default, indent)}`);
      }
    }
  };
  walk(stripSymbols(schema) as JsonSchema, '');
  return `${out.join('\n')}\n`;
}

function typeName(node: JsonSchema): string {
  if (node.enum) return node.enum.map((e) => JSON.stringify(e)).join(' \\| ');
  if (node.type === 'array') return node.items?.type ? `list of ${typeName(node.items)}` : 'list';
  if (node.type === 'object' && node.patternProperties) return 'map of string';
  return Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? 'any');
}

/** The values table for a chart README. */
export function valuesTableOf(schema: TSchema): string {
  const rows: string[] = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |'];
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const walk = (node: JsonSchema, prefix: string) => {
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (child.type === 'object' && child.properties && node.required?.includes(k)) {
        walk(child, path);
        continue;
      }
      const def = child.default === undefined ? '(unset)' : `\`${esc(JSON.stringify(child.default))}\``;
      rows.push(`| \`${path}\` | ${esc(typeName(child))} | ${def} | ${esc(child.description ?? '')} |`);
    }
  };
  walk(stripSymbols(schema) as JsonSchema, '');
  return rows.join('\n');
}

/** One problem with the given values. */
export interface ValuesProblem {
  /** Dotted key path, e.g. `proxy.logLevel` (empty for the root). */
  key: string;
  message: string;
}

export function formatProblem(p: ValuesProblem): string {
  return `${p.key || '(root)'}: ${p.message}`;
}

function describeValue(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'nothing' : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(values: unknown, pointer: string): unknown {
  let cur = values;
  for (const part of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function problemOf(e: ErrorObject, values: unknown): ValuesProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = path.join('.');
  const got = valueAt(values, e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return { key: key ? `${key}.${extra}` : extra, message: 'unknown key (not a value of this chart)' };
    }
    case 'type':
      return { key, message: `expected ${(e.params as { type: string }).type}, got ${describeValue(got)}` };
    case 'enum':
      return {
        key,
        message: `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((a) => JSON.stringify(a)).join(', ')}, got ${describeValue(got)}`,
      };
    case 'const':
      return { key, message: `expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${describeValue(got)}` };
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { key: key ? `${key}.${missing}` : missing, message: 'required' };
    }
    default:
      return { key, message: `${e.message ?? e.keyword}, got ${describeValue(got)}` };
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new WeakMap<TSchema, ReturnType<typeof ajv.compile>>();

/** Checks values against the chart's schema; one problem per offending key. */
export function validateValues(schema: TSchema, values: unknown): ValuesProblem[] {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(stripSymbols(schema));
    validators.set(schema, validate);
  }
  if (validate(values)) return [];
  // One problem per key: the first (ajv reports the type before narrower keywords).
  const byKey = new Map<string, ValuesProblem>();
  for (const e of validate.errors ?? []) {
    const p = problemOf(e, values);
    if (!byKey.has(p.key)) byKey.set(p.key, p);
  }
  return [...byKey.values()];
}

/**
 * Helm's coalescing of user values over chart defaults: maps merge deeply,
 * everything else is replaced, and `null` removes a default (a `null` for a key without default stays).
 */
export function coalesce(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === null && k in out) {
      delete out[k];
    } else if (isMap(v) && isMap(out[k])) {
      out[k] = coalesce(out[k] as Record<string, unknown>, v);
    } else {
      out[k] = structuredClone(v);
    }
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
