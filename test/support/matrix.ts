/** Every chart with its presets and the values variants the verification suite covers. */
import { linkerd2CniChart } from '../../src/cni/chart';
import { linkerdControlPlaneChart } from '../../src/control-plane/chart';
import { gitopsValues, haValues } from '../../src/control-plane/presets';
import { linkerdCrdsChart } from '../../src/crds/chart';
import type { ChartDefinition, Release } from '../../src/helm/chart';
import { linkerdJaegerChart } from '../../src/jaeger/chart';
import { tracingValues } from '../../src/jaeger/wiring';
import { linkerdMulticlusterChart } from '../../src/multicluster/chart';
import { linkHaValues, linkerdMulticlusterLinkChart } from '../../src/multicluster/link';
import { multiclusterHaValues } from '../../src/multicluster/presets';
import { linkerdVizChart } from '../../src/viz/chart';
import { vizGitopsValues, vizHaValues } from '../../src/viz/presets';
import { coalesce } from '../../src/values/model';
import { IDENTITY_VALUES } from '../fixtures/identity';

export interface MatrixEntry {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  chart: ChartDefinition<any>;
  release: Release;
  variants: Record<string, Record<string, unknown>>;
}

export const MATRIX: MatrixEntry[] = [
  { chart: linkerdCrdsChart, release: { name: 'linkerd-crds', namespace: 'linkerd' }, variants: { defaults: {} } },
  {
    chart: linkerdControlPlaneChart,
    release: { name: 'linkerd-control-plane', namespace: 'linkerd' },
    variants: Object.fromEntries(
      Object.entries({
        defaults: {},
        'values-ha.yaml': haValues,
        'values-gitops.yaml': gitopsValues,
        'values-tracing.yaml': tracingValues({ namespace: 'linkerd-jaeger' }),
        'cniEnabled=true': { cniEnabled: true },
        'nativeSidecar=false': { proxy: { nativeSidecar: false } },
        'podMonitor.enabled=true': { podMonitor: { enabled: true } },
      }).map(([k, v]) => [k, coalesce(IDENTITY_VALUES, v as Record<string, unknown>)]),
    ),
  },
  {
    chart: linkerdVizChart,
    release: { name: 'linkerd-viz', namespace: 'linkerd-viz' },
    variants: { defaults: {}, 'values-ha.yaml': vizHaValues, 'values-gitops.yaml': vizGitopsValues, 'grafana.enabled=false': { grafana: { enabled: false } } },
  },
  {
    chart: linkerdJaegerChart,
    release: { name: 'linkerd-jaeger', namespace: 'linkerd-jaeger' },
    variants: { defaults: {}, 'badger storage': { jaeger: { storage: { type: 'badger' } } } },
  },
  {
    chart: linkerd2CniChart,
    release: { name: 'linkerd2-cni', namespace: 'linkerd-cni' },
    variants: { defaults: {}, 'repairController.enabled=true': { repairController: { enabled: true } } },
  },
  {
    chart: linkerdMulticlusterChart,
    release: { name: 'linkerd-multicluster', namespace: 'linkerd-multicluster' },
    variants: { defaults: {}, 'values-ha.yaml': multiclusterHaValues },
  },
  {
    chart: linkerdMulticlusterLinkChart,
    release: { name: 'linkerd-multicluster-link-west', namespace: 'linkerd-multicluster' },
    variants: { 'targetClusterName=west': { targetClusterName: 'west' }, 'values-ha.yaml': { ...linkHaValues, targetClusterName: 'west' } },
  },
];
