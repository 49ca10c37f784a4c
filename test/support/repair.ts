/** Making random values consistent where the schema cannot: shared by the chart suites. */

const TLS_KEYS = ['crtPEM', 'keyPEM', 'caBundle', 'injectCaFrom', 'injectCaFromSecret'];

/**
 * Webhook certificate settings (upstream's rules): one CA injection at most, none with a
 * caBundle, externalSecret with injection and only with a CA source, both PEMs or neither.
 * With `managed`, cert-manager issues them and no PEM or injection value may be given.
 */
export function repairWebhookTls(out: Record<string, unknown>, sections: string[], managed = false): void {
  for (const section of sections) {
    const w = out[section] as Record<string, unknown> | undefined;
    if (!w) continue;
    if (managed) for (const k of TLS_KEYS) delete w[k];
    if (w.injectCaFrom && w.injectCaFromSecret) delete w.injectCaFromSecret;
    const injects = Boolean(w.injectCaFrom || w.injectCaFromSecret);
    if (injects) {
      delete w.caBundle;
      w.externalSecret = true;
    }
    if (w.externalSecret && !w.caBundle && !injects && !managed) w.externalSecret = false;
    if (Boolean(w.crtPEM) !== Boolean(w.keyPEM)) {
      delete w.crtPEM;
      delete w.keyPEM;
    }
  }
}
