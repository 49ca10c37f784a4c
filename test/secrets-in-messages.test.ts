/**
 * No message prints the bytes of a private key: key material fed into every PEM-bearing value
 * of every chart is refused by the command, the constructs and `helm template` (Helm 3 and 4),
 * and no error holds any piece of the key's base64 body.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { run } from '../src/cli/main';
import { CHART_NAMES } from '../src/chart-registry';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { LinkerdViz } from '../src/viz/construct';
import { coalesce } from '../src/values/model';
import { HELM_MAJORS } from './support/helm';
import { helmTemplate, writeValues } from './support/render';
import { identityPem, requiredValuesOf } from './fixtures/identity';

const chartsDir = join(__dirname, '..', 'charts');

/** Dotted paths of every string value named `*PEM` or `caBundle` in a chart's values.schema.json. */
function pemPaths(chart: string): string[] {
  type Node = { type?: string | string[]; properties?: Record<string, Node> };
  const out: string[] = [];
  const walk = (node: Node, prefix: string) => {
    for (const [k, child] of Object.entries(node.properties ?? {})) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (/(PEM|caBundle)$/.test(k) && [child.type].flat().includes('string')) out.push(path);
      walk(child, path);
    }
  };
  walk(JSON.parse(readFileSync(join(chartsDir, chart, 'values.schema.json'), 'utf8')) as Node, '');
  return out;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const ec = identityPem('issuer.key');
const body = (pem: string) => pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));

/** What is fed in: each holds some of these keys' bytes. */
const MATERIAL: { name: string; value: (path: string) => unknown }[] = [
  // A private key where a certificate belongs; for a keyPEM value, a key cut short.
  { name: 'a PEM private key', value: (p) => (p.endsWith('keyPEM') ? rsa.split('\n').slice(0, 12).join('\n') : rsa) },
  { name: 'a key body without its BEGIN/END lines', value: () => body(ec).join('\n') },
  { name: 'a key in a list', value: () => [ec] },
];

/** Every 12-character piece of each key's base64 body: a message holding any of them leaks. */
const PIECES = [rsa, ec].flatMap((k) => body(k).flatMap((line) => Array.from({ length: Math.floor(line.length / 12) }, (_, i) => line.slice(i * 12, i * 12 + 12))));

function expectNoKeyBytes(message: string, where: string) {
  const leaked = PIECES.filter((p) => message.includes(p));
  expect(leaked, `${where} printed key bytes:\n${message}`).toEqual([]);
}

function setAt(path: string, value: unknown): Record<string, unknown> {
  return path
    .split('.')
    .reverse()
    .reduce<unknown>((inner, k) => ({ [k]: inner }), value) as Record<string, unknown>;
}

/**
 * Values whose content Helm cannot check: an issuer key that does not parse is rendered into the
 * identity Secret (as upstream's chart does); the command and the constructs parse it and refuse it.
 */
const HELM_RENDERS = new Set(['linkerd-control-plane:identity.issuer.tls.keyPEM']);

const CASES = CHART_NAMES.flatMap((chart) => pemPaths(chart).flatMap((path) => MATERIAL.map((m) => ({ chart, path, material: m }))));

describe('key material in a PEM value', () => {
  it('every PEM-bearing value is covered (control plane identity and webhooks, viz tap)', () => {
    const paths = new Set(CASES.map((c) => `${c.chart}:${c.path}`));
    for (const p of ['linkerd-control-plane:identityTrustAnchorsPEM', 'linkerd-control-plane:identity.issuer.tls.crtPEM', 'linkerd-control-plane:identity.issuer.tls.keyPEM', 'linkerd-control-plane:proxyInjector.caBundle', 'linkerd-viz:tapInjector.keyPEM']) {
      expect(paths).toContain(p);
    }
    expect(paths.size).toBeGreaterThanOrEqual(18);
  });

  it.each(CASES.map((c) => [`${c.chart} ${c.path}: ${c.material.name}`, c] as const))('%s: refused by the command, the construct and Helm 3 and 4, without its bytes', async (_, { chart, path, material }) => {
    const values = coalesce(requiredValuesOf(chart), setAt(path, material.value(path)));
    const file = writeValues(values);

    let stderr = '';
    const code = await run(['template', chart, '-f', file], { stdout: () => {}, stderr: (s) => (stderr += s), readFile: (p) => readFileSync(p, 'utf8') });
    expect(code, `cdk8s-linkerd accepted it`).toBe(1);
    expect(stderr).toContain(path.replace(/\.[^.]*$/, ''));
    expectNoKeyBytes(stderr, 'cdk8s-linkerd template');

    const construct = chart === 'linkerd-control-plane' ? LinkerdControlPlane : chart === 'linkerd-viz' ? LinkerdViz : undefined;
    if (construct) {
      const thrown = (() => {
        try {
          new construct(new App(), 'x', { values } as never);
        } catch (e) {
          return (e as Error).message;
        }
        return undefined;
      })();
      expect(thrown, 'the construct accepted it').toBeDefined();
      expectNoKeyBytes(thrown!, 'the construct');
    }

    for (const major of HELM_MAJORS) {
      const r = await helmTemplate(major, join(chartsDir, chart), ['-f', file]);
      if (!HELM_RENDERS.has(`${chart}:${path}`) || Array.isArray(material.value(path))) expect(r.ok, `Helm ${major} accepted it`).toBe(false);
      expectNoKeyBytes(r.stderr, `helm ${major} template`);
    }
  });
});

describe('key material in a malformed --set-json', () => {
  it.each(['identity.issuer.tls.keyPEM', 'identityTrustAnchorsPEM', 'x=1,proxyInjector.crtPEM'])('%s=<a key line, not JSON>: refused without its bytes', async (path) => {
    for (const line of [body(ec)[0], `[${body(rsa)[3]}`]) {
      let stderr = '';
      const code = await run(['validate', 'linkerd-control-plane', '--set-json', `${path}=${line}`], { stdout: () => {}, stderr: (s) => (stderr += s), readFile: (p) => readFileSync(p, 'utf8') });
      expect(code).toBe(1);
      expect(stderr).toMatch(/^error: --set-json .*value not shown/);
      expectNoKeyBytes(stderr, '--set-json');
    }
  });
});
