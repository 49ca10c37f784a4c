/**
 * Per-workload proxy configuration as pod-template annotations: what a workload's
 * annotations tell the proxy injector (`linkerd.io/inject`, `config.linkerd.io/*`,
 * `config.alpha.linkerd.io/*`), written and read back row by row from the one table of
 * proxy settings (`PROXY_SETTINGS`, src/proxy/workload.ts), checked before synthesis.
 */
import { INJECTOR_ANNOTATIONS, PROXY_SETTINGS, ProxyConfigError, getPath, withPath, type WorkloadProxyConfig } from '../proxy/workload';

export {
  goDurationSeconds,
  INJECTOR_ANNOTATIONS,
  ProxyConfigError,
  PROXY_SETTINGS,
  type InboundPolicy,
  type PortOrRange,
  type ProxySettingRow,
  type ResourcePair,
  type WorkloadProxyConfig,
} from '../proxy/workload';

type Problem = { field: string; message: string };

/** The WorkloadProxyConfig fields (the first part of every row's field). */
const FIELDS = new Set(PROXY_SETTINGS.map((r) => r.field.split('.')[0]));

/**
 * The pod-template annotations for a workload's proxy configuration. Throws ProxyConfigError
 * naming each bad field (an unknown field included).
 */
export function proxyAnnotations(config: WorkloadProxyConfig): Record<string, string> {
  const problems: Problem[] = Object.keys(config)
    .filter((k) => !FIELDS.has(k))
    .map((field) => ({ field, message: 'not a proxy setting' }));
  const out: Record<string, string> = {};
  for (const r of PROXY_SETTINGS) {
    const value = getPath(config, r.field) ?? r.default;
    if (value === undefined) continue;
    const codec = r.codec;
    for (const message of codec.problems(value)) problems.push({ field: r.field, message });
    const text = codec.write(value);
    if (text !== undefined) out[r.annotation] = text;
  }
  if (problems.length > 0) throw new ProxyConfigError(problems);
  return out;
}

/** What a workload's pod-template annotations say about its proxy, read back as a WorkloadProxyConfig. */
export interface AnnotatedProxyConfig {
  config: WorkloadProxyConfig;
  /** Injector annotations present that have no WorkloadProxyConfig field (manual injection cannot honour them). */
  unsupported: string[];
  /** Annotations whose value the injector would not understand, with why. */
  problems: Problem[];
}

/**
 * Reads the injector's annotations (`linkerd.io/inject`, `config.linkerd.io/*`,
 * `config.alpha.linkerd.io/*`) back into a WorkloadProxyConfig, the inverse of
 * proxyAnnotations: what manual injection must honour, as the proxy injector would.
 */
export function proxyConfigFromAnnotations(annotations: Record<string, string>): AnnotatedProxyConfig {
  let config: WorkloadProxyConfig = {};
  const problems: Problem[] = [];
  const known = new Set<string>();
  for (const r of PROXY_SETTINGS) {
    for (const key of [r.annotation, ...(r.aliases ?? [])]) {
      known.add(key);
      const text = annotations[key];
      if (text === undefined) continue;
      const read = r.codec.read(text);
      if ('problem' in read) problems.push({ field: key, message: read.problem });
      // An alias gives way to the annotation that replaced it.
      else if (getPath(config, r.field) === undefined) config = withPath(config, r.field, read.value);
    }
  }
  const unsupported = INJECTOR_ANNOTATIONS.filter((key) => !known.has(key) && annotations[key] !== undefined);
  return { config, unsupported, problems };
}
