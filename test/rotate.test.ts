/**
 * `cdk8s-linkerd certs rotate`: a rotation a team applies as reviewable phases. Each phase's
 * values must be valid for the chart, `check` must name the phase, no key may reach a file meant
 * for Git, and nothing may be written over an existing file.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { IDENTITY_DIR } from './fixtures/identity';
import { runCli } from './support/cli';
import { scratchDir } from './support/render';

const cli = runCli;

/** A copy of the test identity (ca.crt, issuer.crt, issuer.key) with the anchor's key when given. */
function currentIdentity(caKey?: string): string {
  const dir = scratchDir('rotate-from');
  cpSync(IDENTITY_DIR, dir, { recursive: true });
  if (caKey) writeFileSync(join(dir, 'ca.key'), caKey);
  return dir;
}

const anchorsIn = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b));

describe('cdk8s-linkerd certs rotate', () => {
  it('writes a trust-anchor rotation as phases whose values are valid and that check names, one by one', async () => {
    const from = currentIdentity();
    const out = join(scratchDir('rotate'), 'rotation');
    const r = await cli(['certs', 'rotate', '--from', from, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const oldAnchor = new X509Certificate(readFileSync(join(from, 'ca.crt')));
    const newAnchor = new X509Certificate(readFileSync(join(out, 'new', 'ca.crt')));
    const phases = ['1-trust-both-anchors', '2-new-issuer', '4-remove-old-anchor'];
    const expected = [/rotation phase 1 of 4/, /rotation phase 2 or 3 of 4/, null];
    for (const [i, phase] of phases.entries()) {
      const values = join(out, phase, 'values.yaml');
      expect(statSync(values).mode & 0o777, phase).toBe(0o600);
      expect((await cli(['validate', 'linkerd-control-plane', '-f', values])).code, phase).toBe(0);
      const check = await cli(['check', '-f', values]);
      const warnings = check.stdout.split('\n').filter((l) => l.startsWith('warning'));
      if (expected[i]) expect(warnings, phase).toEqual([expect.stringMatching(expected[i]!)]);
      else expect(check.code, check.stdout).toBe(0);
      // The GitOps overlay holds only certificates.
      const overlay = readFileSync(join(out, phase, 'synth-values.yaml'), 'utf8');
      expect(overlay).not.toMatch(/PRIVATE KEY/);
      const anchors = anchorsIn((parse(overlay) as { 'linkerd-control-plane': { identityTrustAnchorsPEM: string } })['linkerd-control-plane'].identityTrustAnchorsPEM).map((a) => a.fingerprint256);
      expect(anchors, phase).toEqual(i < 2 ? [oldAnchor.fingerprint256, newAnchor.fingerprint256] : [newAnchor.fingerprint256]);
    }
    // Phase 2 onwards: the issuer is the new one, signed by the new anchor.
    const issuer = new X509Certificate(readFileSync(join(out, 'new', 'issuer.crt')));
    expect(issuer.checkIssued(newAnchor) && issuer.verify(newAnchor.publicKey)).toBe(true);
    for (const key of ['ca.key', 'issuer.key']) expect(statSync(join(out, 'new', key)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(out, 'ROTATION.md'), 'utf8')).toMatch(/## Phase 3: restart workloads[\s\S]*rollout restart/);
  });

  it('never writes over an existing file: a second run into the same folder is refused and changes nothing', async () => {
    const from = currentIdentity();
    const out = scratchDir('rotate-twice');
    expect((await cli(['certs', 'rotate', '--from', from, '-o', out])).code).toBe(0);
    const key = readFileSync(join(out, 'new', 'ca.key'), 'utf8');
    const again = await cli(['certs', 'rotate', '--from', from, '-o', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .* already holds .*new\/ca\.key.*not overwriting/);
    expect(readFileSync(join(out, 'new', 'ca.key'), 'utf8')).toBe(key);
  });

  it('rotates the issuer only, signed by the current anchor (whose key it needs)', async () => {
    const { generateIdentity } = await import('../src/certs/identity');
    const id = await generateIdentity();
    const from = scratchDir('rotate-issuer');
    writeFileSync(join(from, 'ca.crt'), id.caCrtPEM);
    writeFileSync(join(from, 'ca.key'), id.caKeyPEM);
    writeFileSync(join(from, 'issuer.crt'), id.issuerCrtPEM);
    writeFileSync(join(from, 'issuer.key'), id.issuerKeyPEM);
    const out = scratchDir('rotate-issuer-out');
    const r = await cli(['certs', 'rotate', '--issuer-only', '--from', from, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const issuer = new X509Certificate(readFileSync(join(out, 'new', 'issuer.crt')));
    expect(issuer.checkIssued(new X509Certificate(id.caCrtPEM))).toBe(true);
    expect(issuer.fingerprint256).not.toBe(new X509Certificate(id.issuerCrtPEM).fingerprint256);
    const check = await cli(['check', '-f', join(out, '1-new-issuer', 'values.yaml')]);
    expect(check.code, check.stdout).toBe(0);
    // Without the anchor's key there is nothing to sign with.
    const noKey = await cli(['certs', 'rotate', '--issuer-only', '--from', currentIdentity(), '-o', scratchDir('x')]);
    expect(noKey).toMatchObject({ code: 1, stderr: expect.stringMatching(/ca\.key: cannot read: no such file/) });
  });

  it('names the file of bad input and writes nothing', async () => {
    const { generateIdentity } = await import('../src/certs/identity');
    const other = await generateIdentity();
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['a key that does not match', (d) => writeFileSync(join(d, 'issuer.key'), other.issuerKeyPEM), /issuer\.key: does not match the issuer certificate/],
      ['a malformed certificate', (d) => writeFileSync(join(d, 'issuer.crt'), '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n'), /issuer\.crt: /],
      ['an issuer of another anchor', (d) => writeFileSync(join(d, 'ca.crt'), other.caCrtPEM), /issuer\.crt: not signed by the trust anchor/],
      ['an anchor key that is not the anchor', (d) => writeFileSync(join(d, 'ca.key'), other.caKeyPEM), /ca\.key: does not match the trust anchor/],
    ];
    for (const [name, spoil, message] of cases) {
      const from = currentIdentity(other.caKeyPEM);
      spoil(from);
      const out = join(scratchDir('rotate-bad'), 'out');
      const r = await cli(['certs', 'rotate', '--issuer-only', '--from', from, '-o', out]);
      expect(r.code, name).toBe(1);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).not.toMatch(/PRIVATE KEY|^[A-Za-z0-9+/]{40,}$/m);
      expect(() => statSync(out), name).toThrow();
    }
  });
});
