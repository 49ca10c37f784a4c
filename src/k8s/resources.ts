/** Container resources (requests and limits) from values, as every chart writes them. */
import { goFloatString } from '../helm/expr';
import type { HelmValues } from '../helm/values';
import type { ResourceRequirements } from 'kubernetes-types/core/v1';

export type ResourceKind = 'cpu' | 'memory' | 'ephemeral-storage';
/** Requests and limits as quantities, strings or numbers (empty: not set); sections may be absent in optional overrides. */
export type ResourcesConfig = Partial<Record<ResourceKind, { limit?: string | number | null; request?: string | number | null }>>;

/**
 * A quantity (string or number) as text, as Helm prints it: numbers from a values file are
 * float64 to Go (`2.097152e+07`), which Kubernetes reads as the same quantity.
 */
export function quantityText<V>(v: HelmValues<V>, value: string | number | null | undefined): string {
  return typeof value === 'number' ? goFloatString(value) : v.fmt`${value}`;
}

/** `resources` from requests and limits (quantities, as strings or numbers), empty ones left out (and the whole block when all are). */
export function resourcesOf<V>(v: HelmValues<V>, r: ResourcesConfig | undefined): ResourceRequirements | undefined {
  const kinds = ['cpu', 'memory', 'ephemeral-storage'] as const;
  // Each quantity is read once into a template variable ($cpuLimit …): the conditions below repeat them.
  const camel = (k: ResourceKind, field: string) => `${k.replace(/-(.)/g, (_, c: string) => c.toUpperCase())}${field[0].toUpperCase()}${field.slice(1)}`;
  const bound = new Map(kinds.flatMap((k) => (['limit', 'request'] as const).map((f) => [`${k}.${f}`, v.bind(camel(k, f), v.get(v.get(r, k), f) as string)])));
  const value = (k: ResourceKind, field: 'limit' | 'request') => bound.get(`${k}.${field}`) as string;
  // A kind left out by maybe is absent in the rendered object.
  const block = (field: 'limit' | 'request') => Object.fromEntries(kinds.map((k) => [k, v.maybe(v.truthy(value(k, field)), value(k, field))])) as Record<string, string>;
  const anyOf = (field: 'limit' | 'request') => v.or(...kinds.map((k) => v.truthy(value(k, field))));
  return v.maybe(v.or(anyOf('limit'), anyOf('request')), {
    ...v.fields(anyOf('limit'), { limits: block('limit') }),
    ...v.fields(anyOf('request'), { requests: block('request') }),
  });
}

/**
 * `resources` as resourcesOf gives it, for requests and limits read from one values key or
 * section: in templates one shared definition (`templates/_resources.tpl`) that every container
 * of the chart includes with its own key.
 */
export function sharedResources<V>(v: HelmValues<V>, r: ResourcesConfig | undefined): ResourceRequirements | undefined {
  return v.partial('resources.container', { resources: r }, (a) => resourcesOf(v, a.resources));
}
