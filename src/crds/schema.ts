/**
 * A small vocabulary for writing CRD schemas once, in TypeScript.
 *
 * Every helper returns a TypeBox schema, so the same definition gives
 * - the OpenAPI v3 schema written into the CustomResourceDefinition, and
 * - the TypeScript type (`Static<typeof schema>`) of the typed custom-resource constructs.
 *
 * Kubernetes structural-schema rules apply: every node has a `type` unless it is
 * int-or-string or preserves unknown fields; no `additionalProperties: false`
 * (the API server prunes unknown fields instead).
 */
import {
  Type,
  type SchemaOptions,
  type Static,
  type TProperties,
  type TSchema,
  type TObject,
  type TArray,
  type TString,
  type TInteger,
  type TNumber,
  type TBoolean,
  type TUnsafe,
} from '@sinclair/typebox';

export type { Static, TSchema };

/** Options accepted by every schema node; `description` is always ours. */
export interface NodeOptions extends SchemaOptions {
  description?: string;
  default?: unknown;
  /** CEL validation rules (`x-kubernetes-validations`). */
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string; reason?: string; fieldPath?: string }[];
}

export const s = {
  object<P extends TProperties>(properties: P, options?: NodeOptions): TObject<P> {
    return Type.Object(properties, options);
  },
  string(options?: NodeOptions & { pattern?: string; minLength?: number; maxLength?: number; format?: string }): TString {
    return Type.String(options);
  },
  enum<const T extends readonly string[]>(values: T, options?: NodeOptions): TUnsafe<T[number]> {
    return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
  },
  integer(options?: NodeOptions & { format?: 'int32' | 'int64'; minimum?: number; maximum?: number }): TInteger {
    return Type.Integer(options);
  },
  number(options?: NodeOptions & { format?: 'float' | 'double'; minimum?: number; maximum?: number }): TNumber {
    return Type.Number(options);
  },
  boolean(options?: NodeOptions): TBoolean {
    return Type.Boolean(options);
  },
  array<T extends TSchema>(
    items: T,
    options?: NodeOptions & {
      minItems?: number;
      maxItems?: number;
      'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
      'x-kubernetes-list-map-keys'?: string[];
    },
  ): TArray<T> {
    return Type.Array(items, options);
  },
  /** `x-kubernetes-int-or-string`: a port number or a port name, a quantity, … */
  intOrString(options?: NodeOptions & { pattern?: string; anyOf?: unknown[] }): TUnsafe<number | string> {
    return Type.Unsafe<number | string>({ ...options, 'x-kubernetes-int-or-string': true });
  },
  /** An object whose content is kept as given (label maps, free-form conditions). */
  freeform<T = Record<string, unknown>>(options?: NodeOptions): TUnsafe<T> {
    return Type.Unsafe<T>({ ...options, type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
  },
  /** An object with no declared fields (`{type: object}`), e.g. `metadata` in some CRDs. */
  anyObject(options?: NodeOptions): TUnsafe<Record<string, unknown>> {
    return Type.Unsafe<Record<string, unknown>>({ ...options, type: 'object' });
  },
  /** A map of string to string (`additionalProperties: {type: string}`). */
  stringMap(options?: NodeOptions & { maxProperties?: number }): TUnsafe<Record<string, string>> {
    return Type.Unsafe<Record<string, string>>({ ...options, type: 'object', additionalProperties: { type: 'string' } });
  },
  optional<T extends TSchema>(schema: T) {
    return Type.Optional(schema);
  },
};

/** The same schema with a `default`. */
export function withDefault<T extends TSchema>(schema: T, value: unknown): T {
  return { ...schema, default: value };
}

/** `apiVersion`, `kind` and `metadata`, declared by the CRDs generated with controller tools. */
export function typeMetaFields() {
  return { apiVersion: s.optional(s.string()), kind: s.optional(s.string()), metadata: s.optional(s.anyObject()) };
}

/** The whole `openAPIV3Schema` of a custom resource with a `spec` (and optionally a `status`). */
export function resourceSchema<P extends TProperties>(properties: P, options?: NodeOptions): TObject<P> {
  return Type.Object(properties, options);
}

/** A copy of a TypeBox schema as plain JSON (TypeBox's symbol keys dropped). */
export function toOpenApi(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}
