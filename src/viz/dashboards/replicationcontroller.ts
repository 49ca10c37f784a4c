/** The ReplicationController dashboard (`linkerd-replicationcontroller`): one meshed ReplicationController, labelled `replicationcontroller` by the proxy. */
import { workloadDashboard } from './workload';

/** Builds the ReplicationController dashboard. */
export const replicationcontrollerDashboard = () => workloadDashboard({ kind: 'replicationcontroller', title: 'ReplicationController', label: 'replicationcontroller' });
