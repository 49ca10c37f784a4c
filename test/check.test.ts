/**
 * `cdk8s-linkerd check` offline: what a team learns about a values set before it merges.
 * Each case is a values set a user could write, with the finding (severity, chart, key, and the
 * file that set the key) and the exit code that CI would act on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli';
import { generateIdentity, type GeneratedIdentity } from '../src/certs/identity';
import { scratchDir } from './support/render';

const HA = join(__dirname, '..', 'charts', 'linkerd-control-plane', 'values-ha.yaml');

const check = (args: string[]) => runCli(['check', ...args]);

/** Writes an identity as the files a user keeps, and returns the --set-file flags that give them. */
function identityFlags(id: GeneratedIdentity, keyFrom: GeneratedIdentity = id): { flags: string[]; dir: string } {
  const dir = scratchDir('check');
  writeFileSync(join(dir, 'ca.crt'), id.caCrtPEM);
  writeFileSync(join(dir, 'issuer.crt'), id.issuerCrtPEM);
  writeFileSync(join(dir, 'issuer.key'), keyFrom.issuerKeyPEM);
  const flags = ['ca.crt:identityTrustAnchorsPEM', 'issuer.crt:identity.issuer.tls.crtPEM', 'issuer.key:identity.issuer.tls.keyPEM'].flatMap((s) => {
    const [file, key] = s.split(':');
    return ['--set-file', `${key}=${join(dir, file)}`];
  });
  return { flags, dir };
}

function valuesFile(name: string, text: string): string {
  const path = join(scratchDir('check-values'), name);
  writeFileSync(path, text);
  return path;
}

const lines = (out: string, severity: string) => out.split('\n').filter((l) => l.startsWith(severity));

describe('cdk8s-linkerd check (offline)', () => {
  let fresh: GeneratedIdentity;
  let other: GeneratedIdentity;
  beforeAll(async () => {
    fresh = await generateIdentity();
    other = await generateIdentity();
  });

  it('passes a sound values set: every check listed as ok, exit 0', async () => {
    const r = await check(identityFlags(fresh).flags);
    expect(r.code).toBe(0);
    expect(lines(r.stdout, 'ok')).toHaveLength(8);
    expect(r.stdout).toMatch(/8 checks: 0 errors, 0 warnings\n$/);
  });

  it('the HA preset is coherent (replicas, PodDisruptionBudget, anti-affinity)', async () => {
    const r = await check(['-f', HA, ...identityFlags(fresh).flags]);
    expect(lines(r.stdout, 'warning')).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('warns about an issuer that expires inside the window, naming the key and the file', async () => {
    const { flags, dir } = identityFlags(await generateIdentity({ issuerDays: 10 }));
    const r = await check(flags);
    expect(r.code).toBe(3);
    expect(lines(r.stdout, 'warning')).toEqual([
      expect.stringMatching(
        new RegExp(`^warning linkerd-control-plane: identity\\.issuer\\.tls\\.crtPEM \\(from ${join(dir, 'issuer.crt')}\\): "CN=identity\\.linkerd\\.cluster\\.local" expires on \\S+, in 9 days \\(window: 30 days\\)`),
      ),
    ]);
    // A narrower window lets it pass.
    expect((await check([...flags, '--expiry-window', '5d'])).code).toBe(0);
    expect((await check([...flags, '--expiry-window', '120h'])).code).toBe(0);
  });

  it("refuses an issuer that the proxies' certificates would outlive", async () => {
    const { flags } = identityFlags(await generateIdentity({ issuerDays: 365 }));
    const r = await check([...flags, '--set', 'identity.issuer.issuanceLifetime=9000h']);
    expect(r.code).toBe(1);
    expect(lines(r.stdout, 'error')).toEqual([expect.stringContaining("identity.issuer.issuanceLifetime (from --set): the proxies' certificates (9000h) would outlive the issuer certificate")]);
  });

  it('warns when the trust anchor expires before the issuer it signed', async () => {
    const r = await check(identityFlags(await generateIdentity({ anchorDays: 90, issuerDays: 365 })).flags);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('identityTrustAnchorsPEM');
    expect(r.stdout).toContain('before the issuer it signed');
  });

  it('names the file of a key that does not match its certificate', async () => {
    const { flags, dir } = identityFlags(fresh, other);
    const r = await check(flags);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`error   linkerd-control-plane: identity.issuer.tls.keyPEM (from ${join(dir, 'issuer.key')}): does not match the issuer certificate`);
  });

  it("finds extensions that disagree with the control plane's domains and namespace", async () => {
    const viz = valuesFile('viz.yaml', 'linkerdNamespace: mesh\nclusterDomain: example.org\n');
    const mc = valuesFile('mc.yaml', 'identityTrustDomain: example.org\nlinkerdNamespace: mesh\n');
    const r = await check([...identityFlags(fresh).flags, '-n', 'linkerd', '--chart-values', `linkerd-viz=${viz}`, '--chart-values', `linkerd-multicluster=${mc}`]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout, 'error').map((l) => `${l.split('): ')[0]})`)).toEqual([
      `error   linkerd-viz: clusterDomain (from ${viz})`,
      `error   linkerd-multicluster: identityTrustDomain (from ${mc})`,
      `error   linkerd-viz: linkerdNamespace (from ${viz})`,
      `error   linkerd-multicluster: linkerdNamespace (from ${mc})`,
    ]);
    // The same extension values fit a control plane in "mesh" with that domain.
    const cp = valuesFile('cp.yaml', 'clusterDomain: example.org\n');
    const ok = await check(['-f', cp, ...identityFlags(fresh).flags, '-n', 'mesh', '--chart-values', `linkerd-viz=${viz}`, '--chart-values', `linkerd-multicluster=${mc}`]);
    expect(lines(ok.stdout, 'error')).toEqual([]);
  });

  it('warns about replicas without a PodDisruptionBudget or anti-affinity, and a PodDisruptionBudget over one replica', async () => {
    const many = await check([...identityFlags(fresh).flags, '--set', 'controllerReplicas=3']);
    expect(many.code).toBe(3);
    expect(lines(many.stdout, 'warning').map((l) => l.split(' (from')[0].split(': ').slice(0, 2).join(': '))).toEqual([
      'warning linkerd-control-plane: enablePodDisruptionBudget',
      'warning linkerd-control-plane: enablePodAntiAffinity',
    ]);
    const one = await check([...identityFlags(fresh).flags, '--set', 'enablePodDisruptionBudget=true']);
    expect(lines(one.stdout, 'warning')).toEqual([expect.stringContaining('lets a node drain evict every replica')]);
  });

  it("checks the CNI plugin's ports and proxy user against the control plane's proxy", async () => {
    const cni = valuesFile('cni.yaml', 'proxyUID: 1000\ninboundProxyPort: 4143\n');
    const r = await check([...identityFlags(fresh).flags, '--set', 'cniEnabled=true', '--chart-values', `linkerd2-cni=${cni}`]);
    expect(r.code).toBe(1);
    expect(lines(r.stdout, 'error')).toEqual([expect.stringContaining(`linkerd2-cni: proxyUID (from ${cni}): 1000 differs from the control plane's proxy.uid 2102`)]);
    const matching = await check([...identityFlags(fresh).flags, '--set', 'cniEnabled=true,proxy.uid=1000', '--chart-values', `linkerd2-cni=${cni}`]);
    expect(matching.code).toBe(0);
    const unused = await check([...identityFlags(fresh).flags, '--set', 'proxy.uid=1000', '--chart-values', `linkerd2-cni=${cni}`]);
    expect(unused.code).toBe(3);
    expect(lines(unused.stdout, 'warning')).toEqual([expect.stringContaining('linkerd-control-plane: cniEnabled')]);
  });

  it('prints JSON for CI with the same findings and their sources', async () => {
    const viz = valuesFile('viz.yaml', 'linkerdNamespace: mesh\n');
    const r = await check([...identityFlags(fresh).flags, '--chart-values', `linkerd-viz=${viz}`, '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.status).toBe('error');
    expect(report.findings).toEqual([{ severity: 'error', check: 'namespace', chart: 'linkerd-viz', key: 'linkerdNamespace', source: viz, message: expect.any(String) }]);
    expect(report.checks.map((c: { id: string; status: string }) => `${c.id}:${c.status}`)).toContain('namespace:error');
  });

  it("says which chart a values file belongs to when it is given to the wrong one", async () => {
    const viz = valuesFile('viz.yaml', 'tap:\n  replicas: 2\ngrafana:\n  enabled: false\n');
    const r = await check(['-f', viz, ...identityFlags(fresh).flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`error: ${viz}: not linkerd-control-plane values (unknown keys: tap, grafana); they fit linkerd-viz: pass them as --chart-values linkerd-viz=${viz}\n`);
  });

  it('refuses bad usage in one line (exit 2)', async () => {
    for (const args of [['-o', 'yaml'], ['--chart-values', 'linkerd-bogus=x.yaml'], ['--chart-values', 'linkerd-control-plane=x.yaml'], ['--expiry-window', 'soon'], ['linkerd-viz']]) {
      const r = await check(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^error: /);
    }
  });
});
