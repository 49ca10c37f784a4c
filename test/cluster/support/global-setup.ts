/**
 * vitest globalSetup of the cluster suite: starts a fresh cluster (building its binaries first
 * if they are not cached) and stops every process it started when the run ends, also on failure.
 * With CDK8S_LINKERD_KEEP_CLUSTER=1 a cluster that is already up is reused and left running.
 */
import { down, status, up } from '../../../scripts/cluster/cluster';

export default async function setup(): Promise<() => Promise<void>> {
  const keep = process.env.CDK8S_LINKERD_KEEP_CLUSTER === '1';
  if (!keep || !status().up) {
    if (status().up) await down();
    await up((l) => console.log(`[cluster] ${l}`));
  }
  return async () => {
    if (!keep) await down((l) => console.log(`[cluster] ${l}`));
  };
}
