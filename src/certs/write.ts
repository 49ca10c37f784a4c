/** Writes a fresh identity (trust anchor + issuer) into a folder. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, type GenerateOptions } from './identity';

/** Writes ca.crt, ca.key, issuer.crt, issuer.key (keys with mode 0600); returns their paths in that order. */
export async function writeIdentity(dir: string, opts: GenerateOptions = {}): Promise<string[]> {
  const id = await generateIdentity(opts);
  mkdirSync(dir, { recursive: true });
  const files: [string, string, boolean][] = [
    ['ca.crt', id.caCrtPEM, false],
    ['ca.key', id.caKeyPEM, true],
    ['issuer.crt', id.issuerCrtPEM, false],
    ['issuer.key', id.issuerKeyPEM, true],
  ];
  return files.map(([name, content, secret]) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: secret ? 0o600 : 0o644 });
    chmodSync(path, secret ? 0o600 : 0o644);
    return path;
  });
}
