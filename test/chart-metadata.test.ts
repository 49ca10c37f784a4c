/**
 * What a user of a packaged chart reads: Chart.yaml names its sources and maintainers,
 * `helm show values`/`helm show readme` say nothing about this repository's source files, and
 * the control plane's NOTES.txt gives the next steps (Helm 4 renders NOTES offline).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { CHART_NAMES } from '../src/chart-registry';
import { helmBinary } from './support/helm';
import { IDENTITY_SET_FILE_FLAGS, identityFile } from './fixtures/identity';

const chartsDir = join(__dirname, '..', 'charts');
const helm = (args: string[]) => execFileSync(helmBinary(4), args, { encoding: 'utf8', maxBuffer: 1 << 26 });

describe.each(CHART_NAMES)('%s, as packaged', (chart) => {
  it('Chart.yaml has sources and maintainers; values and README point at nothing under src/', () => {
    const meta = load(helm(['show', 'chart', join(chartsDir, chart)])) as { sources?: string[]; maintainers?: { name: string; url?: string }[] };
    expect(meta.sources).toEqual(expect.arrayContaining([expect.stringMatching(/^https:\/\/github\.com\/cdk8s-linkerd\//), 'https://github.com/linkerd/linkerd2']));
    expect(meta.maintainers?.[0]?.name).toBeTruthy();
    for (const shown of [helm(['show', 'values', join(chartsDir, chart)]), helm(['show', 'readme', join(chartsDir, chart)])]) {
      expect(shown).not.toMatch(/\bsrc\/|\.\.\/\.\.\//);
    }
  });
});

describe('linkerd-control-plane NOTES.txt', () => {
  const notes = (args: string[]) => helm(['install', 'linkerd-control-plane', join(chartsDir, 'linkerd-control-plane'), '-n', 'mesh', '--dry-run=client', ...args]).split('\nNOTES:\n')[1];

  it('tells how to check the install, add viz, and read the issuer end date from its Secret', () => {
    const text = notes(IDENTITY_SET_FILE_FLAGS);
    expect(text).toContain('kubectl -n mesh rollout status deploy/linkerd-identity');
    expect(text).toContain('helm install linkerd-viz');
    expect(text).toContain("kubectl -n mesh get secret linkerd-identity-issuer -o jsonpath='{.data.crt\\.pem}' | base64 -d | openssl x509 -noout -enddate");
  });

  it('with identity.externalCA: cert-manager renews the issuer', () => {
    const text = notes(['--set', 'identity.externalCA=true', '--set', 'identity.issuer.scheme=kubernetes.io/tls', '--set-file', `identityTrustAnchorsPEM=${identityFile('ca.crt')}`]);
    expect(text).toContain('renewed by cert-manager');
    expect(text).not.toContain('openssl');
  });
});
