/**
 * The layers of src/ (docs/architecture.md) and what crosses them, read from the sources with the
 * TypeScript compiler; test/layers.test.ts holds the code to them.
 *
 *   npm run -s layers [-- --at REV]
 *
 * prints the picture: each layer's units (a folder of src/ or a module at its top) with their files
 * and lines, the imports between units, the files of the engine (src/helm/) and their imports, and
 * every import cycle between files (type-only imports marked). `--at REV` reads src/ as it was at a
 * git revision, so a restructuring can be shown before and after with the same command.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

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

export interface Source {
  file: string;
  text: string;
}

export interface Import {
  specifier: string;
  line: number;
  /** `import type`, `export type`, or `import('…')` in a type. */
  typeOnly: boolean;
}

/** Every .ts file under `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The unit of a path of `src`: its first folder, or the module's name. */
export const unitOf = (src: string, path: string): string => relative(src, path).split(/[/\\]/)[0].replace(/\.(ts|js)$/, '');

/** The relative module specifiers a file imports (static, `export … from`, `import()`, `require`, `import('…')` types), with their lines. */
export function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined, typeOnly: boolean) => {
    if (literal && ts.isStringLiteralLike(literal)) found.push({ specifier: literal.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const allTypes = !!c && (c.isTypeOnly || (!c.name && !!c.namedBindings && ts.isNamedImports(c.namedBindings) && c.namedBindings.elements.length > 0 && c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, allTypes);
    } else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression, node.isTypeOnly);
    else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) add(node, node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((i) => i.specifier.startsWith('.'));
}

/** Every import of `src` that crosses the layers the wrong way, as `file:line imports 'spec' (unit → unit)`. */
export function layerViolations(src: string, layers: readonly (readonly string[])[], sources: readonly Source[]): string[] {
  const layerOf = new Map(layers.flatMap((units, i) => units.map((u) => [u, i] as const)));
  const problems: string[] = [];
  for (const { file, text } of sources) {
    const from = unitOf(src, file);
    for (const { specifier, line } of importsOf(file, text)) {
      const target = resolve(dirname(file), specifier);
      if (relative(src, target).startsWith('..')) continue; // package.json: data, not a layer
      const to = unitOf(src, target);
      if (to === from) continue;
      const at = `src/${relative(src, file)}:${line} imports '${specifier}'`;
      const [a, b] = [layerOf.get(from), layerOf.get(to)];
      if (a === undefined || b === undefined) problems.push(`${at}: ${a === undefined ? from : to} is in no layer`);
      else if (b > a) problems.push(`${at}: ${from} (layer ${a}) may not use the higher ${to} (layer ${b})`);
      else if (b === a) problems.push(`${at}: ${from} and ${to} are peers (layer ${a}) and may not use each other`);
    }
  }
  return problems;
}

/** The file an import names (`./x` → `x.ts` or `x/index.ts`), or undefined outside the sources. */
function targetFile(files: ReadonlySet<string>, from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts'), base].find((f) => files.has(f));
}

/** The import cycles between files (strongly connected components of two or more files), each sorted. */
export function importCycles(sources: readonly Source[], runtimeOnly: boolean): string[][] {
  const files = new Set(sources.map((s) => s.file));
  const edges = new Map<string, string[]>();
  for (const { file, text } of sources) {
    const to = importsOf(file, text)
      .filter((i) => !runtimeOnly || !i.typeOnly)
      .map((i) => targetFile(files, file, i.specifier))
      .filter((f): f is string => f !== undefined && f !== file);
    edges.set(file, [...new Set(to)]);
  }
  // Tarjan's algorithm.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const connect = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const f of [...files].sort()) if (!index.has(f)) connect(f);
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

const lines = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/** The picture of `src` as text. */
export function picture(src: string, sources: readonly Source[]): string {
  const out: string[] = [];
  const rel = (f: string) => relative(src, f);
  const byUnit = new Map<string, Source[]>();
  for (const s of sources) byUnit.set(unitOf(src, s.file), [...(byUnit.get(unitOf(src, s.file)) ?? []), s]);
  const files = new Set(sources.map((s) => s.file));
  // Generated modules (`*.generated.ts`, written by npm run synth) are counted apart from the written ones.
  const count = (ss: readonly Source[]) => {
    const generated = ss.filter((s) => s.file.endsWith('.generated.ts'));
    const written = ss.filter((s) => !s.file.endsWith('.generated.ts'));
    const total = (xs: readonly Source[]) => xs.reduce((n, s) => n + lines(s.text), 0);
    return `${written.length} ${written.length === 1 ? 'file' : 'files'}, ${total(written)} lines${generated.length ? `; ${generated.length} generated, ${total(generated)} lines` : ''}`;
  };
  out.push(`src/: ${count(sources)}, in ${LAYERS.length} layers (lowest first)`);
  LAYERS.forEach((units, i) => {
    const parts = units.map((u) => `${u} (${count(byUnit.get(u) ?? [])})`);
    out.push(`  ${String(i).padStart(2)}  ${parts.join(', ')}`);
  });
  const unknown = [...byUnit.keys()].filter((u) => !LAYERS.flat().includes(u));
  if (unknown.length) out.push(`  in no layer: ${unknown.join(', ')}`);

  out.push('', 'imports between units (importing unit → imported units, with the number of imports):');
  for (const units of [...LAYERS].reverse()) {
    for (const u of units) {
      const counts = new Map<string, number>();
      for (const s of byUnit.get(u) ?? []) {
        for (const i of importsOf(s.file, s.text)) {
          const t = targetFile(files, s.file, i.specifier);
          if (!t) continue;
          const to = unitOf(src, t);
          if (to !== u) counts.set(to, (counts.get(to) ?? 0) + 1);
        }
      }
      if (counts.size) out.push(`  ${u} → ${[...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    }
  }

  const engine = (byUnit.get('helm') ?? []).sort((a, b) => a.file.localeCompare(b.file));
  out.push('', `the engine, src/helm/ (${engine.length} files): file (lines) → the engine's files it imports`);
  for (const s of engine) {
    const to = [...new Set(importsOf(s.file, s.text).map((i) => targetFile(files, s.file, i.specifier)).filter((t): t is string => !!t && unitOf(src, t) === 'helm'))];
    out.push(`  ${rel(s.file)} (${lines(s.text)}) → ${to.map((t) => relative(join(src, 'helm'), t)).sort().join(', ') || '—'}`);
  }

  const runtime = importCycles(sources, true);
  const all = importCycles(sources, false);
  out.push('', `import cycles between files: ${runtime.length} at run time, ${all.length} counting type-only imports`);
  for (const c of all) out.push(`  ${runtime.some((r) => r.join() === c.join()) ? '' : '(types only) '}${c.map(rel).join(' ↔ ')}`);
  return `${out.join('\n')}\n`;
}

/** The sources of src/ now, or at a git revision (read into a scratch folder). */
function sourcesAt(root: string, rev: string | undefined): { src: string; sources: Source[]; cleanup: () => void } {
  if (!rev) {
    const src = join(root, 'src');
    return { src, sources: sourceFiles(src).map((file) => ({ file, text: readFileSync(file, 'utf8') })), cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  const tar = execFileSync('git', ['archive', rev, 'src'], { cwd: root, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  const src = join(dir, 'src');
  return { src, sources: sourceFiles(src).map((file) => ({ file, text: readFileSync(file, 'utf8') })), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--at');
  const rev = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && !rev) throw new Error('--at needs a git revision');
  const { src, sources, cleanup } = sourcesAt(join(__dirname, '..'), rev);
  try {
    process.stdout.write(`${rev ? `at ${rev}: ` : ''}${picture(src, sources)}`);
  } finally {
    cleanup();
  }
}
