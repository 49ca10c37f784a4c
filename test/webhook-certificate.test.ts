/**
 * The webhook certificates concrete rendering generates (Helm's genSelfSignedCert counterpart):
 * what a webhook server and the API server need of them, for every generated Secret of the charts.
 */
import { X509Certificate, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { renderObjects, resolveValues } from '../src/helm/chart';
import { tbsCertificate } from '../src/helm/generated';
import { IDENTITY_VALUES } from './fixtures/identity';

const VALUES: Record<string, Record<string, unknown>> = {
  'linkerd-control-plane': IDENTITY_VALUES,
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = Record<string, any>;
const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

describe('generated webhook certificates', () => {
  for (const name of ['linkerd-control-plane', 'linkerd-viz']) {
    it(`${name}: self-signed P-256 CA for the Service host, the key matches, the caBundle is the certificate`, () => {
      const objects = renderObjects(CHARTS[name], resolveValues(CHARTS[name], VALUES[name] ?? {}), { name, namespace: 'ns1' }).map((o) => o.object as Doc);
      const secrets = objects.filter((o) => o.kind === 'Secret' && o.type === 'kubernetes.io/tls');
      expect(secrets.length).toBeGreaterThan(0);
      const bundles = objects
        .filter((o) => ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService'].includes(o.kind))
        .flatMap((o) => (o.kind === 'APIService' ? [o.spec.caBundle] : o.webhooks.map((w: Doc) => w.clientConfig.caBundle)))
        .map(b64);
      for (const s of secrets) {
        const cert = new X509Certificate(b64(s.data['tls.crt']));
        const host = `${s.metadata.name.replace(/-k8s-tls$/, '')}.ns1.svc`;
        expect(cert.subject).toBe(`CN=${host}`);
        expect(cert.subjectAltName).toBe(`DNS:${host}`);
        expect(cert.ca).toBe(true);
        expect(cert.verify(cert.publicKey)).toBe(true);
        expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
        expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
        expect(cert.checkPrivateKey(createPrivateKey(b64(s.data['tls.key'])))).toBe(true);
        const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
        expect(days).toBe(365);
        expect(bundles).toContain(b64(s.data['tls.crt']));
      }
    });
  }

  // The reference: the same certificate built with an ASN.1 library (what generated.ts used before).
  const reference = (host: string, spki: Buffer, serial: Buffer, notBefore: Date, notAfter: Date) => {
    const name = new x509.Name([new x509.RelativeDistinguishedName([new x509.AttributeTypeAndValue({ type: '2.5.4.3', value: new x509.AttributeValue({ utf8String: host }) })])]);
    const ext = (extnID: string, critical: boolean, value: unknown) => new x509.Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
    const tbs = new x509.TBSCertificate({
      version: x509.Version.v3,
      serialNumber: Uint8Array.from(serial).buffer,
      signature: new x509.AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.2' }),
      issuer: name,
      subject: name,
      validity: new x509.Validity({ notBefore, notAfter }),
      subjectPublicKeyInfo: AsnConvert.parse(spki, x509.SubjectPublicKeyInfo),
      extensions: new x509.Extensions([
        ext(x509.id_ce_basicConstraints, true, new x509.BasicConstraints({ cA: true })),
        ext(x509.id_ce_keyUsage, true, new x509.KeyUsage(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign)),
        ext(x509.id_ce_extKeyUsage, false, new x509.ExtendedKeyUsage([x509.id_kp_serverAuth, x509.id_kp_clientAuth])),
        ext(x509.id_ce_subjectAltName, false, new x509.SubjectAlternativeName([new x509.GeneralName({ dNSName: host })])),
      ]),
    });
    return Buffer.from(AsnConvert.serialize(tbs));
  };

  it('writes, field by field, the bytes an ASN.1 library writes for the same certificate', () => {
    const spki = createPublicKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey).export({ type: 'spki', format: 'der' });
    const hosts = ['linkerd-proxy-injector.linkerd.svc', 'a.b', `${'x'.repeat(60)}.${'y'.repeat(60)}.${'z'.repeat(60)}.ns.svc`];
    const times: [string, string][] = [
      ['2026-12-07T17:00:05Z', '2027-12-07T17:00:05Z'],
      ['2049-12-31T23:59:59Z', '2050-01-01T00:00:00Z'],
      ['2060-02-29T01:02:03Z', '2160-02-29T01:02:03Z'],
    ];
    for (const host of hosts) {
      for (const [from, to] of times) {
        const serial = randomBytes(16);
        serial[0] &= 0x7f;
        const ours = tbsCertificate(host, spki, serial, new Date(from), new Date(to));
        expect(ours.toString('hex'), `${host} ${from}`).toBe(reference(host, spki, serial, new Date(from), new Date(to)).toString('hex'));
      }
    }
  });
});
