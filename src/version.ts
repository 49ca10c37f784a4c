/**
 * The one place that names the Linkerd release this distribution targets.
 * Moving to the next release is a change here plus regenerated outputs.
 */
export const LINKERD_VERSION = 'edge-26.8.3';

/** The oldest Kubernetes version our charts accept (Helm `kubeVersion` constraint). */
export const KUBE_VERSION_CONSTRAINT = '>=1.31.0-0';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { version: string };

/** Chart version: follows this package's version. */
export const CHART_VERSION: string = pkg.version;
