/**
 * Long template lines broken inside their actions, so that chart templates read at a normal
 * width. Go templates allow newlines between the words of an action, and `(print "a" "b")` is
 * the string "ab", so the rendered text stays the same byte for byte.
 */

/** The longest line the engine writes in a template (certificate and base64 data aside). */
export const MAX_TEMPLATE_LINE = 300;
/** How wide a broken action's lines are. */
const WIDTH = 200;
/** String literals longer than this are written as `(print "…" "…")`, in pieces of about this length. */
const LONG_STRING = 100;

/** Splits an action's content into words at its top-level spaces; strings stay whole. */
function words(content: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (c === '"') {
      let j = i + 1;
      while (j < content.length && content[j] !== '"') j += content[j] === '\\' ? 2 : 1;
      cur += content.slice(i, j + 1);
      i = j;
    } else if (c === ' ') {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

/** A Go string literal cut into pieces of about LONG_STRING characters, after a `\n` or a space where it can, never inside an escape. */
function stringPieces(literal: string): string[] {
  const body = literal.slice(1, -1);
  const units: string[] = [];
  for (let i = 0; i < body.length; ) {
    if (body[i] !== '\\') {
      units.push(body[i]);
      i += 1;
      continue;
    }
    const kind = body[i + 1];
    const len = kind === 'x' ? 4 : kind === 'u' ? 6 : kind === 'U' ? 10 : /[0-7]/.test(kind) ? 4 : 2;
    units.push(body.slice(i, i + len));
    i += len;
  }
  const pieces: string[] = [];
  let cur = '';
  for (const u of units) {
    cur += u;
    if ((u === '\\n' && cur.length > 20) || (u === ' ' && cur.length >= LONG_STRING * 0.8) || cur.length >= LONG_STRING * 1.2) {
      pieces.push(cur);
      cur = '';
    }
  }
  if (cur) pieces.push(cur);
  return pieces.map((p) => `"${p}"`);
}

/** A word as words that may go on separate lines: a long string literal (alone or opening a word) as `(print …)`. */
function breakable(word: string): string[] {
  const m = /^(\(*)("(?:[^"\\]|\\.)*")(\)*)$/.exec(word);
  if (!m || m[2].length <= LONG_STRING) return [word];
  const pieces = stringPieces(m[2]);
  return [`${m[1]}(print`, ...pieces.slice(0, -1), `${pieces[pieces.length - 1]})${m[3]}`];
}

/**
 * `start` followed by the words of `content` (a part of an action), on lines of WIDTH
 * (`start` begins at `column`), continuation lines at `indent`.
 */
export function wrapWords(start: string, content: string, column: number, indent: number): string[] {
  const lines: string[] = [];
  let cur = start;
  let width = column + cur.length;
  for (const w of words(content).flatMap(breakable)) {
    if (width + 1 + w.length > WIDTH && cur.trim() !== start.trim()) {
      lines.push(cur);
      cur = `${' '.repeat(indent)}${w}`;
      width = cur.length;
    } else {
      cur += cur.length > 0 && !/ $/.test(cur) ? ` ${w}` : w;
      width = column + cur.length;
    }
  }
  lines.push(cur);
  return lines;
}

/** An action `{{- … }}` laid out on lines of WIDTH, continuation lines at `indent + 4`. */
function wrapAction(action: string, first: number, indent: number): string {
  const open = /^\{\{-? /.exec(action)?.[0] ?? '{{';
  const close = / -?\}\}$/.exec(action)?.[0] ?? '}}';
  const lines = wrapWords(open.trimEnd(), action.slice(open.length, action.length - close.length), first, indent + 4);
  lines[lines.length - 1] += close;
  return lines.join('\n');
}

/** The actions of a line: [start, end) of each `{{ … }}`, strings inside them skipped. */
function actions(line: string): [number, number][] {
  const out: [number, number][] = [];
  let i = line.indexOf('{{');
  while (i >= 0) {
    let j = i + 2;
    while (j < line.length && !line.startsWith('}}', j)) j += line[j] === '"' ? skipString(line, j) : 1;
    if (j >= line.length) break;
    out.push([i, j + 2]);
    i = line.indexOf('{{', j + 2);
  }
  return out;
}

function skipString(line: string, at: number): number {
  let j = at + 1;
  while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
  return j + 1 - at;
}

/** A template's text with every line longer than MAX_TEMPLATE_LINE broken inside its long actions. */
export function wrapLongLines(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= MAX_TEMPLATE_LINE || !line.includes('{{') || line.startsWith('{{- /*')) return line;
      const indent = /^ */.exec(line)![0].length;
      let out = '';
      let last = 0;
      for (const [s, e] of actions(line)) {
        const action = line.slice(s, e);
        out += line.slice(last, s);
        // An action that trims the whitespace before it (`{{-`) and follows another directly starts
        // a line of its own where the line would otherwise stay too long: the break is trimmed away.
        const rest = line.length - s;
        if (s > 0 && s === last && action.startsWith('{{-') && out.length - out.lastIndexOf('\n') - 1 + rest > MAX_TEMPLATE_LINE) out += `\n${' '.repeat(indent)}`;
        const column = out.length - out.lastIndexOf('\n') - 1;
        out += action.length > WIDTH / 2 ? wrapAction(action, column, indent) : action;
        last = e;
      }
      return out + line.slice(last);
    })
    .join('\n');
}
