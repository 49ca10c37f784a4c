/**
 * Helm's `--set`, `--set-string` and `--set-file` syntax:
 *   a.b=c,d[0]=e,list={x,y},escaped\.key=v\,w
 * With --set, `true`/`false`/`null` and integers (without a leading zero) are typed;
 * everything else, and all of --set-string, is a string. --set-file reads the file.
 */
import { readFileSync } from 'node:fs';

export type SetKind = 'set' | 'set-string' | 'set-file';

export class SetSyntaxError extends Error {
  constructor(kind: SetKind, expr: string, why: string) {
    super(`--${kind} ${JSON.stringify(expr)}: ${why}`);
    this.name = 'SetSyntaxError';
  }
}

function typed(raw: string, kind: SetKind): unknown {
  if (kind !== 'set') return raw;
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  if (raw === '0') return 0;
  if (/^[+-]?[1-9][0-9]*$/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n)) return n;
  }
  return raw;
}

/** Applies one `--set`-style expression to `into` (mutated and returned). */
export function applySet(into: Record<string, unknown>, expr: string, kind: SetKind, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Record<string, unknown> {
  let i = 0;
  const fail = (why: string): never => {
    throw new SetSyntaxError(kind, expr, why);
  };

  const readUntil = (stops: string): [string, string] => {
    let out = '';
    while (i < expr.length) {
      const c = expr[i];
      if (c === '\\' && i + 1 < expr.length) {
        out += expr[i + 1];
        i += 2;
        continue;
      }
      if (stops.includes(c)) {
        i += 1;
        return [out, c];
      }
      out += c;
      i += 1;
    }
    return [out, ''];
  };

  const readValue = (): unknown => {
    if (kind === 'set' && expr[i] === '{') {
      i += 1;
      const items: unknown[] = [];
      for (;;) {
        const [raw, stop] = readUntil(',}');
        if (stop === '') fail('unterminated list: missing }');
        if (!(raw === '' && stop === '}' && items.length === 0)) items.push(typed(raw, kind));
        if (stop === '}') break;
      }
      if (i < expr.length && expr[i] !== ',') fail('unexpected text after }');
      if (expr[i] === ',') i += 1;
      return items;
    }
    const [raw] = readUntil(',');
    return kind === 'set-file' ? readFile(raw) : typed(raw, kind);
  };

  const setIn = (container: Record<string, unknown> | unknown[], key: string | number, value: unknown) => {
    if (Array.isArray(container)) {
      const idx = key as number;
      while (container.length < idx) container.push(null);
      container[idx] = value;
    } else {
      container[key as string] = value;
    }
  };
  const getIn = (container: Record<string, unknown> | unknown[], key: string | number): unknown =>
    Array.isArray(container) ? container[key as number] : container[key as string];

  const readIndex = (): number => {
    const [raw, stop] = readUntil(']');
    if (stop !== ']' || !/^[0-9]+$/.test(raw)) fail(`bad list index [${raw}`);
    const idx = Number(raw);
    if (idx > 65536) fail(`list index ${idx} is too large`);
    return idx;
  };

  /** After a key or index: `=value`, `.key…` or `[n]…`. */
  const continueAt = (container: Record<string, unknown> | unknown[], key: string | number) => {
    const c = expr[i];
    i += 1;
    if (c === '=') {
      setIn(container, key, readValue());
    } else if (c === '.') {
      const cur = getIn(container, key);
      const next = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>) : {};
      setIn(container, key, next);
      parseKey(next);
    } else if (c === '[') {
      const cur = getIn(container, key);
      const list = Array.isArray(cur) ? cur : [];
      setIn(container, key, list);
      const idx = readIndex();
      continueAt(list, idx);
    } else {
      fail(`key ${JSON.stringify(String(key))} has no value`);
    }
  };

  const parseKey = (container: Record<string, unknown>) => {
    const [key, stop] = readUntil('=.[,');
    if (stop === '' || stop === ',') fail(`key ${JSON.stringify(key)} has no value`);
    if (key === '') fail('empty key');
    i -= 1; // back onto the stop character
    continueAt(container, key);
  };

  while (i < expr.length) parseKey(into);
  return into;
}
