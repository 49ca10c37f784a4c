/** The Deployment dashboard (`linkerd-deployment`): one meshed Deployment, labelled `deployment` by the proxy. */
import { workloadDashboard } from './workload';

/** Builds the Deployment dashboard. */
export const deploymentDashboard = () => workloadDashboard({ kind: 'deployment', title: 'Deployment', label: 'deployment' });
