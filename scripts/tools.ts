/**
 * Installs the pinned tools of the tests (the TOOLS table of scripts/cluster/tools.ts): builds from
 * Go modules or unpacks from npm packages whatever is missing from .tools/, one at a time, with
 * progress on stderr.
 *
 *   npm run -s tools                      # every tool
 *   npm run -s tools -- helm3 helm4       # only these
 *   npm run -s tools -- --print           # then one `name<TAB>path` line per binary on stdout
 */
import { join } from 'node:path';
import { TOOLS, type ToolName, binaries, ensureTool, toolDir } from './cluster/tools';

/** The name a binary is printed under: the tool's, or `tool/binary` for a tool of several binaries. */
function printName(tool: ToolName, binary: string, count: number): string {
  return count === 1 ? tool : `${tool}/${binary.split('/').pop()}`;
}

async function main(args: string[]): Promise<void> {
  const print = args.includes('--print');
  const names = args.filter((a) => a !== '--print');
  for (const n of names) if (!(n in TOOLS)) throw new Error(`unknown tool ${n} (known: ${Object.keys(TOOLS).join(', ')})`);
  const selected = (names.length ? names : Object.keys(TOOLS)) as ToolName[];
  for (const name of selected) await ensureTool(name, (line) => process.stderr.write(`${line}\n`));
  if (!print) return;
  for (const name of selected) {
    const bins = binaries(TOOLS[name]);
    for (const b of bins) process.stdout.write(`${printName(name, b, bins.length)}\t${join(toolDir(name), b)}\n`);
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exit(1);
});
