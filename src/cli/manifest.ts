/**
 * The manifest `template` prints, written one document at a time: the same bytes as
 * toManifest, without building the whole text.
 */
import type { RenderedObject } from '../helm/chart';
import { objectOrder, yamlText } from '../helm/yaml';

/** One document's text, as toManifest writes it. */
export function dumpDocument(object: Record<string, unknown>): string {
  return yamlText(objectOrder(object));
}

/** Writes what toManifest(chartName, objects) returns, one document at a time. */
export function writeManifest(chartName: string, objects: RenderedObject[], write: (s: string) => void): void {
  for (const { file, object } of objects) write(`---\n# Source: ${chartName}/templates/${file}\n${dumpDocument(object)}`);
}
