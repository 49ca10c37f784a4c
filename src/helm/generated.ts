/**
 * Material Helm generates at render time: self-signed webhook certificates
 * (`genSelfSignedCert`). In concrete mode we generate a certificate of the same shape (the host
 * as CN and DNS SAN, CA flag set, server and client auth), once per host and process, with an
 * ECDSA P-256 key where Helm makes RSA 2048: OpenSSL makes a P-256 key in well under a
 * millisecond, an RSA 2048 key in 0.1 to 0.4 s (docs/parity.md, docs/performance.md).
 * Such material differs between any two renders; the equivalence tests mask it.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type * as Asn1Schema from '@peculiar/asn1-schema';
import type * as Asn1X509 from '@peculiar/asn1-x509';

export interface GeneratedCert {
  Cert: string;
  Key: string;
}

const cache = new Map<string, GeneratedCert>();

// The ASN.1 modules are loaded with the first certificate: most renders need none.
let asn1: { schema: typeof Asn1Schema; x509: typeof Asn1X509 } | undefined;
function asn1Modules(): { schema: typeof Asn1Schema; x509: typeof Asn1X509 } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  asn1 ??= { schema: require('@peculiar/asn1-schema') as typeof Asn1Schema, x509: require('@peculiar/asn1-x509') as typeof Asn1X509 };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return asn1;
}

/** ecdsa-with-SHA256 (RFC 5758). */
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

const pem = (label: string, der: ArrayBuffer | Buffer) =>
  `-----BEGIN ${label}-----\n${(Buffer.from(der as ArrayBuffer).toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

export function selfSignedCert(host: string, days: number): GeneratedCert {
  const cached = cache.get(`${host}/${days}`);
  if (cached) return cached;
  const { schema, x509 } = asn1Modules();
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const name = new x509.Name([new x509.RelativeDistinguishedName([new x509.AttributeTypeAndValue({ type: '2.5.4.3', value: new x509.AttributeValue({ utf8String: host }) })])]);
  const ext = (extnID: string, critical: boolean, value: unknown) => new x509.Extension({ extnID, critical, extnValue: new schema.OctetString(schema.AsnConvert.serialize(value)) });
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // a positive INTEGER
  const now = Date.now();
  const signature = new x509.AlgorithmIdentifier({ algorithm: ECDSA_WITH_SHA256 });
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: serial.buffer.slice(serial.byteOffset, serial.byteOffset + serial.length),
    signature,
    issuer: name,
    subject: name,
    validity: new x509.Validity({ notBefore: new Date(now), notAfter: new Date(now + days * 86_400_000) }),
    subjectPublicKeyInfo: schema.AsnConvert.parse(spki, x509.SubjectPublicKeyInfo),
    extensions: new x509.Extensions([
      ext(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: true })),
      ext(x509.id_ce_keyUsage, true, new x509.KeyUsage(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign)),
      ext(x509.id_ce_extKeyUsage, false, new x509.ExtendedKeyUsage([x509.id_kp_serverAuth, x509.id_kp_clientAuth])),
      ext(x509.id_ce_subjectAltName, false, new x509.SubjectAlternativeName([new x509.GeneralName({ dNSName: host })])),
    ]),
  });
  const tbsDer = Buffer.from(schema.AsnConvert.serialize(tbs));
  const cert = new x509.Certificate({ tbsCertificate: tbs, signatureAlgorithm: signature, signatureValue: new Uint8Array(sign('sha256', tbsDer, privateKey)).buffer });
  const out = { Cert: pem('CERTIFICATE', schema.AsnConvert.serialize(cert)), Key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
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
