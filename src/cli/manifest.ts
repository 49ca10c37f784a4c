/**
 * The manifest `template` prints, written one document at a time: the same bytes as
 * toManifest, without building the whole text, and with long strings (a file given with
 * --set-file) escaped in one pass instead of js-yaml's character by character.
 */
import { dump } from 'js-yaml';
import type { RenderedObject } from '../helm/chart';
import { YAML_OPTS } from '../helm/emit';

/** Strings at least this long are escaped here rather than by js-yaml. */
const LONG = 1 << 14;

// js-yaml's double-quoted escapes (dumper.js: ESCAPE_SEQUENCES, isPrintable, encodeHex).
const ESCAPES: Record<number, string> = {
  0x00: '\\0',
  0x07: '\\a',
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
  0x1b: '\\e',
  0x22: '\\"',
  0x5c: '\\\\',
  0x85: '\\N',
  0xa0: '\\_',
  0x2028: '\\L',
  0x2029: '\\P',
};
const NEEDS_ESCAPE = /[^\x20\x21\x23-\x5B\x5D-\x7E\xA1-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function hex(cp: number): string {
  const s = cp.toString(16).toUpperCase();
  const [handle, width] = cp <= 0xff ? ['x', 2] : cp <= 0xffff ? ['u', 4] : ['U', 8];
  return `\\${handle}${'0'.repeat(width - s.length)}${s}`;
}

/** A string as js-yaml writes it double-quoted (with YAML_OPTS every string is). */
export function doubleQuoted(s: string): string {
  return `"${s.replace(NEEDS_ESCAPE, (c) => {
    const cp = c.codePointAt(0) as number;
    return ESCAPES[cp] ?? hex(cp);
  })}"`;
}

/** js-yaml's dump with YAML_OPTS, long strings spliced in. */
export function dumpDocument(object: unknown): string {
  const long: string[] = [];
  const nonce = Math.random().toString(36).slice(2);
  const marker = (i: number) => `@cdk8s-linkerd-long-string-${nonce}-${i}@`;
  const swap = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v.length < LONG) return v;
      long.push(v);
      return marker(long.length - 1);
    }
    if (Array.isArray(v)) return v.map(swap);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) Object.defineProperty(out, k, { value: swap(x), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  };
  const swapped = swap(object);
  const text = dump(swapped, YAML_OPTS);
  if (long.length === 0) return text;
  const pattern = new RegExp(`"@cdk8s-linkerd-long-string-${nonce}-(\\d+)@"`, 'g');
  return text.replace(pattern, (_, i: string) => doubleQuoted(long[Number(i)]));
}

/** Writes what toManifest(chartName, objects) returns, one document at a time. */
export function writeManifest(chartName: string, objects: RenderedObject[], write: (s: string) => void): void {
  for (const { file, object } of objects) write(`---\n# Source: ${chartName}/templates/${file}\n${dumpDocument(object)}`);
}
