/**
 * The command's entry in the package (lib/cdk8s-linkerd.js, built from this file by
 * scripts/build-cli.mjs): `--version` is answered before anything else is read; every other
 * command is main.ts's, which the build bundles into one file of its own.
 */
import { versionLine } from '../version';

/** Runs the command; resolves to the exit code (main.ts's `run`). */
export async function run(argv: string[]): Promise<number> {
  if (argv[0] === '--version') {
    process.stdout.write(versionLine());
    return 0;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./main') as typeof import('./main')).run(argv);
}
