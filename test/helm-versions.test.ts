/**
 * The Helm binaries the tests use are the pinned releases (built from Go modules by scripts/tools.ts),
 * and the oldest Helm the charts support (stated in each chart's README) renders and lints every chart
 * like the newest Helm 3.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { toolVersion } from '../scripts/cluster/tools';
import { CHARTS } from '../src/charts';
import { KUBE_VERSION_CONSTRAINT, OLDEST_HELM, OLDEST_KUBERNETES } from '../src/version';
import { REQUIRED_VALUES } from './fixtures/identity';
import { helmTool } from './support/helm';
import { writeValues } from './support/render';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const NAMESPACE: Record<string, string> = { 'linkerd-viz': 'linkerd-viz', 'linkerd-jaeger': 'linkerd-jaeger' };

type Doc = { kind: string; metadata: { name: string } };
const ids = (yaml: string) => (loadAll(yaml) as (Doc | null)[]).filter((d): d is Doc => d !== null).map((d) => `${d.kind}/${d.metadata.name}`);

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

describe.each(Object.keys(CHARTS))('%s with the oldest supported Helm', (chart) => {
  const dir = join(ROOT, 'charts', chart);
  const args = ['-n', NAMESPACE[chart] ?? 'linkerd', '-f', writeValues(REQUIRED_VALUES[chart] ?? {})];

  it('states the supported Helm and Kubernetes versions in its README and Chart.yaml', () => {
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(
      `Requires Kubernetes ${OLDEST_KUBERNETES} or later (\`kubeVersion: ${KUBE_VERSION_CONSTRAINT}\`) and Helm ${OLDEST_HELM} or later, Helm 4 included.`,
    );
    expect(readFileSync(join(dir, 'Chart.yaml'), 'utf8')).toContain(`kubeVersion: '${KUBE_VERSION_CONSTRAINT}'`);
  });

  it('passes helm lint --strict', async () => {
    const { stdout } = await run(helmTool('helm-oldest'), ['lint', '--strict', dir, ...args], { maxBuffer: 1 << 26 });
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders the objects the newest Helm 3 renders', async () => {
    const oldest = await run(helmTool('helm-oldest'), ['template', chart, dir, ...args], { maxBuffer: 1 << 28 });
    const newest = await run(helmTool('helm3'), ['template', chart, dir, ...args], { maxBuffer: 1 << 28 });
    expect(ids(oldest.stdout).length).toBeGreaterThan(0);
    expect(ids(oldest.stdout)).toEqual(ids(newest.stdout));
  });
});
