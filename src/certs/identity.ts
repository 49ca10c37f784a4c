/**
 * Linkerd identity certificates: checking a trust anchor and issuer the user gives,
 * and creating a fresh pair for a quick start (`cdk8s-linkerd certs`).
 *
 * Linkerd's identity service signs workload certificates with the issuer, which must
 * chain to the trust anchor that every proxy trusts; both use ECDSA P-256.
 */
import { X509Certificate, createPrivateKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
// @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs the Reflect metadata API.
// Both are loaded by generateIdentity, not with this module: checking PEMs needs only node:crypto.
import type * as X509 from '@peculiar/x509';
import { DNS1123_SUBDOMAIN, type ValuesProblem } from '../values/model';

/** Where the PEMs sit in the linkerd-control-plane values. */
export const IDENTITY_KEYS = {
  trustAnchors: 'identityTrustAnchorsPEM',
  issuerCrt: 'identity.issuer.tls.crtPEM',
  issuerKey: 'identity.issuer.tls.keyPEM',
} as const;

export interface IdentityPems {
  trustAnchorsPEM: string;
  issuerCrtPEM: string;
  issuerKeyPEM: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function parseCerts(pem: string): X509Certificate[] {
  return (pem.match(PEM_CERT) ?? []).map((block) => new X509Certificate(block));
}

function describeKey(k: KeyObject): string {
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType === 'ec') return `ECDSA ${d.namedCurve}`;
  if (k.asymmetricKeyType === 'rsa') return `RSA ${d.modulusLength}`;
  return String(k.asymmetricKeyType);
}

function isP256(k: KeyObject): boolean {
  return k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

function validity(cert: X509Certificate, now: Date): string | undefined {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (now < from) return `not valid before ${from.toISOString()}`;
  if (now > to) return `expired on ${to.toISOString()}`;
  return undefined;
}

function readTrustAnchors(pem: string, now: Date): { anchors: X509Certificate[]; problems: ValuesProblem[] } {
  const problems: ValuesProblem[] = [];
  const fail = (message: string) => problems.push({ key: IDENTITY_KEYS.trustAnchors, message });
  let anchors: X509Certificate[] = [];
  try {
    anchors = parseCerts(pem);
    if (anchors.length === 0) fail('no PEM certificate found (expected one or more "BEGIN CERTIFICATE" blocks)');
  } catch (e) {
    fail(`not a parseable PEM certificate bundle: ${(e as Error).message}`);
  }
  for (const a of anchors) {
    if (!a.ca) fail(`${a.subject.trim()}: not a CA certificate (basicConstraints CA:TRUE is required)`);
    const v = validity(a, now);
    if (v) fail(`${a.subject.trim()}: ${v}`);
  }
  return { anchors, problems };
}

/**
 * Problems with a trust anchor bundle alone (parseable PEM certificates, CAs, valid now), for
 * when an external CA manages the issuer (identity.externalCA): the proxies still trust only
 * these anchors.
 */
export function checkTrustAnchors(trustAnchorsPEM: string, now: Date = new Date()): ValuesProblem[] {
  return readTrustAnchors(trustAnchorsPEM, now).problems;
}

/**
 * Problems with a trust anchor bundle and issuer certificate and key, each naming the
 * values key it concerns. Empty when the issuer can sign workload certificates that
 * proxies trusting the bundle accept.
 */
export function checkIdentityPems(p: IdentityPems, now: Date = new Date()): ValuesProblem[] {
  const problems: ValuesProblem[] = [];
  const fail = (key: string, message: string) => problems.push({ key, message });

  const { anchors, problems: anchorProblems } = readTrustAnchors(p.trustAnchorsPEM, now);
  problems.push(...anchorProblems);

  let issuer: X509Certificate | undefined;
  try {
    const certs = parseCerts(p.issuerCrtPEM);
    if (certs.length === 0) fail(IDENTITY_KEYS.issuerCrt, 'no PEM certificate found');
    issuer = certs[0];
  } catch (e) {
    fail(IDENTITY_KEYS.issuerCrt, `not a parseable PEM certificate: ${(e as Error).message}`);
  }

  let key: KeyObject | undefined;
  try {
    key = createPrivateKey(p.issuerKeyPEM);
  } catch (e) {
    fail(IDENTITY_KEYS.issuerKey, `not a parseable PEM private key: ${(e as Error).message}`);
  }
  if (key && !isP256(key)) fail(IDENTITY_KEYS.issuerKey, `must be an ECDSA P-256 key, got ${describeKey(key)}`);

  if (issuer) {
    if (!isP256(issuer.publicKey)) fail(IDENTITY_KEYS.issuerCrt, `must hold an ECDSA P-256 public key, got ${describeKey(issuer.publicKey)}`);
    if (!issuer.ca) fail(IDENTITY_KEYS.issuerCrt, 'not a CA certificate (basicConstraints CA:TRUE is required to sign workload certificates)');
    const v = validity(issuer, now);
    if (v) fail(IDENTITY_KEYS.issuerCrt, v);
    if (anchors.length > 0 && !anchors.some((a) => issuer!.checkIssued(a) && issuer!.verify(a.publicKey))) {
      fail(IDENTITY_KEYS.issuerCrt, `not signed by the trust anchor (issuer is "${issuer.issuer.trim()}")`);
    }
    if (key && !issuer.checkPrivateKey(key)) fail(IDENTITY_KEYS.issuerKey, 'does not match the issuer certificate');
  }
  return problems;
}

/**
 * Why a trust domain is not one Linkerd accepts (a DNS-1123 subdomain, as `linkerd install`
 * checks it), or undefined when it is.
 */
export function trustDomainProblem(trustDomain: string): string | undefined {
  if (trustDomain.length > 253 || !new RegExp(DNS1123_SUBDOMAIN).test(trustDomain)) {
    return `${JSON.stringify(trustDomain)} is not a trust domain: expected a DNS subdomain of at most 253 characters (lower-case letters, digits, '-' and '.', e.g. cluster.local)`;
  }
  return undefined;
}

/** A trust domain Linkerd would refuse (see trustDomainProblem); nothing was created. */
export class TrustDomainError extends Error {
  constructor(readonly trustDomain: string, readonly problem: string) {
    super(`trust domain: ${problem}`);
    this.name = 'TrustDomainError';
  }
}

export interface GeneratedIdentity {
  /** The trust anchor certificate (give it to every cluster that shares the mesh). */
  caCrtPEM: string;
  /** The trust anchor's private key: keep it offline. */
  caKeyPEM: string;
  issuerCrtPEM: string;
  issuerKeyPEM: string;
}

export interface GenerateOptions {
  /** The identity trust domain (default `cluster.local`); a DNS subdomain, else TrustDomainError. */
  trustDomain?: string;
  /** Trust anchor validity in days (default 3650). */
  anchorDays?: number;
  /** Issuer validity in days (default 365). */
  issuerDays?: number;
  now?: Date;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

async function sec1Pem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'sec1', format: 'pem' }) as string;
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // positive
  return bytes.toString('hex');
}

async function x509Lib(): Promise<typeof X509> {
  await import('reflect-metadata');
  const x509: typeof X509 = await import('@peculiar/x509');
  x509.cryptoProvider.set(globalThis.crypto);
  return x509;
}

function checkedTrustDomain(trustDomain = 'cluster.local'): string {
  const problem = trustDomainProblem(trustDomain);
  if (problem) throw new TrustDomainError(trustDomain, problem);
  return trustDomain;
}

const daysFrom = (now: Date, n: number) => new Date(now.getTime() + n * 86_400_000);
const caUsage = (x509: typeof X509) => new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);

/** An issuer certificate and key signed by the trust anchor `ca` (its private key `caKey`). */
async function signIssuer(x509: typeof X509, ca: X509.X509Certificate, caKey: webcrypto.CryptoKey, trustDomain: string, now: Date, days: number) {
  const issuerKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const issuer = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=identity.linkerd.${trustDomain}`,
    issuer: ca.subject,
    notBefore: now,
    notAfter: daysFrom(now, days),
    publicKey: issuerKeys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      caUsage(x509),
      await x509.SubjectKeyIdentifierExtension.create(issuerKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca),
    ],
  });
  return { issuerCrtPEM: `${issuer.toString('pem')}\n`, issuerKeyPEM: await sec1Pem(issuerKeys.privateKey) };
}

/** A fresh ECDSA P-256 trust anchor and an issuer signed by it, as Linkerd's docs prescribe. */
export async function generateIdentity(opts: GenerateOptions = {}): Promise<GeneratedIdentity> {
  const x509 = await x509Lib();
  const trustDomain = checkedTrustDomain(opts.trustDomain);
  const now = opts.now ?? new Date();
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=root.linkerd.${trustDomain}`,
    notBefore: now,
    notAfter: daysFrom(now, opts.anchorDays ?? 3650),
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, 1, true), caUsage(x509), await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey)],
  });
  const issuer = await signIssuer(x509, ca, caKeys.privateKey, trustDomain, now, opts.issuerDays ?? 365);
  return { caCrtPEM: `${ca.toString('pem')}\n`, caKeyPEM: await sec1Pem(caKeys.privateKey), ...issuer };
}

/**
 * A fresh issuer signed by an existing trust anchor (an issuer-only rotation). The anchor's key
 * must match its certificate; the anchor must be a CA valid now.
 */
export async function generateIssuer(anchor: { caCrtPEM: string; caKeyPEM: string }, opts: Omit<GenerateOptions, 'anchorDays'> = {}): Promise<{ issuerCrtPEM: string; issuerKeyPEM: string }> {
  const x509 = await x509Lib();
  const trustDomain = checkedTrustDomain(opts.trustDomain);
  const ca = new x509.X509Certificate(anchor.caCrtPEM);
  const pkcs8 = createPrivateKey(anchor.caKeyPEM).export({ type: 'pkcs8', format: 'der' });
  const caKey = await webcrypto.subtle.importKey('pkcs8', pkcs8, ALG, false, ['sign']);
  return signIssuer(x509, ca, caKey, trustDomain, opts.now ?? new Date(), opts.issuerDays ?? 365);
}
