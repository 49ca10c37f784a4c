/**
 * Random valid values from a chart's JSON schema (fast-check), for the
 * equivalence property. Every key is optional, so defaults are exercised too.
 */
import fc from 'fast-check';
import { coalesce, defaultsOf, stripSymbols, validateValues } from '../../src/values/model';
import type { TSchema } from '@sinclair/typebox';

interface Node {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  patternProperties?: Record<string, Node>;
  items?: Node;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
}

/** Strings that stress quoting: YAML specials, template braces, unicode, look-alikes of other types. */
const trickyString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('true', 'no', '1', '0x1F', '1e3', 'null', '~', '', ' ', '{{ .Values }}', 'a: b', '- x', '#x', "'q'", '"dq"', '%v', '\\n', 'multi\nline', 'ü∂ ✓', '<&>'),
);

const labelKey = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,10}[a-z0-9])?(\/[a-z0-9]([-a-z0-9]{0,8}[a-z0-9])?)?$/);

const freeformLeaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean());
const freeformObject = fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,8}$/), freeformLeaf, { maxKeys: 3 });

export function arbitraryFor(node: Node): fc.Arbitrary<unknown> {
  if (node.const !== undefined) return fc.constant(node.const);
  if (node.enum) return fc.constantFrom(...node.enum);
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  switch (type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: node.minimum ?? -2_000_000_000, max: node.maximum ?? 2_000_000_000 });
    case 'number':
      return fc.double({ min: node.minimum ?? -1e6, max: node.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
    case 'string': {
      const base = node.pattern ? fc.stringMatching(new RegExp(node.pattern)) : trickyString;
      return base.filter((s) => s.length >= (node.minLength ?? 0) && s.length <= (node.maxLength ?? Infinity));
    }
    case 'array':
      return fc.array(node.items ? arbitraryFor(node.items) : freeformObject, { maxLength: Math.min(node.maxItems ?? 3, 3) });
    case 'object': {
      if (node.properties && Object.keys(node.properties).length > 0) {
        const props = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, arbitraryFor(v)]));
        return fc.record(props, { requiredKeys: [] });
      }
      if (node.patternProperties) {
        const [pattern, valueNode] = Object.entries(node.patternProperties)[0];
        const key = pattern === '^(.*)$' ? labelKey : fc.stringMatching(new RegExp(pattern));
        return fc.dictionary(key, arbitraryFor(valueNode), { maxKeys: 3 });
      }
      if (typeof node.additionalProperties === 'object') return fc.dictionary(labelKey, arbitraryFor(node.additionalProperties), { maxKeys: 3 });
      return freeformObject;
    }
    default:
      return freeformLeaf;
  }
}

/**
 * Random user values for a chart values schema, kept to those the chart accepts (the
 * generator knows types, enums, patterns and bounds; the filter covers the rest, such as
 * cross-field rules).
 */
export function arbitraryValues(schema: TSchema): fc.Arbitrary<Record<string, unknown>> {
  const values = arbitraryFor(stripSymbols(schema) as Node) as fc.Arbitrary<Record<string, unknown>>;
  return values.filter((user) => validateValues(schema, coalesce(defaultsOf(schema), user)).length === 0);
}
