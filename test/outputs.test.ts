/** The committed outputs (charts/, dist/) are what the code generates now, and reproducible. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeArgoCd } from '../src/argocd';
import { EXAMPLE_REPO } from '../src/charts';
import { writeCharts, writeDist } from '../src/outputs';
import { scratchDir } from './support/render';

const root = join(__dirname, '..');

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('generated outputs', () => {
  it('charts/ is up to date (run npm run synth)', () => {
    const dir = scratchDir('charts');
    writeCharts(dir);
    expect(tree(join(root, 'charts'))).toEqual(tree(dir));
  });

  it('dist/ is up to date and byte-identical across syntheses', () => {
    const a = scratchDir('dist-a');
    const b = scratchDir('dist-b');
    for (const dir of [a, b]) {
      writeDist(dir);
      writeArgoCd(join(dir, 'argocd'), { repo: EXAMPLE_REPO, revision: 'main' });
    }
    expect(tree(a)).toEqual(tree(b));
    expect(tree(join(root, 'dist'))).toEqual(tree(a));
  });

  it("every document of dist/ names the chart template it comes from, except a release's Namespace, which no chart has", () => {
    const charts = new Set(Object.keys(tree(join(root, 'charts'))));
    let namespaces = 0;
    for (const [file, text] of Object.entries(tree(join(root, 'dist'))).filter(([f]) => f.endsWith('.yaml') && !f.startsWith('argocd/') && !f.endsWith('kustomization.yaml'))) {
      for (const doc of text.split(/^---\n/m).filter(Boolean)) {
        const [comment, ...rest] = doc.split('\n');
        const source = /^# Source: (.+)$/.exec(comment);
        if (source) expect(charts, `${file}: ${comment}`).toContain(source[1]);
        else {
          expect(comment, file).toMatch(/^# The namespace of [a-z0-9-]+ \(no template of the chart: helm install --create-namespace makes it\)$/);
          expect(rest.slice(0, 2), file).toEqual(['apiVersion: v1', 'kind: Namespace']);
          namespaces++;
        }
      }
    }
    expect(namespaces).toBeGreaterThanOrEqual(5);
  });

  it('dist/ holds no private key', () => {
    for (const [file, text] of Object.entries(tree(join(root, 'dist')))) expect(text, file).not.toContain('PRIVATE KEY');
  });
});
