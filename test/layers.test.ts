/**
 * The layers of src/ (docs/architecture.md): a module imports only from its own folder or
 * from a lower layer, never from a higher one nor from another folder of its own layer. Every
 * import (static, `export … from`, `import()`, `import('…')` types) is read with the
 * TypeScript compiler.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');

/** Lowest first; a unit is a folder of src/ or a module at its top (without `.ts`). */
export const LAYERS: readonly (readonly string[])[] = [
  ['version', 'values'],
  ['helm'],
  ['k8s', 'certs', 'verify', 'gateway-api'],
  ['crds'],
  ['proxy'],
  ['control-plane'],
  ['extension'],
  ['viz', 'jaeger', 'cni', 'multicluster'],
  ['mesh', 'chart-registry'],
  ['charts'],
  ['outputs', 'rules-doc', 'check', 'prebuild'],
  ['argocd'],
  ['cli', 'main', 'index'],
];

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** The unit of a path of src/: its first folder, or the module's name. */
const unitOf = (path: string) => relative(SRC, path).split(/[/\\]/)[0].replace(/\.(ts|js)$/, '');

/** The relative module specifiers a file imports, with their lines. */
export function importsOf(file: string, text: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined) => {
    if (literal && ts.isStringLiteralLike(literal)) found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((i) => i.specifier.startsWith('.'));
}

/** Every import of src/ that crosses the layers the wrong way, as `file:line imports 'spec' (unit → unit)`. */
export function layerViolations(layers: readonly (readonly string[])[], sources: { file: string; text: string }[]): string[] {
  const layerOf = new Map(layers.flatMap((units, i) => units.map((u) => [u, i] as const)));
  const problems: string[] = [];
  for (const { file, text } of sources) {
    const from = unitOf(file);
    for (const { specifier, line } of importsOf(file, text)) {
      const target = resolve(dirname(file), specifier);
      if (relative(SRC, target).startsWith('..')) continue; // package.json: data, not a layer
      const to = unitOf(target);
      if (to === from) continue;
      const at = `src/${relative(SRC, file)}:${line} imports '${specifier}'`;
      const [a, b] = [layerOf.get(from), layerOf.get(to)];
      if (a === undefined || b === undefined) problems.push(`${at}: ${a === undefined ? from : to} is in no layer`);
      else if (b > a) problems.push(`${at}: ${from} (layer ${a}) may not use the higher ${to} (layer ${b})`);
      else if (b === a) problems.push(`${at}: ${from} and ${to} are peers (layer ${a}) and may not use each other`);
    }
  }
  return problems;
}

const sources = files(SRC).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

describe('layers of src/', () => {
  it('every folder and top-level module of src/ is in exactly one layer', () => {
    const units = [...new Set(sources.map((s) => unitOf(s.file)))].sort();
    expect([...LAYERS.flat()].sort()).toEqual(units);
  });

  it('no module imports from a higher layer or from a peer of its own layer', () => {
    expect(layerViolations(LAYERS, sources)).toEqual([]);
  });

  it('names the file, the line and the import that runs back up', () => {
    const file = join(SRC, 'proxy', 'example.ts');
    const text = "import type { X } from '../control-plane/values';\nexport const y = import('../viz/chart');\nimport { z } from './local';\n";
    expect(layerViolations(LAYERS, [{ file, text }])).toEqual([
      "src/proxy/example.ts:1 imports '../control-plane/values': proxy (layer 4) may not use the higher control-plane (layer 5)",
      "src/proxy/example.ts:2 imports '../viz/chart': proxy (layer 4) may not use the higher viz (layer 7)",
    ]);
  });
});

/** `x as any` and `x as unknown as T`, as `file:line`: casts that switch the type checker off. */
export function unsafeCasts(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isAsExpression(node)) {
      const toAny = node.type.kind === ts.SyntaxKind.AnyKeyword;
      const viaUnknown = ts.isAsExpression(node.expression) && node.expression.type.kind === ts.SyntaxKind.UnknownKeyword;
      if (toAny || viaUnknown) found.push(`src/${relative(SRC, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('types of src/', () => {
  it('has no `as any` or `as unknown as` outside the engine (src/helm/, where symbolic values stand for plain ones)', () => {
    const outside = sources.filter((s) => unitOf(s.file) !== 'helm');
    expect(outside.flatMap((s) => unsafeCasts(s.file, s.text))).toEqual([]);
  });

  it('finds both kinds of cast', () => {
    const file = join(SRC, 'proxy', 'example.ts');
    expect(unsafeCasts(file, 'const a = b as any;\nconst c = d as unknown as string;\nconst e = f as string;\n')).toEqual(['src/proxy/example.ts:1', 'src/proxy/example.ts:2']);
  });
});
