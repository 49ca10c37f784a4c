/**
 * Quick start: Linkerd with viz, from a trust anchor and issuer made by
 * `cdk8s-linkerd certs -o certs/`.
 *
 *     npx cdk8s-linkerd certs -o certs/ && npx tsx examples/quick-start/main.ts   # writes dist.quick-start/
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { LinkerdMesh } from '../../src';

export interface Identity {
  trustAnchorsPEM: string;
  issuerCrtPEM: string;
  issuerKeyPEM: string;
}

export function quickStart(app: App, identity: Identity): LinkerdMesh {
  return new LinkerdMesh(app, 'mesh', {
    controlPlane: {
      identityTrustAnchorsPEM: identity.trustAnchorsPEM,
      identity: { issuer: { tls: { crtPEM: identity.issuerCrtPEM, keyPEM: identity.issuerKeyPEM } } },
    },
  });
}

if (require.main === module) {
  const certs = process.argv[2] ?? 'certs';
  const read = (f: string) => readFileSync(join(certs, f), 'utf8');
  const app = new App({ outdir: 'dist.quick-start' });
  quickStart(app, { trustAnchorsPEM: read('ca.crt'), issuerCrtPEM: read('issuer.crt'), issuerKeyPEM: read('issuer.key') });
  app.synth();
}
