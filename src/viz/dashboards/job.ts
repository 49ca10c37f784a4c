/** The Job dashboard (`linkerd-job`): one meshed Job, labelled `k8s_job` by the proxy. */
import { workloadDashboard } from './workload';

/** Builds the Job dashboard. */
export const jobDashboard = () => workloadDashboard({ kind: 'job', title: 'Job', label: 'k8s_job' });
