/**
 * Material Helm generates at render time: self-signed webhook certificates
 * (`genSelfSignedCert`). In concrete mode we generate the same kind of certificate
 * (RSA 2048, the host as CN and DNS SAN, CA flag set), once per host and process.
 * Such material differs between any two renders; the equivalence tests mask it.
 */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface GeneratedCert {
  Cert: string;
  Key: string;
}

const cache = new Map<string, GeneratedCert>();

export function selfSignedCert(host: string, days: number): GeneratedCert {
  const cached = cache.get(`${host}/${days}`);
  if (cached) return cached;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  cert.serialNumber = `0${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
  const name = [{ name: 'commonName', value: host }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: host }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }) as string), forge.md.sha256.create());
  // forge writes CRLF line ends; Go's PEM encoder (and Helm) write LF.
  const out = { Cert: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), Key: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string };
  cache.set(`${host}/${days}`, out);
  return out;
}
