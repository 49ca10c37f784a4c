/**
 * Production: Linkerd in high availability with cert-manager issuing the identity issuer
 * and the webhook certificates and trust-manager distributing the trust anchor (no key in
 * the output), viz in HA, and tracing to Jaeger on a persistent volume.
 *
 * Assumes cert-manager and trust-manager are installed and a CA ClusterIssuer named
 * linkerd-trust-anchor holds the trust anchor (its Secret in cert-manager's namespace).
 *
 *     npx tsx examples/production/main.ts trust-anchor.crt   # writes dist.production/
 */
import { readFileSync } from 'node:fs';
import { App } from 'cdk8s';
import { LinkerdMesh, gitopsValues, haValues, vizGitopsValues, vizHaValues } from '../../src';

export function production(app: App, trustAnchorsPEM: string): LinkerdMesh {
  return new LinkerdMesh(app, 'mesh', {
    controlPlane: { ...haValues, ...gitopsValues, identityTrustAnchorsPEM: trustAnchorsPEM, controllerReplicas: 3 },
    viz: { ...vizHaValues, ...vizGitopsValues, prometheus: { ...vizHaValues.prometheus, args: { 'storage.tsdb.retention.time': '24h' } } },
    jaeger: { collector: { replicas: 2 }, enablePodAntiAffinity: true, jaeger: { storage: { type: 'badger', badger: { size: '50Gi' } } } },
  });
}

if (require.main === module) {
  const app = new App({ outdir: 'dist.production' });
  production(app, readFileSync(process.argv[2] ?? 'trust-anchor.crt', 'utf8'));
  app.synth();
}
