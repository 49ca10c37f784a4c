/** The charts this distribution ships, by name, loaded together (chart-registry.ts loads them one by one). */
import { UnknownChartError, withRegisteredPresets } from './chart-registry';
import { linkerd2CniChart } from './cni/chart';
import { linkerdControlPlaneChart } from './control-plane/chart';
import { linkerdCrdsChart } from './crds/chart';
import { gatewayApiCrdsChart } from './gateway-api/chart';
import type { ChartDefinition } from './helm/chart';
import { linkerdJaegerChart } from './jaeger/chart';
import * as jaegerWiring from './jaeger/wiring';
import { linkerdMulticlusterChart } from './multicluster/chart';
import { linkerdMulticlusterLinkChart } from './multicluster/link';
import { linkerdVizChart } from './viz/chart';

export {
  CERTIFICATES_FOLDER,
  CNI_NAMESPACE,
  DIST_CHARTS,
  DIST_NAMESPACE,
  EXAMPLE_REPO,
  UnknownChartError,
  exampleTrustAnchor,
  type DistChart,
} from './chart-registry';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const CHARTS: Record<string, ChartDefinition<any>> = {
  [gatewayApiCrdsChart.name]: gatewayApiCrdsChart,
  [linkerdCrdsChart.name]: linkerdCrdsChart,
  [linkerdControlPlaneChart.name]: withRegisteredPresets(linkerdControlPlaneChart, jaegerWiring),
  [linkerdVizChart.name]: linkerdVizChart,
  [linkerdJaegerChart.name]: linkerdJaegerChart,
  [linkerd2CniChart.name]: linkerd2CniChart,
  [linkerdMulticlusterChart.name]: linkerdMulticlusterChart,
  [linkerdMulticlusterLinkChart.name]: linkerdMulticlusterLinkChart,
};

export function chartNamed(name: string): ChartDefinition {
  const def = Object.hasOwn(CHARTS, name) ? CHARTS[name] : undefined;
  if (!def) throw new UnknownChartError(name);
  return def;
}
