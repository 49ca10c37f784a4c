/** The CronJob dashboard (`linkerd-cronjob`): one meshed CronJob, labelled `cronjob` by the proxy. */
import { workloadDashboard } from './workload';

/** Builds the CronJob dashboard. */
export const cronjobDashboard = () => workloadDashboard({ kind: 'cronjob', title: 'CronJob', label: 'cronjob' });
