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

/** A DNS-1123 label (a namespace, a Service name): a subdomain without dots, at most 63 characters. */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

const IPV4 = '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const H16 = '[0-9a-fA-F]{1,4}';
const IPV6 = [
  `(${H16}:){7}${H16}`,
  `(${H16}:){1,7}:`,
  `(${H16}:){1,6}:${H16}`,
  `(${H16}:){1,5}(:${H16}){1,2}`,
  `(${H16}:){1,4}(:${H16}){1,3}`,
  `(${H16}:){1,3}(:${H16}){1,4}`,
  `(${H16}:){1,2}(:${H16}){1,5}`,
  `${H16}:(:${H16}){1,6}`,
  `:((:${H16}){1,7}|:)`,
].join('|');
const CIDR = `(${IPV4}/(3[0-2]|[12]?[0-9])|(${IPV6})/(12[0-8]|1[01][0-9]|[1-9]?[0-9]))`;

/**
 * A comma-separated list of CIDRs (`10.0.0.0/8,fd00::/8`), as Go's `net.ParseCIDR` reads each:
 * IPv4 with a prefix of at most 32, IPv6 (with `::`) with at most 128; no spaces.
 */
export const CIDR_LIST = `^${CIDR}(,${CIDR})*$`;

/** An image tag, as the OCI distribution spec and Kubernetes take it: word characters, `.` and `-`, at most 128, not starting with `.` or `-`. */
export const IMAGE_TAG = '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$';

const PATH_COMPONENT = '[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*';
/**
 * An image repository, with or without its registry (`cr.l5d.io/linkerd/proxy`, `prom`,
 * `localhost:5000/x`): an optional registry host (with port) and lower-case path components; no tag.
 */
export const IMAGE_REPOSITORY = `^([a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?(:[0-9]+)?/)?${PATH_COMPONENT}(/${PATH_COMPONENT})*$`;

const QUALIFIED_NAME = '[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
/**
 * A label or annotation key (a Kubernetes qualified name): an optional DNS-subdomain prefix and
 * `/`, then a name of at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a
 * letter or digit.
 */
export const QUALIFIED_KEY = `^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*/)?${QUALIFIED_NAME}$`;

/** A label value: empty, or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit. */
export const LABEL_VALUE = `^(${QUALIFIED_NAME})?$`;

/** The API server's limit on an object's annotations, keys and values together (256 KiB); one value can never exceed it. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Text with at least one PEM certificate block (what Linkerd's trust-anchor readers take; text around the blocks is ignored). */
// White space is spelled out: Go's \s (Helm's schema check) is ASCII only, JavaScript's takes Unicode spaces too.
export const PEM_CERTIFICATES = '^[\\s\\S]*-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\t\\n\\f\\r ]+-----END CERTIFICATE-----[\\s\\S]*$';

/**
 * What marks PEM private key material ("-----BEGIN EC PRIVATE KEY-----", "… RSA PRIVATE KEY",
 * "… ENCRYPTED PRIVATE KEY", "… OPENSSH PRIVATE KEY"). A value that holds it is described in
 * every message, never printed (see describeValue).
 */
export const PRIVATE_KEY = 'PRIVATE KEY';

/**
 * What a certificate value must be when it holds a private key: the `const` of the schema's
 * `if`/`then`, the only text Helm 3 and Helm 4 print for it (never the value itself).
 */
export const NOT_A_PRIVATE_KEY = 'a PEM certificate, not the PEM private key given (not shown)';

/** Base64 text alone (e.g. a key's body without its BEGIN/END lines): refused like a private key, never printed. */
export const BARE_BASE64 = '^[\\t\\n\\f\\r ]*[A-Za-z0-9+/=]{16,}[A-Za-z0-9+/=\\t\\n\\f\\r ]*$';
/** What a certificate value must be when it is bare base64 (see NOT_A_PRIVATE_KEY). */
export const NOT_BARE_BASE64 = 'a PEM certificate with its BEGIN/END lines, not bare base64 (not shown)';

/** The pattern of a certificate bundle value: certificate blocks, or what the `if`/`then` of val.certificate refuses without printing it. */
const CERTIFICATE_BUNDLE = `^$|${PRIVATE_KEY}|${BARE_BASE64}|${PEM_CERTIFICATES}`;

/** `pattern`, or also the empty string (`^$|` in front of an anchored pattern). */
export function orEmpty(pattern: string): string {
  return `^$|${pattern}`;
}

/** The schema of a map of labels (no default: for `val.unset`; `val.labels` gives one). */
export function labelMap(doc: Doc & { default?: Record<string, string> }) {
  return Type.Record(Type.String({ pattern: QUALIFIED_KEY }), Type.String({ pattern: LABEL_VALUE }), { ...doc, additionalProperties: false });
}

/** The schema of a map of annotations (no default: for `val.unset`; `val.annotations` gives one). */
export function annotationMap(doc: Doc & { default?: Record<string, string> }) {
  return Type.Record(Type.String({ pattern: QUALIFIED_KEY }), Type.String({ maxLength: ANNOTATIONS_MAX_BYTES }), { ...doc, additionalProperties: false });
}

/**
 * The header of a chart's generated values.yaml. It is what `helm show values` prints to a user
 * of the packaged chart, so it says how to set values, not where they are defined in this
 * repository (`_source`, the defining module, is for the reader of the call).
 */
export function valuesFileHeader(chart: string, _source?: string): string {
  return `Default values for ${chart}. Override them with -f my-values.yaml or --set key=value;\nthe chart's README lists every key and values.schema.json checks them.`;
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
  /**
   * A PEM certificate (or CA bundle) value, empty by default; `bundle`: it must hold at least
   * one certificate block (PEM_CERTIFICATES). A private key (or bare base64, such as a key's
   * body) given here is refused with a message that never holds it: the pattern lets it through
   * and an `if`/`then` refuses it, so the schema errors Helm prints name NOT_A_PRIVATE_KEY or
   * NOT_BARE_BASE64, not the value.
   */
  certificate(doc: Doc & { bundle?: boolean }) {
    const { bundle, ...rest } = doc;
    return Type.String({
      ...rest,
      default: '',
      ...(bundle ? { pattern: CERTIFICATE_BUNDLE } : {}),
      allOf: [
        { if: { pattern: PRIVATE_KEY }, then: { const: NOT_A_PRIVATE_KEY } },
        { if: { pattern: BARE_BASE64 }, then: { const: NOT_BARE_BASE64 } },
      ],
    });
  },
  /** A map of string to string (labels, annotations, node selectors). */
  stringMap(defaultValue: Record<string, string>, doc: Doc) {
    return Type.Record(Type.String(), Type.String(), { ...doc, default: defaultValue });
  },
  /** Labels (`commonLabels`, `podLabels`, a nodeSelector): qualified-name keys, label values (at most 63 characters). */
  labels(defaultValue: Record<string, string>, doc: Doc) {
    return labelMap({ ...doc, default: defaultValue });
  },
  /** Annotations: qualified-name keys, any text up to the API server's 256 KiB. */
  annotations(defaultValue: Record<string, string>, doc: Doc) {
    return annotationMap({ ...doc, default: defaultValue });
  },
  /**
   * A name the API server or DNS reads: a DNS subdomain (`cluster.local`, a trust domain) or,
   * with `label`, a DNS label (a namespace, a Service name); `optional`: empty is accepted too.
   */
  dnsName(defaultValue: string, doc: Doc & { label?: boolean; optional?: boolean }) {
    const { label, optional, ...rest } = doc;
    const pattern = label ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
    return Type.String({ ...rest, default: defaultValue, pattern: optional ? orEmpty(pattern) : pattern, maxLength: label ? 63 : 253 });
  },
  /** An image tag (`edge-26.8.3`, `v2.55.1`); `optional`: empty (the shared default) is accepted too. */
  imageTag(defaultValue: string, doc: Doc & { optional?: boolean }) {
    const { optional, ...rest } = doc;
    return Type.String({ ...rest, default: defaultValue, pattern: optional ? orEmpty(IMAGE_TAG) : IMAGE_TAG });
  },
  /** An image repository with or without its registry (`cr.l5d.io/linkerd/proxy`), no tag. */
  imageRepository(defaultValue: string, doc: Doc & { optional?: boolean }) {
    const { optional, ...rest } = doc;
    return Type.String({ ...rest, default: defaultValue, pattern: optional ? orEmpty(IMAGE_REPOSITORY) : IMAGE_REPOSITORY });
  },
  /** Free-form Kubernetes data passed through as given (affinity, tolerations, ...); `allOf` may constrain the keys it knows (others pass). */
  freeform<T = Record<string, unknown>>(defaultValue: T, doc: Doc & { type?: 'object' | 'array'; allOf?: Record<string, unknown>[] }) {
    const { type = 'object', ...rest } = doc;
    return Type.Unsafe<T>({ ...rest, type, default: defaultValue });
  },
  /**
   * A value that may also be null (upstream leaves some keys empty, which YAML reads as null).
   * A `null` default is no default: the key is left out of `values.yaml` (written there as a
   * comment) and of the defaults, because Helm 3 keeps a chart's null default in `.Values` while
   * Helm 4 drops it, so a template that prints a values subtree (linkerd-config's copy) would
   * differ between them. Absent, the key reads as nil in every template, as null did, and both
   * Helms and our renderer agree. Not required either way.
   */
  nullable<T extends TSchema>(schema: T, defaultValue: Static<T> | null, doc: Doc) {
    const inner = stripSymbols(schema) as Record<string, unknown>;
    const { description: _d, default: _def, ...rest } = inner;
    const type = rest.type;
    return Type.Optional(Type.Unsafe<Static<T> | null>({
      ...rest,
      ...doc,
      type: Array.isArray(type) ? [...type, 'null'] : [type, 'null'],
      ...(defaultValue === null ? {} : { default: defaultValue }),
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
  /**
   * Container resources in Kubernetes' own shape (`requests`, `limits`: maps of quantities),
   * passed through as given; a request above its limit is refused (requestLimitPairs).
   */
  kubernetesResources(doc: Doc) {
    const quantities = (what: string) => ({ type: 'object', description: `${what} by resource name (cpu, memory, …): Kubernetes quantities.`, additionalProperties: quantitySchema() });
    return Type.Unsafe<{ requests?: Record<string, string | number>; limits?: Record<string, string | number>; [k: string]: unknown }>({
      ...doc,
      type: 'object',
      default: {},
      properties: { requests: quantities('Requests'), limits: quantities('Limits') },
    });
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

/** `true` when each of A and B is assignable to the other, else `false` (no distribution over unions). */
export type MutuallyAssignable<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compiles only for `true`: `ExpectTrue<MutuallyAssignable<A, B>>` fails to compile when A and B drift apart. */
export type ExpectTrue<T extends true> = T;

/** Every key optional, at every level (plain objects only; lists and scalars stay as they are). */
export type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The resources a container's requests and limits name (the API server refuses a request above its limit for each). */
export const RESOURCE_KINDS = ['cpu', 'memory', 'ephemeral-storage'] as const;

/** A request and the limit it may not exceed, by their values paths (relative to the items of `list`, for a list value's items). */
export interface RequestLimitPair {
  request: string[];
  limit: string[];
  /** The list value whose every item holds this pair (`controllers`). */
  list?: string[];
}

/**
 * Every request and its limit in a chart's values, found by the shape of the schema: a section
 * with `cpu`, `memory`, `ephemeral-storage` each holding `request` and `limit`
 * (`proxy.resources`, `destinationResources` …), or a Kubernetes `resources` block with
 * `requests` and `limits` (val.kubernetesResources); inside the items of a list value too
 * (`controllers[].resources`), with the path relative to the item and `list` set.
 */
export function requestLimitPairs(schema: TSchema): RequestLimitPair[] {
  const out: RequestLimitPair[] = [];
  const walk = (node: JsonSchema, path: string[], list?: string[]) => {
    const props = node.properties ?? {};
    const pair = (request: string[], limit: string[]) => out.push(list ? { request, limit, list } : { request, limit });
    if (props.requests && props.limits) {
      for (const kind of RESOURCE_KINDS) pair([...path, 'requests', kind], [...path, 'limits', kind]);
      return;
    }
    const kinds = RESOURCE_KINDS.filter((k) => props[k]?.properties?.request && props[k]?.properties?.limit);
    if (kinds.length > 0) {
      for (const kind of kinds) pair([...path, kind, 'request'], [...path, kind, 'limit']);
      return;
    }
    if (!list && node.items) walk(node.items, [], path);
    for (const [k, child] of Object.entries(props)) walk(child, [...path, k], list);
  };
  walk(stripSymbols(schema) as JsonSchema, []);
  return out;
}

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
      if (child.type === 'object' && child.properties && child.default === undefined && node.required?.includes(k)) {
        // A section whose keys are all unset is an empty map, not null (YAML's reading of a bare `key:`).
        const empty = Object.keys(defaultsOf(child as TSchema)).length === 0;
        out.push(`${indent}${key}:${empty ? ' {}' : ''}`);
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
      if (child.type === 'object' && child.properties && child.default === undefined && node.required?.includes(k)) {
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

/**
 * A value for a message. Never the bytes of a private key: a value that holds PEM private key
 * material, or any value of a PEM key (`secret`: `*PEM`, `caBundle`), is described by its kind, its length and
 * its first line when that is a PEM header.
 */
export function describeValue(v: unknown, secret = false): string {
  const s = JSON.stringify(v);
  if (s === undefined) return 'nothing';
  if (secret || s.includes(PRIVATE_KEY)) return describeSecret(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** "a PEM private key (227 characters, first line "-----BEGIN EC PRIVATE KEY-----")", without its bytes. */
export function describeSecret(v: unknown): string {
  if (typeof v !== 'string') return `a ${Array.isArray(v) ? 'list' : v === null ? 'null' : typeof v} (not shown: it may hold key material)`;
  const first = v.trimStart().split(/\r?\n/)[0].trim();
  const header = /^-----BEGIN [A-Z0-9 ]{1,40}-----$/.test(first) ? `, first line "${first}"` : '';
  const kind = v.includes(PRIVATE_KEY) ? 'a PEM private key' : header ? 'PEM text' : new RegExp(BARE_BASE64).test(v) ? 'base64 text without BEGIN/END lines' : 'text';
  return `${kind} (${v.length} characters${header}; not shown)`;
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

function patternMessage(pattern: string, got: unknown, secret: boolean): string | undefined {
  const show = (v: unknown) => describeValue(v, secret);
  for (const [grammar, p] of Object.entries(DURATION) as [DurationGrammar, string][]) {
    if (pattern === p || pattern === orEmpty(p)) {
      return `expected a duration (${DURATION_EXAMPLE[grammar]}${pattern === p ? '' : '; empty: not set'}), got ${show(got)}`;
    }
  }
  if (pattern === CERTIFICATE_BUNDLE) return `expected PEM certificate(s) ("-----BEGIN CERTIFICATE-----" blocks), got ${show(got)}`;
  if (pattern === PEM_CERTIFICATES || pattern === orEmpty(PEM_CERTIFICATES)) return `expected PEM certificate(s) ("-----BEGIN CERTIFICATE-----" blocks), got ${show(got)}`;
  if (pattern === DNS1123_SUBDOMAIN || pattern === orEmpty(DNS1123_SUBDOMAIN)) return `expected a DNS subdomain (lower-case letters, digits, '-' and '.'), got ${show(got)}`;
  if (pattern === DNS1123_LABEL || pattern === orEmpty(DNS1123_LABEL)) return `expected a DNS label (at most 63 lower-case letters, digits and '-'), got ${show(got)}`;
  if (pattern === CIDR_LIST || pattern === orEmpty(CIDR_LIST)) return `expected comma-separated CIDRs (e.g. 10.0.0.0/8,fd00::/8; prefix at most 32 for IPv4, 128 for IPv6; no spaces), got ${show(got)}`;
  if (pattern === IMAGE_TAG || pattern === orEmpty(IMAGE_TAG)) return `expected an image tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-'), got ${show(got)}`;
  if (pattern === IMAGE_REPOSITORY || pattern === orEmpty(IMAGE_REPOSITORY)) return `expected an image repository (e.g. cr.l5d.io/linkerd/proxy: lower-case path, optional registry, no tag), got ${show(got)}`;
  if (pattern === LABEL_VALUE) return `expected a label value (at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got ${show(got)}`;
  if (pattern === QUANTITY || pattern === orEmpty(QUANTITY)) return `expected a Kubernetes quantity (e.g. 100m, 0.5, 1, 128Mi, 1Gi), got ${show(got)}`;
  return undefined;
}

/** The key pattern of the map at `path` (its only `patternProperties` entry), if it has one. */
function keyPatternOf(root: JsonSchema, path: string[]): string | undefined {
  let node: JsonSchema | undefined = root;
  for (const part of path) {
    if (!node) return undefined;
    if (node.properties?.[part]) node = node.properties[part];
    else if (node.patternProperties) node = Object.values(node.patternProperties)[0];
    else if (node.items) node = node.items;
    else if (typeof node.additionalProperties === 'object') node = node.additionalProperties;
    else return undefined;
  }
  const patterns = Object.keys(node?.patternProperties ?? {});
  return patterns.length === 1 ? patterns[0] : undefined;
}

function problemOf(e: ErrorObject, values: unknown, replaced: Record<string, string>, root: JsonSchema): ValuesProblem {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const key = path.join('.');
  const got = valueAt(values, e.instancePath);
  const secret = /(PEM|caBundle)$/.test(key);
  const describe = (v: unknown) => describeValue(v, secret);
  const allowed = (e.params as { allowedValue?: unknown }).allowedValue;
  const refusedKeyMaterial = e.keyword === 'if' || e.keyword === 'allOf' || (e.keyword === 'const' && (allowed === NOT_A_PRIVATE_KEY || allowed === NOT_BARE_BASE64));
  if (secret && refusedKeyMaterial) {
    const isKey = typeof got === 'string' && got.includes(PRIVATE_KEY);
    return { key, message: `expected a PEM certificate, got ${describeSecret(got)}${isKey ? ': the private key belongs in a keyPEM value' : ''}` };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const full = key ? `${key}.${extra}` : extra;
      const replacement = replaced[full];
      if (!replacement && keyPatternOf(root, path) === QUALIFIED_KEY) {
        return { key: full, message: `not a valid label or annotation key (an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)` };
      }
      return { key: full, message: replacement ? `no longer a value of this chart (nor of upstream's): ${replacement}` : 'unknown key (not a value of this chart)' };
    }
    case 'pattern': {
      const message = patternMessage((e.params as { pattern: string }).pattern, got, secret);
      if (message) return { key, message };
      return { key, message: `${e.message ?? e.keyword}, got ${describe(got)}` };
    }
    case 'type':
      return { key, message: `expected ${(e.params as { type: string }).type}, got ${describe(got)}` };
    case 'enum':
      return {
        key,
        message: `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(got)}`,
      };
    case 'const':
      return { key, message: `expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}, got ${describe(got)}` };
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { key: key ? `${key}.${missing}` : missing, message: 'required' };
    }
    default:
      return { key, message: `${e.message ?? e.keyword}, got ${describe(got)}` };
  }
}

let ajv: Ajv | undefined;
const validators = new WeakMap<TSchema, ValidateFunction>();

/**
 * Checks values against the chart's schema; one problem per offending key. `validatorFile`: the
 * file name of the schema's precompiled validator (src/values/precompiled.ts), when known.
 */
export function validateValues(schema: TSchema, values: unknown, validatorFile?: string): ValuesProblem[] {
  let validate = validators.get(schema);
  if (!validate) {
    // The validator's digest is of the schema's JSON text, which has no symbols: no copy of the
    // schema is made unless ajv has to compile it; ajv itself is loaded only then.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validate = precompiledValidator(schema, validatorFile) ?? (ajv ??= new (require('ajv').default as typeof Ajv)(AJV_OPTIONS)).compile(stripSymbols(schema));
    validators.set(schema, validate);
  }
  if (validate(values)) return [];
  // One problem per key: the first (ajv reports the type before narrower keywords).
  const byKey = new Map<string, ValuesProblem>();
  const replaced = replacedKeysOf(schema);
  const json = stripSymbols(schema) as JsonSchema;
  for (const e of validate.errors ?? []) {
    const p = problemOf(e, values, replaced, json);
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
