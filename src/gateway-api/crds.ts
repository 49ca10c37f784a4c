/**
 * The Gateway API release this distribution ships (the gateway-api-crds component): the
 * standard-channel manifests of the `sigs.k8s.io/gateway-api` Go module, copied unchanged into
 * vendor/gateway-api/ by scripts/gateway-api.ts (pinned in scripts/cluster/modules/gateway-api).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load, loadAll } from 'js-yaml';

/** Where the copied manifests are, in this repository and in the npm package. */
export const GATEWAY_API_DIR = join(__dirname, '..', '..', 'vendor', 'gateway-api');

/**
 * The oldest Gateway API release Linkerd edge-26.8.3 supports: upstream's CI runs its policy
 * tests on it (with Kubernetes 1.31, the oldest Kubernetes), and its HTTPRoute and GRPCRoute
 * CRDs serve `v1`, which Linkerd's policy controller reads.
 */
export const GATEWAY_API_MINIMUM = 'v1.2.1';

/** The CRD whose `gateway.networking.k8s.io/bundle-version` annotation tells a cluster's Gateway API release. */
export const GATEWAY_API_PROBE_CRD = 'httproutes.gateway.networking.k8s.io';
export const BUNDLE_VERSION = 'gateway.networking.k8s.io/bundle-version';

export interface GatewayApiObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> } & Record<string, unknown>;
  [field: string]: unknown;
}

export interface GatewayApiManifest {
  /** The manifest's file name in the release (`gateway.networking.k8s.io_httproutes.yaml`). */
  file: string;
  /**
   * Its objects, as the release has them, less the `status` the API server writes, and with the
   * API server's defaults of a ValidatingAdmissionPolicy's `matchConstraints` written out: that
   * struct is replaced whole by a server-side apply, so without them every apply would be a change.
   */
  objects: GatewayApiObject[];
}

let manifests: GatewayApiManifest[] | undefined;

/** The defaults the API server gives a ValidatingAdmissionPolicy's `matchConstraints` (an atomic struct). */
function withApiServerDefaults(o: GatewayApiObject): GatewayApiObject {
  if (o.kind !== 'ValidatingAdmissionPolicy') return o;
  const spec = o.spec as { matchConstraints?: Record<string, unknown> };
  if (!spec.matchConstraints) return o;
  const matchConstraints = { matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, ...spec.matchConstraints };
  return { ...o, spec: { ...spec, matchConstraints } };
}

/** Every manifest of the release, in file-name order (read on first use). */
export function gatewayApiManifests(): GatewayApiManifest[] {
  manifests ??= readdirSync(GATEWAY_API_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => ({
      file,
      objects: (loadAll(readFileSync(join(GATEWAY_API_DIR, file), 'utf8')) as (GatewayApiObject | null)[])
        .filter((o): o is GatewayApiObject => o !== null)
        .map(({ status: _status, ...o }) => withApiServerDefaults(o as GatewayApiObject)),
    }));
  return manifests;
}

let version: string | undefined;

/**
 * The probe CRD's metadata read from its own file's head (`apiVersion`, `kind` and `metadata`
 * come before `spec`, as the release writes them): a linkerd-crds render names the release
 * without parsing the 1 MB of manifests (docs/performance.md). Undefined when the head is not that.
 */
function probeHead(): GatewayApiObject['metadata'] | undefined {
  const [plural, ...group] = GATEWAY_API_PROBE_CRD.split('.');
  const file = join(GATEWAY_API_DIR, `${group.join('.')}_${plural}.yaml`);
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const end = text.search(/^(spec:|---)/m);
  const head = end < 0 ? undefined : (load(text.slice(0, end)) as Partial<GatewayApiObject> | null);
  return head?.kind === 'CustomResourceDefinition' && head.metadata?.name === GATEWAY_API_PROBE_CRD ? head.metadata : undefined;
}

/** The release (`v1.5.1`), as its HTTPRoute CRD names it. */
export function gatewayApiVersion(): string {
  if (version !== undefined) return version;
  const metadata =
    probeHead() ??
    gatewayApiManifests()
      .flatMap((m) => m.objects)
      .find((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === GATEWAY_API_PROBE_CRD)?.metadata;
  version = metadata?.annotations?.[BUNDLE_VERSION];
  if (!version) throw new Error(`${GATEWAY_API_DIR}: no ${GATEWAY_API_PROBE_CRD} with a ${BUNDLE_VERSION} annotation; run npm run gateway-api`);
  return version;
}
