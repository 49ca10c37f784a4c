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

  it('dist/ holds no private key', () => {
    for (const [file, text] of Object.entries(tree(join(root, 'dist')))) expect(text, file).not.toContain('PRIVATE KEY');
  });
});
