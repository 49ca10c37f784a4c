/** The command run in-process (src/cli/main's `run`), its output collected: what a user would see. */
import { readFileSync } from 'node:fs';
import { run, type Io } from '../../src/cli/main';

export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    // `-f -` reads standard input, as the command does.
    readFile: (p) => readFileSync(p === '-' ? 0 : p, 'utf8'),
    readBytes: (p) => readFileSync(p),
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}
