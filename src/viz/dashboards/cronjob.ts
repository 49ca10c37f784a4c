/**
 * The CronJob dashboard (`linkerd-cronjob`): one meshed CronJob, labelled `cronjob`. The
 * proxy injector labels a CronJob's pods only when the CronJob itself is injected (as a
 * template); pods injected by the webhook get their `cronjob` label from the scrape job,
 * which names the CronJob after the Job that runs the pod.
 */
import { workloadDashboard } from './workload';

/** Builds the CronJob dashboard. */
export const cronjobDashboard = () => workloadDashboard({ kind: 'cronjob', title: 'CronJob', label: 'cronjob' });
