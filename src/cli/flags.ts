/**
 * Command-line flags: Node's parser, with our own one-line messages for what it refuses (an
 * unknown flag names the closest one; a flag without its value says so).
 */
import { parseArgs } from 'node:util';

export type Flags = Record<string, string | string[] | boolean | undefined>;
export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/** A flag the command does not take, or one without its value (exit code 2): one line. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/**
 * The flag of `options` closest to `raw` (`--ouput-dir`, `-o`): for a one-letter flag, the one
 * whose name starts with that letter, else the fewest edits.
 */
export function closestFlag(raw: string, options: FlagSpec): string {
  const name = raw.replace(/^-+/, '').split('=')[0];
  const names = Object.keys(options);
  if (name.length === 1) {
    const byLetter = names.find((n) => n.startsWith(name));
    if (byLetter) return `--${byLetter}`;
  }
  const best = names.map((n) => ({ n, d: distance(name, n) - (n.startsWith(name) || name.startsWith(n) ? 0.5 : 0) })).sort((x, y) => x.d - y.d || x.n.localeCompare(y.n))[0];
  return `--${best.n}`;
}

/** Parses `args` for `command`; throws FlagError with one line for an unknown flag or a missing value. */
export function parseFlags(command: string, args: string[], options: FlagSpec): { values: Flags; positionals: string[] } {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = options[t.name];
    if (!spec) throw new FlagError(`${command}: unknown flag ${t.rawName}; the closest is ${closestFlag(t.rawName, options)} ('cdk8s-linkerd ${command} --help' lists them)`);
    if (spec.type === 'string' && t.value === undefined) throw new FlagError(`${command}: ${t.rawName} needs a value (${t.rawName} VALUE)`);
    if (spec.type === 'boolean' && t.inlineValue) throw new FlagError(`${command}: ${t.rawName} takes no value (got ${t.rawName}=${t.value})`);
  }
  try {
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as Flags, positionals };
  } catch (e) {
    // Node's text spans lines; its first line says what is wrong.
    throw new FlagError(`${command}: ${(e as Error).message.split('\n')[0]}`);
  }
}
