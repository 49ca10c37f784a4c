/** The DaemonSet dashboard (`linkerd-daemonset`): one meshed DaemonSet, labelled `daemonset` by the proxy. */
import { workloadDashboard } from './workload';

/** Builds the DaemonSet dashboard. */
export const daemonsetDashboard = () => workloadDashboard({ kind: 'daemonset', title: 'DaemonSet', label: 'daemonset' });
