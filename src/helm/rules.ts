/**
 * Cross-field rules: what a JSON schema cannot say about a chart's values ("with cert-manager
 * the webhook certificates cannot be given"). Each rule is written once, in the engine's
 * vocabulary, as a condition under which the values are refused with a message naming a key:
 *
 *     rule('prometheusUrl', v.and(v.not('prometheus.enabled'), v.not('prometheusUrl')), 'required when …')
 *
 * The chart's `rules(v)` is built once with symbolic values; concrete mode evaluates each
 * condition on the values (`resolveValues`: the constructs and the CLI), template mode writes
 * it as a `fail` in `templates/validate-values.yaml` (Helm), and the random-values tests
 * repair values with the same objects. Only parsing (certificates, YAML text) stays a
 * TypeScript `check`.
 */
import { emitFailWhen } from './emit';
import { Default, Dig, Expr, Lit, Logic, QUANTITY_TEMPLATE, QuantityAbove, Ref, Var, goTruthy, quantityDefinition, rooted, type RenderContext } from './expr';

const REFUSED_BY_API = 'the API server refuses a container whose request is above its limit';

/** A values path as a reference that reads nil wherever a level is absent (`(.Values.a).b`). */
function absentRef(path: readonly string[]): Ref {
  return new Ref(path, 'any', new Set(path.map((_, i) => i)));
}

/** Refuses a request (a quantity) above its limit, both values keys (see requestLimitPairs). */
export function requestRule(request: readonly string[], limit: readonly string[]): ValuesRule {
  return { key: request.join('.'), message: `above its limit ${limit.join('.')} (${REFUSED_BY_API})`, failWhen: new QuantityAbove(absentRef(request), absentRef(limit)) };
}

/**
 * Refuses a request above its limit in any item of a list value (`controllers[]`), the request
 * and limit given relative to the item. An item's resources are taken whole (an item that sets
 * them replaces the defaults' block), so an item is judged by its own request and limit alone.
 */
export function itemRequestRule(list: readonly string[], request: readonly string[], limit: readonly string[]): ValuesRule {
  const item = new Var('$item', 'object', `an item of ${list.join('.')}`);
  const at = (path: readonly string[]) => new Dig(item, path, new Lit(null));
  const key = (path: readonly string[]) => `${list.join('.')}${ITEM}.${path.join('.')}`;
  return { key: key(request), message: `above its limit ${key(limit)} (${REFUSED_BY_API})`, failWhen: new QuantityAbove(at(request), at(limit)), each: { list: absentRef(list), item } };
}

/**
 * Refuses an override section (`identityProxyResources`) whose `kind` (cpu, memory,
 * ephemeral-storage) gives a container a request above its limit, where what the override does
 * not set comes from `base` (`proxy.resources`), as the container gets it.
 */
export function overriddenRequestRule(override: string, base: string, kind: string): ValuesRule {
  const section = absentRef([...override.split('.'), kind]);
  const effective = (field: string) => new Default(absentRef([...override.split('.'), kind, field]), absentRef([...base.split('.'), kind, field]));
  return {
    key: `${override}.${kind}`,
    message: `gives a request above its limit, with what it leaves out taken from ${base}.${kind} (${REFUSED_BY_API})`,
    failWhen: new Logic('and', [section, new QuantityAbove(effective('request'), effective('limit'))]),
  };
}

/** A rule: the values are refused with `key: message` when `failWhen` holds. */
export interface ValuesRule {
  /** The values key the message names. */
  key: string;
  message: string;
  failWhen: Expr;
  /**
   * A rule for every item of a list: `failWhen` reads `item`, and `[]` in the key and message
   * stands for the index of the item it refuses (`controllers[2].resources.requests.cpu`).
   */
  each?: { list: Ref; item: Var };
}

/** Where the index of a refused list item goes in a per-item rule's key and message. */
const ITEM = '[]';

/** Declares a rule (in a chart's `rules(v)`): refuse the values, naming `key`, when `failWhen` holds. */
export function rule(key: string, failWhen: boolean, message: string): ValuesRule {
  const cond = failWhen as unknown;
  return { key, message, failWhen: cond instanceof Expr ? cond : new Lit(Boolean(cond)) };
}

/** The rules that refuse resolved values (concrete mode); a per-item rule once per item it refuses, its key and message naming the index. */
export function refusedBy(rules: readonly ValuesRule[], ctx: RenderContext): ValuesRule[] {
  return rules.flatMap((r) => {
    if (!r.each) return goTruthy(r.failWhen.evaluate(ctx)) ? [r] : [];
    const { list, item } = r.each;
    const items = list.evaluate(ctx);
    return (Array.isArray(items) ? items : []).flatMap((value, i) => {
      const refused = goTruthy(r.failWhen.evaluate({ ...ctx, vars: new Map([...(ctx.vars ?? []), [item.name, value]]) }));
      const at = (s: string) => s.split(ITEM).join(`[${i}]`);
      return refused ? [{ ...r, key: at(r.key), message: at(r.message) }] : [];
    });
  });
}

/** One rule's `fail`: for a per-item rule, inside a `range` over the list, the message naming the item's index. */
function emitRule(r: ValuesRule): string {
  if (!r.each) return emitFailWhen(r.failWhen, `${r.key}: ${r.message}`);
  const text = `${r.key}: ${r.message}`;
  const format = text.replace(/%/g, '%%').split(ITEM).join('[%d]');
  const indexes = Array.from({ length: text.split(ITEM).length - 1 }, () => ' $i').join('');
  const range = `{{- range $i, ${r.each.item.go()} := ${r.each.list.go()} }}`;
  const body = rooted(`{{- if ${r.failWhen.goCond()} }}{{- fail (printf ${JSON.stringify(format)}${indexes}) }}{{- end }}`);
  return `${range}${body}{{- end }}`;
}

/** `templates/validate-values.yaml` (template mode): one `fail` per rule, in declaration order. */
export function emitRules(rules: readonly ValuesRule[]): string | undefined {
  if (rules.length === 0) return undefined;
  const header = "{{- /* Generated by cdk8s-linkerd from the chart's cross-field rules (src/helm/rules.ts) and owned keys (src/helm/maps.ts); do not edit. */}}";
  const fails = rules.map(emitRule);
  // Rules that compare quantities include the definition that reads them (QuantityAbove).
  const definitions = fails.some((f) => f.includes(JSON.stringify(QUANTITY_TEMPLATE))) ? [quantityDefinition()] : [];
  return `${[header, ...definitions, ...fails].join('\n')}\n`;
}

/** The values paths a rule reads (for repairs: resetting them to their defaults satisfies it). */
export function rulePaths(r: ValuesRule): string[] {
  const paths = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (x: unknown) => {
    if (x === null || typeof x !== 'object' || seen.has(x)) return;
    seen.add(x);
    if (x instanceof Ref) {
      paths.add(x.path.join('.'));
      return;
    }
    for (const child of Object.values(x)) (Array.isArray(child) ? child : [child]).forEach(walk);
  };
  walk(r.failWhen);
  if (r.each) walk(r.each.list);
  return [...paths];
}

/** A markdown table of rules: chart, key, message (docs/engine.md lists every chart's). */
export function rulesTable(charts: readonly { chart: string; rules: readonly ValuesRule[] }[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| chart | key | refused with |',
    '| --- | --- | --- |',
    ...charts.flatMap(({ chart, rules }) => rules.map((r) => `| ${chart} | \`${r.key}\` | ${cell(r.message)} |`)),
  ].join('\n');
}
