/** The cdk8s-linkerd command run in-process, as the cluster suites drive it: exit code and output. */
import { readFileSync } from 'node:fs';
import { run, type Io } from '../../../src/cli/main';

export async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readFile: (p) => readFileSync(p, 'utf8') };
  const code = await run(args, io);
  return { code, stdout, stderr };
}
