/**
 * The one place that names the Linkerd release this distribution targets.
 * Moving to the next release is a change here plus regenerated outputs.
 */
export const LINKERD_VERSION = 'edge-26.8.3';

/** The oldest Kubernetes version our charts accept (Helm `kubeVersion` constraint). */
export const KUBE_VERSION_CONSTRAINT = '>=1.31.0-0';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { version: string; repository: { url: string } };

/** The project's home (its Git repository), for Chart.yaml's sources and maintainers and the chart READMEs. */
export const PROJECT_URL: string = pkg.repository.url.replace(/\.git$/, '');

/** Where upstream Linkerd's sources are (Chart.yaml's sources). */
export const UPSTREAM_URL = 'https://github.com/linkerd/linkerd2';

/** Chart version: follows this package's version. */
export const CHART_VERSION: string = pkg.version;
