/** The cluster is the pinned Kubernetes release (scripts/cluster/tools.ts). */
import { describe, expect, it } from 'vitest';
import { toolVersion } from '../../scripts/cluster/tools';
import { kubectl } from './support/cluster';

describe('versions under test', () => {
  it('the API server and kubectl report the pinned Kubernetes release', async () => {
    const server = JSON.parse((await kubectl(['get', '--raw', '/version'])).stdout) as { gitVersion: string; major: string; minor: string };
    expect(server.gitVersion).toBe(toolVersion('kubernetes'));
    expect(`v${server.major}.${server.minor}`).toBe(toolVersion('kubernetes').replace(/\.\d+$/, ''));
    const client = JSON.parse((await kubectl(['version', '-o', 'json'])).stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
    expect(client.clientVersion.gitVersion).toBe(toolVersion('kubernetes'));
    expect(client.serverVersion.gitVersion).toBe(toolVersion('kubernetes'));
  });
});
