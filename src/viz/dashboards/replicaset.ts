/** The ReplicaSet dashboard (`linkerd-replicaset`): one meshed ReplicaSet, labelled `replicaset` by the proxy. */
import { workloadDashboard } from './workload';

/** Builds the ReplicaSet dashboard. */
export const replicasetDashboard = () => workloadDashboard({ kind: 'replicaset', title: 'ReplicaSet', label: 'replicaset' });
