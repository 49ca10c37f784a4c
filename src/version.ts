/**
 * The one place that names the Linkerd release this distribution targets.
 * Moving to the next release is a change here plus regenerated outputs.
 */
export const LINKERD_VERSION = 'edge-26.8.3';

/** The oldest Kubernetes minor our charts support (every rendered object is checked against its API). */
export const OLDEST_KUBERNETES = '1.31';

/** The charts' Helm `kubeVersion` constraint: the oldest supported Kubernetes or later. */
export const KUBE_VERSION_CONSTRAINT = `>=${OLDEST_KUBERNETES}.0-0` as const;

/**
 * The oldest Helm the charts support: Helm 3.16, the first release whose version skew covers
 * Kubernetes 1.31 (our oldest) and whose `helm template` assumes it without a cluster. The unit
 * suite renders and lints every chart with it (scripts/cluster/modules/helm-oldest pins the build).
 */
export const OLDEST_HELM = '3.16';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { version: string; repository: { url: string } };

/** The project's home (its Git repository), for Chart.yaml's sources and maintainers and the chart READMEs. */
export const PROJECT_URL: string = pkg.repository.url.replace(/\.git$/, '');

/** Where upstream Linkerd's sources are (Chart.yaml's sources). */
export const UPSTREAM_URL = 'https://github.com/linkerd/linkerd2';

/** Chart version: follows this package's version. */
export const CHART_VERSION: string = pkg.version;

/** What `cdk8s-linkerd --version` prints. */
export function versionLine(): string {
  return `cdk8s-linkerd ${CHART_VERSION} (Linkerd ${LINKERD_VERSION})\n`;
}
