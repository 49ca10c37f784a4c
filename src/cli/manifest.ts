/**
 * The manifest `template` prints, written one document at a time, framed as Helm 4 frames it.
 *
 * Helm 3 trims each rendered document; Helm 4 (4.3) keeps a document's trailing newline, which
 * every template the engine writes ends a document with, and prints a newline after it: each
 * document is followed by a blank line, except the last one before the hooks (Helm trims the
 * end of that part). Hooks keep theirs. `--show-only` prints each chosen document as it stands
 * in that text plus one newline; `--output-dir` writes every document with its blank line.
 * Helm 3 prints the same documents with no blank line after any of them.
 */
import { isHook, sourceComment, type RenderedObject } from '../helm/chart';
import { objectOrder, yamlText } from '../helm/yaml';

/** One document's text (its last line ends with a newline), as toManifest writes it. */
export function dumpDocument(object: Record<string, unknown>): string {
  return yamlText(objectOrder(object));
}

/** How Helm 4 frames documents: its standard output, `--show-only` or `--output-dir` files. */
export type Framing = 'stdout' | 'show-only' | 'output-dir';

/** A document of `helm template` output with its `---` and `# Source:` lines. */
function framed(chartName: string, o: RenderedObject, blankLine: boolean): string {
  return `---\n${sourceComment(chartName, o.file)}\n${dumpDocument(o.object)}${blankLine ? '\n' : ''}`;
}

/** Whether Helm 4's standard output has a blank line after each document (objects in helmOrder). */
export function blankLinesAfter(objects: RenderedObject[]): boolean[] {
  let lastManifest = -1;
  objects.forEach((o, i) => {
    if (!isHook(o)) lastManifest = i;
  });
  return objects.map((_o, i) => i !== lastManifest);
}

/**
 * Writes the documents (objects in helmOrder) as Helm 4 prints them; for `show-only`, `chosen`
 * are the objects to print (helm-template.ts showOnly), framed by their place among all.
 */
export function writeManifest(chartName: string, objects: RenderedObject[], write: (s: string) => void, chosen?: RenderedObject[]): void {
  const blank = blankLinesAfter(objects);
  // With nothing but hooks, Helm prints the empty first part as an empty line.
  if (chosen === undefined && objects.length > 0 && objects.every(isHook)) write('\n');
  if (chosen === undefined) objects.forEach((o, i) => write(framed(chartName, o, blank[i])));
  else for (const o of chosen) write(`${framed(chartName, o, blank[objects.indexOf(o)])}\n`);
}

/** A document as Helm 4's `--output-dir` writes it into its template's file. */
export function outputDirDocument(chartName: string, o: RenderedObject): string {
  return framed(chartName, o, true);
}
