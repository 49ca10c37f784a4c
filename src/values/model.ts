/**
 * The values model: one TypeBox definition per chart gives the TypeScript type,
 * the defaults, values.yaml (with `# --` docs), the strict values.schema.json,
 * runtime validation, and the values table in the chart README.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import type { default as Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { AJV_OPTIONS, precompiledValidator } from './precompiled';
import { dump } from 'js-yaml';

export type { Static };

interface Doc {
  /** Shown in values.yaml (`# --`), the schema and the README. Required: every key is documented. */
  description: string;
}

/**
 * Duration grammars, each written once and anchored. Which one a key takes depends on the
 * program that parses it, not on how it looks:
 * - `go`: Go's `time.ParseDuration` (identity, cert-manager, the OpenTelemetry collector,
 *   Jaeger): an optional sign, then `0` or one or more decimal numbers (`1`, `1.5`, `.5`, `1.`)
 *   each with a unit ns, us, µs (U+00B5), μs (U+03BC), ms, s, m or h (`1h30m`, `-1.5h`).
 *   There is no `d`.
 * - `goNonNegative`: the same, without a minus sign (timeouts and retention periods that the
 *   OpenTelemetry collector and Jaeger refuse below zero).
 * - `proxy`: the Linkerd proxy and the network validator (Rust): a whole number with ms, s,
 *   m, h or d, or `0`; no fractions, no sequences.
 * - `prometheus`: Prometheus durations (Prometheus Operator's `Duration`): whole numbers with
 *   y, w, d, h, m, s, ms, in that order (`1h30m`), or `0`; never empty.
 */
export const DURATION = {
  go: '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$',
  goNonNegative: '^[+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$',
  proxy: '^(0|[0-9]+(ms|s|m|h|d))$',
  prometheus: '^(0|([0-9]+y)?([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?)$',
} as const;
export type DurationGrammar = keyof typeof DURATION;

const DURATION_EXAMPLE: Record<DurationGrammar, string> = { go: '500ms, 10s, 1h30m (no d)', goNonNegative: '500ms, 10s, 1h30m (no d, not negative)', proxy: '500ms, 10s, 5m, 1d', prometheus: '30s, 1m, 1h30m' };

/**
 * A Kubernetes resource quantity (`resource.Quantity`) that a request or limit may hold: a
 * non-negative decimal number with an optional binary (Ki … Ei), decimal (n, u, m, k, M … E)
 * or exponent (`e3`) suffix. YAML numbers (`cpu: 1`, `0.5`) are quantities too.
 */
export const QUANTITY = '^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$';

/**
 * A DNS-1123 subdomain (lower-case letters, digits, `-` and `.`, each label starting and
 * ending with a letter or digit), as Kubernetes names and Linkerd trust domains are. At most
 * 253 characters (`maxLength`).
 */
export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

/** Text with at least one PEM certificate block (what Linkerd's trust-anchor readers take; text around the blocks is ignored). */
export const PEM_CERTIFICATES = '^[\\s\\S]*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----[\\s\\S]*$';

/** `pattern`, or also the empty string (`^$|` in front of an anchored pattern). */
export function orEmpty(pattern: string): string {
  return `^$|${pattern}`;
}

/** Schema constructors for values. Objects reject unknown keys. */
/** The header of a chart's generated values.yaml: the chart, and the module its values are defined in. */
export function valuesFileHeader(chart: string, source: string): string {
  return `Default values for ${chart}.\nThis file is generated from the TypeScript values model; edit ${source} instead.`;
}

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
  /**
   * A duration in the grammar of the program that reads it (see DURATION); `optional`: the
   * empty string (not set) is accepted too.
   */
  duration(grammar: DurationGrammar, defaultValue: string, doc: Doc & { optional?: boolean }) {
    const { optional, ...rest } = doc;
    const pattern = optional ? orEmpty(DURATION[grammar]) : DURATION[grammar];
    return Type.String({ ...rest, default: defaultValue, pattern, minLength: optional ? 0 : 1 });
  },
  /**
   * A Kubernetes quantity, as a string (`"100m"`, `"1Gi"`) or a YAML number (`1`, `0.5`);
   * `optional`: the empty string (not set) is accepted too.
   */
  quantity(defaultValue: string, doc: Doc & { optional?: boolean }) {
    return Type.Unsafe<string | number>({ ...quantitySchema(doc.optional), description: doc.description, default: defaultValue });
  },
  /** A map with keys of a given shape (`additionalProperties: false` for other keys). */
  record<T extends TSchema>(keyPattern: string, value: T, defaultValue: Record<string, Static<T>>, doc: Doc) {
    return Type.Record(Type.String({ pattern: keyPattern }), value, { ...doc, default: defaultValue, additionalProperties: false });
  },
  /**
   * Settings of one list item that fall back to a defaults section (read with `v.dig`): the
   * item's own keys (`own`, all required) and every key of `defaults` at every level, each
   * optional and without a default, so that what an item leaves out comes from `defaults`.
   */
  overrides<R extends TProperties, P extends TProperties>(own: R, defaults: TObject<P>, doc: Doc) {
    const optional = (node: JsonSchema): JsonSchema => {
      const { default: _d, required: _r, examples: _e, ...rest } = node;
      return rest.properties ? { ...rest, properties: Object.fromEntries(Object.entries(rest.properties).map(([k, p]) => [k, optional(p)])) } : rest;
    };
    const inherited = (stripSymbols(defaults) as JsonSchema).properties ?? {};
    return Type.Unsafe<Static<TObject<R>> & DeepPartial<Static<TObject<P>>>>({
      ...doc,
      type: 'object',
      additionalProperties: false,
      required: Object.keys(own),
      properties: { ...Object.fromEntries(Object.entries(inherited).map(([k, p]) => [k, optional(p)])), ...stripSymbols(own) },
    });
  },
  /** A key with no default: absent from the defaults, shown commented out in values.yaml. */
  unset<T extends TSchema>(schema: T, example: Static<T>) {
    return Type.Optional(Type.Unsafe<Static<T>>({ ...stripSymbols(schema), examples: [example] }));
  },
};

/** Every key optional, at every level (plain objects only; lists and scalars stay as they are). */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The schema of a quantity (string or number), without description or default, for nesting in other schemas. */
export function quantitySchema(optional = false): Record<string, unknown> {
  return { type: ['string', 'number'], pattern: optional ? orEmpty(QUANTITY) : QUANTITY, minimum: 0 };
}

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
      // A long default (a structure) is in values.yaml, with its comments; the table stays readable.
      const json = JSON.stringify(child.default);
      const def = child.default === undefined ? '(unset)' : json.length > 80 ? 'see values.yaml' : `\`${esc(json)}\``;
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

/**
 * Keys that upstream Linkerd once had (and that its docs may still show) and that its chart no
 * longer reads, by dotted path, with what replaced them. The schema still refuses them; the
 * message says what to write instead.
 */
const replacedKeys = new WeakMap<TSchema, Record<string, string>>();

/** Registers the replaced keys of a chart's values schema (see `replacedKeys`). */
export function withReplacedKeys<T extends TSchema>(schema: T, table: Record<string, string>): T {
  replacedKeys.set(schema, table);
  return schema;
}

/** The replaced keys registered for a schema (dotted path: what replaced it). */
export function replacedKeysOf(schema: TSchema): Record<string, string> {
  return replacedKeys.get(schema) ?? {};
}

function patternMessage(pattern: string, got: unknown): string | undefined {
  for (const [grammar, p] of Object.entries(DURATION) as [DurationGrammar, string][]) {
    if (pattern === p || pattern === orEmpty(p)) {
      return `expected a duration (${DURATION_EXAMPLE[grammar]}${pattern === p ? '' : '; empty: not set'}), got ${describeValue(got)}`;
    }
  }
  if (pattern === PEM_CERTIFICATES || pattern === orEmpty(PEM_CERTIFICATES)) return `expected PEM certificate(s) ("-----BEGIN CERTIFICATE-----" blocks), got ${describeValue(got)}`;
  if (pattern === DNS1123_SUBDOMAIN || pattern === orEmpty(DNS1123_SUBDOMAIN)) return `expected a DNS subdomain (lower-case letters, digits, '-' and '.'), got ${describeValue(got)}`;
  if (pattern === QUANTITY || pattern === orEmpty(QUANTITY)) return `expected a Kubernetes quantity (e.g. 100m, 0.5, 1, 128Mi, 1Gi), got ${describeValue(got)}`;
  return undefined;
}

function problemOf(e: ErrorObject, values: unknown, replaced: Record<string, string>): ValuesProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = path.join('.');
  const got = valueAt(values, e.instancePath);
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const full = key ? `${key}.${extra}` : extra;
      const replacement = replaced[full];
      return { key: full, message: replacement ? `no longer a value of this chart (nor of upstream's): ${replacement}` : 'unknown key (not a value of this chart)' };
    }
    case 'pattern': {
      const message = patternMessage((e.params as { pattern: string }).pattern, got);
      if (message) return { key, message };
      return { key, message: `${e.message ?? e.keyword}, got ${describeValue(got)}` };
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

let ajv: Ajv | undefined;
const validators = new WeakMap<TSchema, ValidateFunction>();

/** Checks values against the chart's schema; one problem per offending key. */
export function validateValues(schema: TSchema, values: unknown): ValuesProblem[] {
  let validate = validators.get(schema);
  if (!validate) {
    const json = stripSymbols(schema);
    // ajv itself is loaded only for a schema without a precompiled validator.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validate = precompiledValidator(json) ?? (ajv ??= new (require('ajv').default as typeof Ajv)(AJV_OPTIONS)).compile(json);
    validators.set(schema, validate);
  }
  if (validate(values)) return [];
  // One problem per key: the first (ajv reports the type before narrower keywords).
  const byKey = new Map<string, ValuesProblem>();
  const replaced = replacedKeysOf(schema);
  for (const e of validate.errors ?? []) {
    const p = problemOf(e, values, replaced);
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
