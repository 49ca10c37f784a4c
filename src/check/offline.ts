/**
 * `cdk8s-linkerd check` before anything is applied: what Linkerd's own `linkerd check` finds only
 * on a live cluster, found in the values a team is about to merge.
 *
 * Each check reads the resolved values (defaults coalesced with the user's, already valid for
 * each chart's schema and rules) of the control plane and of the extensions given, and reports
 * findings: an `error` is a values set that installs a broken or insecure mesh; a `warning` is one
 * that works today and needs attention soon (a certificate about to expire, an HA setting that
 * does not protect what it claims to).
 */
import { X509Certificate } from 'node:crypto';
import type { TObject } from '@sinclair/typebox';
import { loadChart } from '../chart-registry';
import { ValuesError, resolveValues, type ChartDefinition } from '../helm/chart';
import { goDurationSeconds } from '../mesh/annotations';

export type Severity = 'error' | 'warning';

export interface Finding {
  severity: Severity;
  /** The check that found it (one of CHECKS' ids). */
  check: CheckId;
  chart: string;
  /** The values key the finding is about, when there is one. */
  key?: string;
  /** The live object the finding is about (`check --kubeconfig`), as "Kind namespace/name". */
  object?: string;
  message: string;
}

/** What `check` looks at, in the order it reports. */
export const CHECKS = {
  values: 'values are valid for each chart (schema and rules)',
  certificates: 'certificates in the values are valid and not about to expire',
  'issuer-lifetime': "the issuer outlives the proxies' certificates and is outlived by its trust anchor",
  domains: 'trust domain and cluster domain agree across the charts',
  namespace: "extensions point at the control plane's namespace",
  'high-availability': 'replicas, PodDisruptionBudget and anti-affinity agree',
  cni: "the CNI plugin's ports and proxy user match the control plane's proxy",
  rotation: 'no identity rotation is half done (one trust anchor, the issuer signed by it)',
} as const;

/** What `check --kubeconfig` looks at on a live cluster (src/check/live.ts), in the order it reports. */
export const LIVE_CHECKS = {
  'cluster-crds': "the installed CRDs serve the versions of this release's linkerd-crds chart",
  webhooks: "each webhook's caBundle verifies the certificate its Service serves",
  identity: 'the identity issuer is signed by a trust anchor in linkerd-identity-trust-roots and is not about to expire',
  'cluster-version': 'linkerd-config, the Helm release and this cdk8s-linkerd agree on the Linkerd version',
  'data-plane': "meshed pods run the control plane's proxy version",
  'pod-security': 'namespaces with meshed pods let proxy-init run (without CNI)',
  'cluster-rotation': 'where an identity rotation stands on the cluster',
} as const;

export type CheckId = keyof typeof CHECKS | keyof typeof LIVE_CHECKS;

export interface OfflineCheckInput {
  /** The control plane's user values (as `template -f/--set` would read them). */
  controlPlane: Record<string, unknown>;
  /** The control plane's namespace (`-n`). */
  namespace: string;
  /** Other charts' user values by chart name (linkerd-viz, linkerd-jaeger, linkerd2-cni, …). */
  charts?: Record<string, Record<string, unknown>>;
  /** A certificate expiring within this many seconds is a warning (default 30 days). */
  expiryWindowSeconds?: number;
  now?: Date;
}

export interface CheckReport {
  /** `error` when any finding is an error, else `warning` when any is a warning, else `ok`. */
  status: 'ok' | Severity;
  findings: Finding[];
  /** Every check run, with the worst severity it found (`ok` when none). */
  checks: { id: CheckId; title: string; status: 'ok' | Severity }[];
}

/** Two reports as one (offline and live checks of one `check` run). */
export function mergeReports(a: CheckReport, b: CheckReport): CheckReport {
  const findings = [...a.findings, ...b.findings];
  return { status: worst(findings), findings, checks: [...a.checks, ...b.checks] };
}

export const CONTROL_PLANE = 'linkerd-control-plane';
export const DEFAULT_EXPIRY_WINDOW_SECONDS = 30 * 24 * 3600;

type Values = Record<string, unknown>;

/** Runs every offline check; never throws for bad values (they are `values` errors). */
export async function checkOffline(input: OfflineCheckInput): Promise<CheckReport> {
  const findings: Finding[] = [];
  const resolved = new Map<string, Values>();
  for (const [chart, user] of [[CONTROL_PLANE, input.controlPlane] as const, ...Object.entries(input.charts ?? {})]) {
    const values = resolveOrReport(await loadChart(chart), user, findings);
    if (values) resolved.set(chart, values);
  }
  const ctx: Context = {
    resolved,
    namespace: input.namespace,
    window: input.expiryWindowSeconds ?? DEFAULT_EXPIRY_WINDOW_SECONDS,
    now: input.now ?? new Date(),
    add: (f) => findings.push(f),
  };
  const cp = resolved.get(CONTROL_PLANE);
  for (const [chart, values] of resolved) checkCertificates(ctx, chart, values);
  if (cp) {
    checkIssuerLifetime(ctx, cp);
    checkDomains(ctx, cp);
    checkNamespaces(ctx);
    checkHighAvailability(ctx, cp);
    checkCni(ctx, cp);
    checkRotation(ctx, cp);
  }
  return report(findings);
}

interface Context {
  resolved: Map<string, Values>;
  namespace: string;
  window: number;
  now: Date;
  add(f: Finding): void;
}

function resolveOrReport(def: ChartDefinition<TObject>, user: Values, findings: Finding[]): Values | undefined {
  try {
    return resolveValues(def, user) as Values;
  } catch (e) {
    if (!(e instanceof ValuesError)) throw e;
    for (const p of e.problems) findings.push({ severity: 'error', check: 'values', chart: def.name, key: p.key, message: p.message });
    return undefined;
  }
}

const worst = (fs: Finding[]): 'ok' | Severity => (fs.some((f) => f.severity === 'error') ? 'error' : fs.length > 0 ? 'warning' : 'ok');

/** The report of `findings`, with every check of `titles` (each with the worst severity it found). */
export function report(findings: Finding[], titles: Partial<Record<CheckId, string>> = CHECKS): CheckReport {
  const checks = (Object.keys(titles) as CheckId[]).map((id) => ({ id, title: titles[id]!, status: worst(findings.filter((f) => f.check === id)) }));
  return { status: worst(findings), findings, checks };
}

/** A value at a dotted path, or undefined. */
function at(values: Values, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Values)[k] : undefined), values);
}

const DAY = 24 * 3600;
const days = (seconds: number) => `${Math.floor(seconds / DAY)} days`;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every PEM certificate in the values, with the key that holds it. */
export function certificatesIn(values: unknown, key = ''): { key: string; cert: X509Certificate }[] {
  if (typeof values === 'string') {
    const found: { key: string; cert: X509Certificate }[] = [];
    for (const block of values.match(PEM_CERT) ?? []) {
      try {
        found.push({ key, cert: new X509Certificate(block) });
      } catch {
        // An unparseable certificate is the schema's or the chart check's finding, not this one's.
      }
    }
    return found;
  }
  if (values === null || typeof values !== 'object') return [];
  return Object.entries(values).flatMap(([k, v]) => certificatesIn(v, key ? `${key}.${k}` : k));
}

export const subject = (c: X509Certificate) => JSON.stringify(c.subject.replace(/\n/g, ', '));

function checkCertificates(ctx: Context, chart: string, values: Values): void {
  for (const { key, cert } of certificatesIn(values)) {
    const left = (new Date(cert.validTo).getTime() - ctx.now.getTime()) / 1000;
    const expires = new Date(cert.validTo).toISOString();
    if (left <= 0) ctx.add({ severity: 'error', check: 'certificates', chart, key, message: `${subject(cert)} expired on ${expires}` });
    else if (left < ctx.window) {
      ctx.add({ severity: 'warning', check: 'certificates', chart, key, message: `${subject(cert)} expires on ${expires}, in ${days(left)} (window: ${days(ctx.window)}); rotate it: cdk8s-linkerd certs` });
    }
  }
}

function checkIssuerLifetime(ctx: Context, cp: Values): void {
  if (at(cp, 'identity.externalCA') === true) return;
  const issuerKey = 'identity.issuer.tls.crtPEM';
  const lifetimeKey = 'identity.issuer.issuanceLifetime';
  const [issuer] = certificatesIn(at(cp, issuerKey), issuerKey);
  const lifetime = goDurationSeconds(String(at(cp, lifetimeKey)));
  if (!issuer || lifetime === undefined) return;
  const from = new Date(issuer.cert.validFrom).getTime();
  const to = new Date(issuer.cert.validTo).getTime();
  const add = (severity: Severity, key: string, message: string) => ctx.add({ severity, check: 'issuer-lifetime', chart: CONTROL_PLANE, key, message });
  if ((to - from) / 1000 < lifetime) {
    add('error', lifetimeKey, `the proxies' certificates (${at(cp, lifetimeKey)}) would outlive the issuer certificate, valid ${Math.round((to - from) / 3600_000)}h in all`);
  } else if ((to - ctx.now.getTime()) / 1000 < lifetime) {
    add('warning', issuerKey, `the issuer certificate expires before a proxy certificate issued now (${at(cp, lifetimeKey)}) would`);
  }
  for (const { cert: anchor } of certificatesIn(at(cp, 'identityTrustAnchorsPEM'))) {
    if (issuer.cert.checkIssued(anchor) && new Date(anchor.validTo).getTime() < to) {
      add('warning', 'identityTrustAnchorsPEM', `the trust anchor ${subject(anchor)} expires on ${new Date(anchor.validTo).toISOString()}, before the issuer it signed (${new Date(to).toISOString()}): workloads stop trusting each other then`);
    }
  }
}

/** A chart's trust domain: its identityTrustDomain, else its clusterDomain (else the control plane's). */
function trustDomainOf(values: Values, fallback?: string): string | undefined {
  const own = at(values, 'identityTrustDomain');
  if (typeof own === 'string' && own !== '') return own;
  const domain = at(values, 'clusterDomain');
  return typeof domain === 'string' && domain !== '' ? domain : fallback;
}

function checkDomains(ctx: Context, cp: Values): void {
  const clusterDomain = at(cp, 'clusterDomain') as string;
  const trustDomain = trustDomainOf(cp)!;
  for (const [chart, values] of ctx.resolved) {
    if (chart === CONTROL_PLANE) continue;
    const domain = at(values, 'clusterDomain');
    if (typeof domain === 'string' && domain !== clusterDomain) {
      ctx.add({ severity: 'error', check: 'domains', chart, key: 'clusterDomain', message: `${JSON.stringify(domain)} is not the control plane's clusterDomain ${JSON.stringify(clusterDomain)}: its Services would be addressed in another domain` });
    }
    // A trust domain derived from a clusterDomain already reported is the same finding.
    const own = at(values, 'identityTrustDomain');
    if (own === undefined || (own === '' && domain !== clusterDomain)) continue;
    const theirs = trustDomainOf(values, clusterDomain);
    if (theirs !== trustDomain) {
      ctx.add({ severity: 'error', check: 'domains', chart, key: 'identityTrustDomain', message: `${JSON.stringify(theirs)} is not the control plane's trust domain ${JSON.stringify(trustDomain)}: its policies would name identities no proxy has` });
    }
  }
}

function checkNamespaces(ctx: Context): void {
  for (const [chart, values] of ctx.resolved) {
    const ns = at(values, 'linkerdNamespace');
    if (chart === CONTROL_PLANE || ns === undefined || ns === ctx.namespace) continue;
    ctx.add({ severity: 'error', check: 'namespace', chart, key: 'linkerdNamespace', message: `${JSON.stringify(ns)} is not the control plane's namespace ${JSON.stringify(ctx.namespace)} (-n): the extension would look for a control plane that is not there` });
  }
}

function checkHighAvailability(ctx: Context, cp: Values): void {
  const replicas = at(cp, 'controllerReplicas') as number;
  const pdb = at(cp, 'enablePodDisruptionBudget') === true;
  const maxUnavailable = at(cp, 'controller.podDisruptionBudget.maxUnavailable');
  const add = (key: string, message: string) => ctx.add({ severity: 'warning', check: 'high-availability', chart: CONTROL_PLANE, key, message });
  if (pdb && replicas < 2) add('enablePodDisruptionBudget', `a PodDisruptionBudget with controllerReplicas ${replicas} lets a node drain evict every replica: raise controllerReplicas (values-ha.yaml: 3)`);
  if (!pdb && replicas > 1) add('enablePodDisruptionBudget', `controllerReplicas ${replicas} without a PodDisruptionBudget: a node drain may evict every replica at once`);
  if (pdb && typeof maxUnavailable === 'number' && replicas > 1 && maxUnavailable >= replicas) {
    add('controller.podDisruptionBudget.maxUnavailable', `${maxUnavailable} of ${replicas} replicas may be unavailable at once, so the PodDisruptionBudget protects nothing`);
  }
  if (replicas > 1 && at(cp, 'enablePodAntiAffinity') !== true) add('enablePodAntiAffinity', `controllerReplicas ${replicas} without pod anti-affinity: the replicas may share one node and fail together`);
}

/** The CNI plugin's redirect settings and the control plane's proxy settings they must equal. */
const CNI_MATCHES: [cni: string, controlPlane: string][] = [
  ['inboundProxyPort', 'proxy.ports.inbound'],
  ['outboundProxyPort', 'proxy.ports.outbound'],
  ['proxyAdminPort', 'proxy.ports.admin'],
  ['proxyControlPort', 'proxy.ports.control'],
  ['proxyUID', 'proxy.uid'],
  ['proxyGID', 'proxy.gid'],
];

function checkCni(ctx: Context, cp: Values): void {
  const cni = ctx.resolved.get('linkerd2-cni');
  const cniEnabled = at(cp, 'cniEnabled') === true;
  if (!cni) return;
  const add = (severity: Severity, key: string, message: string, chart = 'linkerd2-cni') => ctx.add({ severity, check: 'cni', chart, key, message });
  if (!cniEnabled) add('warning', 'cniEnabled', 'linkerd2-cni values are given, but with cniEnabled: false pods still run proxy-init', CONTROL_PLANE);
  for (const [cniKey, cpKey] of CNI_MATCHES) {
    const [theirs, ours] = [at(cni, cniKey), at(cp, cpKey)];
    if (theirs !== ours) add('error', cniKey, `${JSON.stringify(theirs)} differs from the control plane's ${cpKey} ${JSON.stringify(ours)}: the plugin would redirect traffic where no proxy listens, or loop the proxy's own`);
  }
}

/**
 * Where a trust-anchor rotation (`cdk8s-linkerd certs rotate`) stands, from the trust anchors and
 * the issuer: two anchors with the issuer signed by the older is phase 1, by the newer phase 2
 * (or 3, once every meshed workload has restarted: only the cluster knows); one anchor is none.
 */
export function rotationPhase(anchors: X509Certificate[], issuer: X509Certificate | undefined): { phase: 0 | 1 | 2; message: string } {
  if (anchors.length < 2) return { phase: 0, message: 'one trust anchor: no rotation in progress' };
  if (!issuer) return { phase: 1, message: `${anchors.length} trust anchors: a rotation is in progress (the issuer is managed outside these values)` };
  const newest = anchors.reduce((a, b) => (new Date(b.validFrom) > new Date(a.validFrom) ? b : a));
  if (!issuer.checkIssued(newest)) {
    return { phase: 1, message: `rotation phase 1 of 4: ${anchors.length} trust anchors, the issuer still signed by an older one; next: the new issuer (phase 2)` };
  }
  return { phase: 2, message: `rotation phase 2 or 3 of 4: the issuer is signed by the newest of ${anchors.length} trust anchors; once every meshed workload has restarted, remove the old anchor (phase 4)` };
}

function checkRotation(ctx: Context, cp: Values): void {
  const anchors = certificatesIn(at(cp, 'identityTrustAnchorsPEM')).map((a) => a.cert);
  const [issuer] = at(cp, 'identity.externalCA') === true ? [] : certificatesIn(at(cp, 'identity.issuer.tls.crtPEM'));
  const { phase, message } = rotationPhase(anchors, issuer?.cert);
  if (phase > 0) ctx.add({ severity: 'warning', check: 'rotation', chart: CONTROL_PLANE, key: 'identityTrustAnchorsPEM', message });
}
