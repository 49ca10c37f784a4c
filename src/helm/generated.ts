/**
 * Material Helm generates at render time: self-signed webhook certificates
 * (`genSelfSignedCert`). In concrete mode we generate the same kind of certificate
 * (RSA 2048, the host as CN and DNS SAN, CA flag set), once per host and process.
 * Such material differs between any two renders; the equivalence tests mask it.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import forge from 'node-forge';

export interface GeneratedCert {
  Cert: string;
  Key: string;
}

const cache = new Map<string, GeneratedCert>();

export function selfSignedCert(host: string, days: number): GeneratedCert {
  const cached = cache.get(`${host}/${days}`);
  if (cached) return cached;
  const { privateKey, publicKey } = rsaKeyPair();
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
  // Signed by node:crypto (OpenSSL) over the DER of the TBSCertificate forge has just built:
  // forge's own RSA (pure JavaScript) would take a quarter of a second per certificate.
  const signer = { sign: () => sign('sha256', Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary'), privateKey).toString('binary') };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  // forge writes CRLF line ends; Go's PEM encoder (and Helm) write LF.
  const out = { Cert: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'), Key: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string };
  cache.set(`${host}/${days}`, out);
  return out;
}

/*
 * RSA 2048 keys from OpenSSL (node:crypto) take 0.1 to 0.4 s each, most of a cold render's
 * time (a control plane and viz need five). The first key asked for starts one worker thread
 * that generates up to KEYS_AHEAD more, one at a time, on another core, into shared memory:
 * a key is taken from there when one is ready, else generated here as before. Every key is
 * used once. The worker never holds the process open.
 */
const KEYS_AHEAD = 4;
const SLOT = 4096; // bytes for one PKCS#8 DER key (about 1.2 kB for RSA 2048)
const WORKER = `
const { workerData } = require('node:worker_threads');
const { generateKeyPairSync } = require('node:crypto');
const lens = new Int32Array(workerData, 0, ${KEYS_AHEAD});
const bytes = new Uint8Array(workerData, ${KEYS_AHEAD * 4});
for (let i = 0; i < ${KEYS_AHEAD}; i++) {
  const der = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'der' });
  if (der.length > ${SLOT}) break;
  bytes.set(der, i * ${SLOT});
  Atomics.store(lens, i, der.length);
}`;

let ahead: { lens: Int32Array; bytes: Uint8Array; next: number } | undefined;

function rsaKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  if (!ahead) {
    ahead = { lens: new Int32Array(0), bytes: new Uint8Array(0), next: 0 };
    try {
      const shared = new SharedArrayBuffer(KEYS_AHEAD * (4 + SLOT));
      const worker = new Worker(WORKER, { eval: true, workerData: shared, stdout: true, stderr: true });
      worker.on('error', () => undefined);
      worker.unref();
      ahead = { lens: new Int32Array(shared, 0, KEYS_AHEAD), bytes: new Uint8Array(shared, KEYS_AHEAD * 4), next: 0 };
    } catch {
      // no worker threads here: every key is generated in this thread
    }
  } else if (ahead.next < ahead.lens.length) {
    const len = Atomics.load(ahead.lens, ahead.next);
    if (len > 0) {
      const at = ahead.next++ * SLOT;
      const privateKey = createPrivateKey({ key: Buffer.from(ahead.bytes.slice(at, at + len)), format: 'der', type: 'pkcs8' });
      return { privateKey, publicKey: createPublicKey(privateKey) };
    }
  }
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}
