/**
 * The webhook certificates concrete rendering generates (Helm's genSelfSignedCert counterpart):
 * what a webhook server and the API server need of them, for every generated Secret of the charts.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CHARTS } from '../src/charts';
import { renderObjects, resolveValues } from '../src/helm/chart';
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
});
