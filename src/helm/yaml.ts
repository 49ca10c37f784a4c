/**
 * How the engine writes YAML, in concrete manifests (dist/, the CLI) and in chart templates
 * alike: block style, two-space indentation (a list's dashes in its key's column, as Helm's
 * `toYaml` writes them), `apiVersion`, `kind`, `metadata` first in an
 * object, and each scalar in the plainest form that keeps its type:
 *
 * - a string that no YAML 1.1 or 1.2 reader takes for anything but a string is written plain
 *   (`kind: ConfigMap`, `image: cr.l5d.io/linkerd/proxy:edge-26.8.3`, `maxSurge: 25%`);
 * - a multi-line string is a literal block (`|`, or `|-` without a final newline), unless its
 *   lines cannot be kept exactly that way (leading blanks, blank-only lines, control characters);
 * - anything else is written as JSON (Go's `toJson`, which is YAML): `"true"`, `"8080"`, `""`.
 *
 * The rule has two spellings from the same patterns: `scalarText` here, and the named template
 * `SCALAR_TEMPLATE` that Helm runs on every value it fills in at render time, so that both
 * renderings print the same text.
 */
import { goJson } from './expr';

/** A run of characters a plain scalar may hold (no `:`, `#`, quotes, brackets or commas). */
const WORD = "[-A-Za-z0-9_./%@+=~()]+(:[-A-Za-z0-9_./%@+=~()]+)*";
/** Plain: starts with a letter or `/`, words separated by single spaces, no `: ` and no ` #`. */
const PLAIN = `^[A-Za-z/]([-A-Za-z0-9_./%@+=~()]*(:[-A-Za-z0-9_./%@+=~()]+)*)( ${WORD})*$`;
/** Words that YAML 1.1 reads as booleans or null, in any case. */
const RESERVED = '^(y|n|yes|no|on|off|true|false|null)$';
/** A token starting with a digit is plain only if it holds a character no number or timestamp has. */
const DIGITS = '^[0-9][-A-Za-z0-9_./%+]*$';
const NOT_A_NUMBER = '[g-nqrsuvwyG-NQRSUVWY%/]';
/** A literal block keeps the string exactly: first line not blank-led, no control characters but tab and newline. */
const LITERAL = '^[^ \\t\\n][^\\x00-\\x08\\x0b-\\x1f\\x7f\\u0085\\u2028\\u2029\\ufeff]*$';
/** …no line of only blanks, and at most one final newline. */
const LITERAL_BAD = '(^|\\n)[ \\t]+(\\n|$)|\\n\\n$';

const re = (p: string, flags = '') => new RegExp(p, flags);
const PLAIN_RE = re(PLAIN);
const RESERVED_RE = re(RESERVED, 'i');
const DIGITS_RE = re(DIGITS);
const NOT_A_NUMBER_RE = re(NOT_A_NUMBER);
const LITERAL_RE = re(LITERAL);
const LITERAL_BAD_RE = re(LITERAL_BAD);

/** Whether a string can be written plain (as a value or a key). */
export function isPlainString(s: string): boolean {
  if (PLAIN_RE.test(s)) return !RESERVED_RE.test(s);
  return DIGITS_RE.test(s) && NOT_A_NUMBER_RE.test(s);
}

/** Whether a string is written as a literal block. */
export function isLiteralString(s: string): boolean {
  return s.includes('\n') && LITERAL_RE.test(s) && !LITERAL_BAD_RE.test(s);
}

/** A mapping key. */
export function keyText(k: string): string {
  return isPlainString(k) ? k : goJson(k);
}

/**
 * A scalar as it follows `key: ` or `- `; `indent` is the column of a literal block's lines.
 * Numbers, booleans and null as JSON writes them.
 */
export function scalarText(v: unknown, indent: number): string {
  if (typeof v !== 'string') return goJson(v);
  if (isPlainString(v)) return v;
  if (isLiteralString(v)) {
    const pad = ' '.repeat(indent);
    const body = v.endsWith('\n') ? v.slice(0, -1) : v;
    return `${v.endsWith('\n') ? '|' : '|-'}${`\n${body}`.replace(/\n([^\n])/g, `\n${pad}$1`)}`;
  }
  return goJson(v);
}

const goPattern = (p: string) => p.replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\x{${h}}`);
const goString = (s: string) => JSON.stringify(s);

/** The name of the named template that writes a value as `scalarText` does. */
export const SCALAR_TEMPLATE_NAME = 'cdk8s-linkerd.scalar';

/** The named template (in templates/_helpers.tpl): `include "cdk8s-linkerd.scalar" (list VALUE INDENT)`. */
export const SCALAR_TEMPLATE = [
  `{{- /* A value as cdk8s-linkerd writes it (src/helm/yaml.ts): plain, a literal block, or JSON. */ -}}`,
  `{{- define "${SCALAR_TEMPLATE_NAME}" -}}`,
  '{{- $v := index . 0 -}}',
  '{{- if not (kindIs "string" $v) -}}',
  '{{- toJson $v -}}',
  `{{- else if and (regexMatch ${goString(PLAIN)} $v) (not (regexMatch ${goString(`(?i)${RESERVED}`)} $v)) -}}`,
  '{{- $v -}}',
  `{{- else if and (regexMatch ${goString(DIGITS)} $v) (regexMatch ${goString(NOT_A_NUMBER)} $v) -}}`,
  '{{- $v -}}',
  `{{- else if and (contains "\\n" $v) (regexMatch ${goString(goPattern(LITERAL))} $v) (not (regexMatch ${goString(LITERAL_BAD)} $v)) -}}`,
  '{{- ternary "|" "|-" (hasSuffix "\\n" $v) -}}',
  '{{- regexReplaceAll "\\n([^\\n])" (printf "\\n%s" (trimSuffix "\\n" $v)) (printf "\\n%s${1}" (repeat (int (index . 1)) " ")) -}}',
  '{{- else -}}',
  '{{- toJson $v -}}',
  '{{- end -}}',
  '{{- end -}}',
].join('\n');

/** Go template text that writes the value of a Go operand as `scalarText(value, indent)` does. */
export function scalarAction(operand: string, indent: number): string {
  return `{{ include ${goString(SCALAR_TEMPLATE_NAME)} (list ${operand} ${indent}) }}`;
}

/** The keys of a Kubernetes object in reading order: apiVersion, kind, metadata, then the rest as given. */
export function objectOrder<T extends Record<string, unknown>>(obj: T): T {
  const first = ['apiVersion', 'kind', 'metadata'].filter((k) => k in obj);
  if (first.every((k, i) => Object.keys(obj)[i] === k)) return obj;
  const out: Record<string, unknown> = {};
  for (const k of first) out[k] = obj[k];
  for (const [k, v] of Object.entries(obj)) if (!first.includes(k)) out[k] = v;
  return out as T;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Whether a map has an entry that is written (undefined entries are left out). */
function hasEntries(v: Record<string, unknown>): boolean {
  for (const k of Object.keys(v)) if (v[k] !== undefined) return true;
  return false;
}

/** The text of each mapping key seen so far: the same keys recur in every object. */
const keyTexts = new Map<string, string>();

/**
 * Appends to `out` the lines of a value written at `indent`: one array for a whole document,
 * not one per level (docs/performance.md).
 */
function writeLines(value: unknown, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    let written = false;
    for (const item of value) {
      if (item === undefined) continue;
      written = true;
      if ((isMap(item) && hasEntries(item)) || (Array.isArray(item) && item.length > 0)) {
        const first = out.length;
        writeLines(item, indent + 2, out);
        out[first] = `${pad}- ${out[first].slice(indent + 2)}`;
      } else out.push(`${pad}- ${inlineText(item, indent + 2)}`);
    }
    if (!written) out.push(`${pad}[]`);
    return;
  }
  if (isMap(value)) {
    let written = false;
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (v === undefined) continue;
      written = true;
      let kt = keyTexts.get(k);
      if (kt === undefined) keyTexts.set(k, (kt = keyText(k)));
      const key = `${pad}${kt}:`;
      if (isMap(v) && hasEntries(v)) {
        out.push(key);
        writeLines(v, indent + 2, out);
      } else if (Array.isArray(v) && v.some((x) => x !== undefined)) {
        // A list's dashes sit in its key's column, as Helm's toYaml (and kubectl) write them.
        out.push(key);
        writeLines(v, indent, out);
      } else out.push(`${key} ${inlineText(v, indent + 2)}`);
    }
    if (!written) out.push(`${pad}{}`);
    return;
  }
  out.push(`${pad}${scalarText(value, indent)}`);
}

/** The lines of a value written at `indent` (a map's keys or a list's dashes in that column). Undefined entries are left out. */
export function yamlLines(value: unknown, indent = 0): string[] {
  const out: string[] = [];
  writeLines(value, indent, out);
  return out;
}

/** A scalar, `{}` or `[]` after `key: ` or `- `. */
function inlineText(v: unknown, indent: number): string {
  if (isMap(v)) return '{}';
  if (Array.isArray(v)) return '[]';
  return scalarText(v, indent);
}

/** A document's text (ending in a newline). */
export function yamlText(value: unknown): string {
  return `${yamlLines(value, 0).join('\n')}\n`;
}
