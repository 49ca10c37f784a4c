/**
 * The Helm binaries the tests use are the pinned releases (built from Go modules by scripts/tools.ts),
 * and each chart states the oldest Helm and Kubernetes it supports.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { toolVersion } from '../scripts/cluster/tools';
import { CHARTS } from '../src/charts';
import { KUBE_VERSION_CONSTRAINT, OLDEST_HELM, OLDEST_KUBERNETES } from '../src/version';
import { helmTool } from './support/helm';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

describe('the pinned Helm releases', () => {
  it.each([
    ['helm3', () => helmTool('helm3')],
    ['helm4', () => helmTool('helm4')],
    ['helm-oldest', () => helmTool('helm-oldest')],
  ] as const)('%s reports the release its wrapper module pins', async (tool, binary) => {
    const { stdout } = await run(binary(), ['version', '--short']);
    expect(stdout.trim()).toBe(toolVersion(tool));
  });

  it('the oldest Helm is the line the charts state', () => {
    expect(toolVersion('helm-oldest')).toMatch(new RegExp(`^v${OLDEST_HELM.replace('.', '\\.')}\\.\\d+$`));
    expect(toolVersion('helm3').split('.')[0]).toBe('v3');
    expect(toolVersion('helm4').split('.')[0]).toBe('v4');
  });
});

describe.each(Object.keys(CHARTS))('%s', (chart) => {
  const dir = join(ROOT, 'charts', chart);

  it('states the supported Helm and Kubernetes versions in its README and Chart.yaml', () => {
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(
      `Requires Kubernetes ${OLDEST_KUBERNETES} or later (\`kubeVersion: ${KUBE_VERSION_CONSTRAINT}\`) and Helm ${OLDEST_HELM} or later, Helm 4 included.`,
    );
    expect(readFileSync(join(dir, 'Chart.yaml'), 'utf8')).toContain(`kubeVersion: '${KUBE_VERSION_CONSTRAINT}'`);
  });
});
