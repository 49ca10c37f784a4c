/** The StatefulSet dashboard (`linkerd-statefulset`): one meshed StatefulSet, labelled `statefulset` by the proxy. */
import { workloadDashboard } from './workload';

/** Builds the StatefulSet dashboard. */
export const statefulsetDashboard = () => workloadDashboard({ kind: 'statefulset', title: 'StatefulSet', label: 'statefulset' });
