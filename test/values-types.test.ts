/**
 * The generated values types (src/<chart>/values.generated.ts, src/values/types.ts): current,
 * deterministic, and every key documented with its schema's description and default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { VALUES_TYPES, valuesTypesFiles } from '../src/outputs';
import { stripSymbols } from '../src/values/model';
import { GENERATED_MARK } from '../src/values/types';

const root = join(__dirname, '..');

interface Node {
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: boolean | Node;
  patternProperties?: Record<string, Node>;
  anyOf?: Node[];
}

/** The object node (with properties) a key's type names: the node itself, a list's items, a map's values, a union's member. */
function objectNode(node: Node): Node | undefined {
  if (node.properties) return node;
  const inner = [node.items, typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined, ...Object.values(node.patternProperties ?? {}), ...(node.anyOf ?? [])];
  for (const n of inner) {
    const found = n && objectNode(n);
    if (found) return found;
  }
  return undefined;
}

/** Every property of every type literal alias of a generated file, with its TSDoc. */
function aliasesOf(file: string, text: string) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const aliases = new Map<string, { key: string; type: string; comment: string; defaults: string[] }[]>();
  for (const stmt of source.statements) {
    if (!ts.isTypeAliasDeclaration(stmt) || !ts.isTypeLiteralNode(stmt.type)) continue;
    const props = stmt.type.members.filter(ts.isPropertySignature).map((p) => {
      const docs = ts.getJSDocCommentsAndTags(p).filter(ts.isJSDoc);
      const comment = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join(' ');
      const defaults = docs.flatMap((d) => (d.tags ?? []).filter((t) => t.tagName.text === 'default').map((t) => ts.getTextOfJSDocComment(t.comment) ?? ''));
      const key = ts.isStringLiteral(p.name) ? p.name.text : p.name.getText(source);
      return { key, type: p.type?.getText(source) ?? '', comment: comment.replace(/\s+/g, ' ').trim(), defaults };
    });
    aliases.set(stmt.name.text, props);
  }
  return aliases;
}

/** Problems of one generated file against its schema: keys without the schema's description or default. */
function docProblems(typeName: string, schema: Node, text: string): string[] {
  const aliases = aliasesOf(typeName, text);
  const problems: string[] = [];
  const visited = new Set<string>();
  const walk = (alias: string, node: Node, path: string) => {
    visited.add(alias);
    const props = aliases.get(alias);
    if (!props) return void problems.push(`${path || '(root)'}: no type ${alias}`);
    const keys = Object.keys(node.properties ?? {});
    expect(props.map((p) => p.key), `${alias}: the keys of ${path || 'the root'}`).toEqual(keys);
    for (const p of props) {
      const child = node.properties![p.key];
      const at = path ? `${path}.${p.key}` : p.key;
      if (child.description && !p.comment.includes(child.description.replace(/\s+/g, ' ').trim())) problems.push(`${at}: no TSDoc with the schema's description`);
      if (child.default !== undefined) {
        if (p.defaults.length !== 1) problems.push(`${at}: no @default (the schema's default is ${JSON.stringify(child.default)})`);
        else if (JSON.stringify(JSON.parse(p.defaults[0])) !== JSON.stringify(child.default)) problems.push(`${at}: @default ${p.defaults[0]}, the schema's is ${JSON.stringify(child.default)}`);
      } else if (p.defaults.length > 0) problems.push(`${at}: @default ${p.defaults[0]}, but the schema has no default`);
      else if (!/has its own default|No default/.test(p.comment)) problems.push(`${at}: says nothing of its default`);
      // The type of a section (or of a list's items, a map's values) is another alias of the file.
      const named = [...aliases.keys()].find((a) => new RegExp(`(^|[^A-Za-z0-9_])${a}([^A-Za-z0-9_]|$)`).test(p.type) && a !== alias);
      const inner = objectNode(child);
      if (named && inner) walk(named, inner, at);
    }
  };
  walk(typeName, schema, '');
  const unvisited = [...aliases.keys()].filter((a) => !visited.has(a) && !a.endsWith('Schema') && !a.endsWith('MatchesSchema'));
  if (unvisited.length) problems.push(`types no key leads to: ${unvisited.join(', ')}`);
  return problems;
}

describe('generated values types', () => {
  const files = valuesTypesFiles();

  it('every chart with values keys has its generated module', () => {
    const withKeys = Object.values(CHARTS).filter((d) => Object.keys((stripSymbols(d.values) as Node).properties ?? {}).length > 0).map((d) => d.name);
    expect(VALUES_TYPES.map((t) => t.chart).sort()).toEqual(withKeys.sort());
  });

  it('the committed modules are current and generating is deterministic (run npm run synth)', () => {
    expect(valuesTypesFiles()).toEqual(files);
    for (const [file, text] of Object.entries(files)) {
      expect(readFileSync(join(root, file), 'utf8'), `${file} is stale: run npm run synth`).toBe(text);
      expect(text.startsWith(`${GENERATED_MARK}\n`)).toBe(true);
    }
  });

  it('each module proves at compile time that its types and the schema agree', () => {
    for (const { file, typeName } of VALUES_TYPES) {
      expect(files[file]).toContain(`export type ${typeName}MatchesSchema = ExpectTrue<MutuallyAssignable<${typeName}, ${typeName}Schema>>;`);
    }
  });

  for (const { file, typeName, chart } of VALUES_TYPES) {
    it(`${chart}: every key of the committed ${file} has TSDoc with the schema's description and @default`, () => {
      const schema = stripSymbols(CHARTS[chart].values) as Node;
      expect(docProblems(typeName, schema, readFileSync(join(root, file), 'utf8'))).toEqual([]);
    });
  }

  it('a key without its @default is found', () => {
    const { file, typeName, chart } = VALUES_TYPES.find((t) => t.chart === 'linkerd-control-plane')!;
    const text = files[file].replace('   * @default "cluster.local"\n', '');
    expect(text).not.toBe(files[file]);
    expect(docProblems(typeName, stripSymbols(CHARTS[chart].values) as Node, text)).toEqual(['clusterDomain: no @default (the schema\'s default is "cluster.local")']);
  });
});
