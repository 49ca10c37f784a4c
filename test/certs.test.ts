/** Identity certificates: the generator, and each fault the checker must name. */
import 'reflect-metadata';
import { X509Certificate, createPrivateKey, generateKeyPairSync, webcrypto } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main';
import { TrustDomainError, checkIdentityPems, checkTrustAnchors, generateIdentity, trustDomainProblem, type GeneratedIdentity } from '../src/certs/identity';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A self-signed certificate with the given CA flag and validity, for the fault cases. */
async function selfSigned(opts: { ca: boolean; notBefore: Date; notAfter: Date }) {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=test',
    notBefore: opts.notBefore,
    notAfter: opts.notAfter,
    keys,
    signingAlgorithm: EC,
    extensions: [new x509.BasicConstraintsExtension(opts.ca, undefined, true)],
  });
  return cert.toString('pem');
}

let good: GeneratedIdentity;
let other: GeneratedIdentity;
beforeAll(async () => {
  good = await generateIdentity();
  other = await generateIdentity();
});

const pems = () => ({ trustAnchorsPEM: good.caCrtPEM, issuerCrtPEM: good.issuerCrtPEM, issuerKeyPEM: good.issuerKeyPEM });

describe('generateIdentity', () => {
  it('makes an ECDSA P-256 trust anchor and an issuer it signed, both CAs', () => {
    const ca = new X509Certificate(good.caCrtPEM);
    const issuer = new X509Certificate(good.issuerCrtPEM);
    expect(ca.ca && issuer.ca).toBe(true);
    expect(issuer.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(issuer.verify(ca.publicKey)).toBe(true);
    expect(ca.subject.trim()).toBe('CN=root.linkerd.cluster.local');
    expect(good.issuerKeyPEM).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(checkIdentityPems(pems())).toEqual([]);
  });
});

describe('checkIdentityPems names each fault', () => {
  const keyOf = (p: { key: string }[]) => p.map((x) => x.key);

  it('unparseable PEM', () => {
    const p = checkIdentityPems({ ...pems(), trustAnchorsPEM: 'hello' });
    expect(p).toEqual([{ key: 'identityTrustAnchorsPEM', message: expect.stringContaining('no PEM certificate found') }]);
    expect(checkIdentityPems({ ...pems(), issuerKeyPEM: '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n' })[0]).toMatchObject({
      key: 'identity.issuer.tls.keyPEM',
      message: expect.stringContaining('not a parseable PEM private key'),
    });
  });

  it('a key that is not ECDSA P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const p = checkIdentityPems({ ...pems(), issuerKeyPEM: rsa });
    expect(p).toContainEqual({ key: 'identity.issuer.tls.keyPEM', message: 'must be an ECDSA P-256 key, got RSA 2048' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    expect(checkIdentityPems({ ...pems(), issuerKeyPEM: p384 })).toContainEqual({
      key: 'identity.issuer.tls.keyPEM',
      message: 'must be an ECDSA P-256 key, got ECDSA secp384r1',
    });
  });

  it('a trust anchor that is not a CA', async () => {
    const leaf = await selfSigned({ ca: false, notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86_400_000) });
    const p = checkIdentityPems({ ...pems(), trustAnchorsPEM: leaf });
    expect(p).toContainEqual({ key: 'identityTrustAnchorsPEM', message: 'CN=test: not a CA certificate (basicConstraints CA:TRUE is required)' });
  });

  it('an issuer not signed by the trust anchor', () => {
    const p = checkIdentityPems({ ...pems(), trustAnchorsPEM: other.caCrtPEM });
    expect(keyOf(p)).toEqual(['identity.issuer.tls.crtPEM']);
    expect(p[0].message).toMatch(/^not signed by the trust anchor/);
  });

  it('an expired or not yet valid certificate', () => {
    const later = new Date(Date.now() + 400 * 86_400_000);
    expect(checkIdentityPems(pems(), later)).toEqual([{ key: 'identity.issuer.tls.crtPEM', message: expect.stringMatching(/^expired on /) }]);
    const earlier = new Date(Date.now() - 86_400_000);
    expect(keyOf(checkIdentityPems(pems(), earlier))).toEqual(['identityTrustAnchorsPEM', 'identity.issuer.tls.crtPEM']);
  });

  it('a key that does not match the certificate', () => {
    expect(checkIdentityPems({ ...pems(), issuerKeyPEM: other.issuerKeyPEM })).toEqual([
      { key: 'identity.issuer.tls.keyPEM', message: 'does not match the issuer certificate' },
    ]);
  });
});

describe('cdk8s-linkerd certs', () => {
  it('writes a trust anchor and issuer that pass the checks, keys readable by the owner only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'certs-'));
    let err = '';
    const code = await run(['certs', '-o', dir], { stdout: () => {}, stderr: (s) => (err += s), readFile: (p) => readFileSync(p, 'utf8') });
    expect(code, err).toBe(0);
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(checkIdentityPems({ trustAnchorsPEM: read('ca.crt'), issuerCrtPEM: read('issuer.crt'), issuerKeyPEM: read('issuer.key') })).toEqual([]);
    expect(statSync(join(dir, 'issuer.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
    expect(() => createPrivateKey(read('ca.key'))).not.toThrow();
    expect(err).toContain('--set-file identityTrustAnchorsPEM=');
  });

  it.each(['Bad Domain!', 'UPPER.case', '-lead.example', 'trail-.example', 'a..b', '', `${'a'.repeat(250)}.com`])(
    'refuses the trust domain %j (exit 1, nothing written, the flag named)',
    async (domain) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'certs-')), 'out');
      let err = '';
      const code = await run(['certs', '-o', dir, `--trust-domain=${domain}`], { stdout: () => {}, stderr: (s) => (err += s), readFile: (p) => readFileSync(p, 'utf8') });
      expect(code).toBe(1);
      expect(err).toMatch(/^error: --trust-domain: .* is not a trust domain/);
      expect(existsSync(dir)).toBe(false);
      await expect(generateIdentity({ trustDomain: domain })).rejects.toThrow(TrustDomainError);
    },
  );

  it('accepts trust domains Linkerd accepts', () => {
    for (const d of ['cluster.local', 'example.com', 'a-b.c1.example', 'x']) expect(trustDomainProblem(d)).toBeUndefined();
  });
});

describe('checkTrustAnchors (identity.externalCA)', () => {
  it('names garbage, unparseable blocks and non-CA certificates', async () => {
    expect(checkTrustAnchors('garbage').map((p) => p.key)).toEqual(['identityTrustAnchorsPEM']);
    expect(checkTrustAnchors('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')[0].message).toMatch(/not a parseable PEM/);
    const leaf = await selfSigned({ ca: false, notBefore: new Date(Date.now() - 1000), notAfter: new Date(Date.now() + 86_400_000) });
    expect(checkTrustAnchors(leaf)[0].message).toMatch(/not a CA/);
    expect(checkTrustAnchors(good.caCrtPEM)).toEqual([]);
  });
});
