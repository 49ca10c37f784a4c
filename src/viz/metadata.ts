/**
 * The viz extension's metadata: its image, log and identity settings (the builders every
 * extension shares are in src/extension/metadata.ts).
 */
import type { HelmValues } from '../helm/values';
import type { VizValues } from './values';

export type Vv = HelmValues<VizValues>;

/** The values sections of the viz Deployments. */
export type VizSection = 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard' | 'prometheus' | 'grafana';

/** `image: registry/name:tag` with the viz defaults. */
export function vizImage(v: Vv, section: 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard' | 'namespaceMetadata'): string {
  const img = v.section(`${section}.image`);
  return v.fmt`${v.orElse(img.registry, v.ref('defaultRegistry'))}/${img.name}:${v.orElse(img.tag, v.ref('linkerdVersion'))}`;
}

export function pullPolicy(v: Vv, section: VizSection | 'namespaceMetadata'): string {
  return v.orElse(v.ref(`${section}.image.pullPolicy`), v.ref('defaultImagePullPolicy'));
}

/** `-log-level=` and `-log-format=` of a component (its own, else the viz default). */
export function logArgs(v: Vv, section: 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard'): string[] {
  return [
    v.fmt`-log-level=${v.orElse(v.ref(`${section}.logLevel`), v.ref('defaultLogLevel'))}`,
    v.fmt`-log-format=${v.orElse(v.ref(`${section}.logFormat`), v.ref('defaultLogFormat'))}`,
  ];
}

/** The UID/GID of a component (its own, else the viz default). */
export function componentIds(v: Vv, section: 'metricsAPI' | 'tap' | 'tapInjector' | 'dashboard'): { uid: number; gid: number } {
  return { uid: v.orElse(v.ref(`${section}.UID`), v.ref('defaultUID')) as number, gid: v.orElse(v.ref(`${section}.GID`), v.ref('defaultGID')) as number };
}
