/**
 * Material Helm generates at render time: self-signed webhook certificates
 * (`genSelfSignedCert`). In concrete mode we generate a certificate of the same shape (the host
 * as CN and DNS SAN, CA flag set, server and client auth), once per host and process, with an
 * ECDSA P-256 key where Helm makes RSA 2048: OpenSSL makes a P-256 key in well under a
 * millisecond, an RSA 2048 key in 0.1 to 0.4 s (docs/parity.md, docs/performance.md).
 * Such material differs between any two renders; the equivalence tests mask it.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface GeneratedCert {
  Cert: string;
  Key: string;
}

const cache = new Map<string, GeneratedCert>();

/*
 * The certificate is written in DER here, field by field (RFC 5280), rather than with an ASN.1
 * library: loading one took a tenth of a control plane's or viz's render (docs/performance.md).
 * test/webhook-certificate.test.ts checks these bytes against @peculiar/asn1-x509's.
 */

/** A DER element: tag, definite length, content. */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : n < 0x10000 ? Buffer.from([0x82, n >> 8, n & 0xff]) : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

const SEQUENCE = 0x30;
const SET = 0x31;

/** An OBJECT IDENTIFIER in dotted form. */
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const groups = [n & 0x7f];
    for (let x = n >>> 7; x > 0; x >>>= 7) groups.unshift((x & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

/** UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5), in whole seconds. */
function time(d: Date): Buffer {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const y = d.getUTCFullYear();
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return y >= 1950 && y < 2050 ? der(0x17, Buffer.from(`${p(y % 100)}${rest}`)) : der(0x18, Buffer.from(`${p(y, 4)}${rest}`));
}

/** ecdsa-with-SHA256 (RFC 5758), without parameters. */
const ECDSA_WITH_SHA256 = der(SEQUENCE, oid('1.2.840.10045.4.3.2'));

/** An extension: its id, `critical` when true (DER leaves out the default false), the value's DER. */
const extension = (id: string, critical: boolean, value: Buffer) => der(SEQUENCE, oid(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));

/**
 * The TBSCertificate of a self-signed CA certificate for `host`: v3, the host as CN (UTF8String)
 * of issuer and subject, CA flag set (critical), key usage digitalSignature and keyCertSign
 * (critical), extended key usage server and client auth, the host as DNS SAN.
 */
export function tbsCertificate(host: string, spki: Buffer, serial: Buffer, notBefore: Date, notAfter: Date): Buffer {
  const name = der(SEQUENCE, der(SET, der(SEQUENCE, oid('2.5.4.3'), der(0x0c, Buffer.from(host, 'utf8')))));
  return der(
    SEQUENCE,
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ECDSA_WITH_SHA256,
    name,
    der(SEQUENCE, time(notBefore), time(notAfter)),
    name,
    spki,
    der(
      0xa3,
      der(
        SEQUENCE,
        extension('2.5.29.19', true, der(SEQUENCE, der(0x01, Buffer.from([0xff])))),
        // digitalSignature (bit 0) and keyCertSign (bit 5): one byte, its two low bits unused
        extension('2.5.29.15', true, der(0x03, Buffer.from([0x02, 0x84]))),
        extension('2.5.29.37', false, der(SEQUENCE, oid('1.3.6.1.5.5.7.3.1'), oid('1.3.6.1.5.5.7.3.2'))),
        extension('2.5.29.17', false, der(SEQUENCE, der(0x82, Buffer.from(host, 'ascii')))),
      ),
    ),
  );
}

/** The certificate: the TBSCertificate, the algorithm, the signature as a BIT STRING. */
export function certificateDer(tbs: Buffer, signature: Buffer): Buffer {
  return der(SEQUENCE, tbs, ECDSA_WITH_SHA256, der(0x03, Buffer.from([0]), signature));
}

const pem = (label: string, bytes: Buffer) => `-----BEGIN ${label}-----\n${(bytes.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

export function selfSignedCert(host: string, days: number): GeneratedCert {
  const cached = cache.get(`${host}/${days}`);
  if (cached) return cached;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // a positive INTEGER
  const now = Date.now();
  const tbs = tbsCertificate(host, spki, serial, new Date(now), new Date(now + days * 86_400_000));
  const out = { Cert: pem('CERTIFICATE', certificateDer(tbs, sign('sha256', tbs, privateKey))), Key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
  cache.set(`${host}/${days}`, out);
  return out;
}

/**
 * Forgets the certificates made so far, so that the next render makes new ones, as another
 * `helm template` would: `diff` and `upgrade-plan` render twice and find what differs.
 */
export function forgetGeneratedCertificates(): void {
  cache.clear();
}
