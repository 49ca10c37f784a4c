/**
 * vitest globalSetup of the cluster suite: starts a fresh cluster (building its binaries first
 * if they are not cached) and stops every process it started when the run ends, also on failure.
 * With CDK8S_LINKERD_KEEP_CLUSTER=1 a cluster that is already up is reused and left running.
 */
import { down, nonLoopbackSockets, status, up } from '../../../scripts/cluster/cluster';

export default async function setup(): Promise<() => Promise<void>> {
  const keep = process.env.CDK8S_LINKERD_KEEP_CLUSTER === '1';
  if (!keep || !status().up) {
    if (status().up) await down();
    await up((l) => console.log(`[cluster] ${l}`));
  }
  return async () => {
    // Everything the cluster did stayed on loopback (checked on the sockets open at the end).
    const outside = nonLoopbackSockets();
    if (!keep) await down((l) => console.log(`[cluster] ${l}`));
    if (outside.length) throw new Error(`cluster processes used non-loopback addresses:\n${outside.join('\n')}`);
    console.log('[cluster] every socket of the cluster processes was on loopback');
  };
}
