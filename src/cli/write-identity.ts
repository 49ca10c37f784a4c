/** Writes a fresh identity (trust anchor + issuer) into a folder, never over existing key material unless asked. */
import { closeSync, constants, fchmodSync, lstatSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, type GenerateOptions } from '../certs/identity';
import { OutputError, createFolders, prepareFolder } from '../outputs';

/** The files `writeIdentity` writes, in this order: certificate, key, certificate, key. */
export const IDENTITY_FILES = ['ca.crt', 'ca.key', 'issuer.crt', 'issuer.key'] as const;

export interface WriteIdentityOptions extends GenerateOptions {
  /** Replace ca.*, issuer.* that are already there (default: refuse, naming them). */
  force?: boolean;
}

/**
 * Writes ca.crt, ca.key, issuer.crt, issuer.key (keys with mode 0600, created so from the
 * start); returns their paths in that order. Throws OutputError, before generating or writing
 * anything, when one of them exists (unless `force`) or the folder cannot be written.
 */
export async function writeIdentity(dir: string, opts: WriteIdentityOptions = {}): Promise<string[]> {
  const create = prepareFolder(dir);
  const present = create.length > 0 ? [] : IDENTITY_FILES.filter((f) => exists(join(dir, f)));
  if (present.length > 0 && !opts.force) {
    const keys = present.filter((f) => f.endsWith('.key'));
    throw new OutputError(
      `${dir} already holds ${present.join(', ')}${keys.length > 0 ? ` (private key${keys.length > 1 ? 's' : ''} of an existing ${keys.map((k) => (k === 'ca.key' ? 'trust anchor' : 'issuer')).join(' and ')})` : ''}; not overwriting: pass --force to replace them, or choose another folder`,
    );
  }
  for (const f of present) {
    const st = lstatSync(join(dir, f));
    if (!st.isFile()) throw new OutputError(`${join(dir, f)} is not a regular file; not replacing it`);
  }
  const { force, ...generate } = opts;
  void force;
  const id = await generateIdentity(generate);
  createFolders(create, dir);
  const content: Record<(typeof IDENTITY_FILES)[number], string> = { 'ca.crt': id.caCrtPEM, 'ca.key': id.caKeyPEM, 'issuer.crt': id.issuerCrtPEM, 'issuer.key': id.issuerKeyPEM };
  return IDENTITY_FILES.map((name) => {
    const path = join(dir, name);
    const secret = name.endsWith('.key');
    writeNew(path, content[name], secret ? 0o600 : 0o644, present.includes(name));
    return path;
  });
}

/** Whether anything (a file, a folder, a link) is at `p`. */
export function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Creates `path` with `mode` (O_EXCL: never through a link, never over a file unless `replace`, which removes it first). */
export function writeNew(path: string, content: string, mode: number, replace: boolean) {
  let fd: number | undefined;
  try {
    if (replace) unlinkSync(path);
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    fchmodSync(fd, mode);
    const buf = Buffer.from(content, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    throw new OutputError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
