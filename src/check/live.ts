/**
 * `cdk8s-linkerd check --kubeconfig`: what a running mesh's objects say, read (never changed) from
 * the API server, in the report model of the offline checks (src/check/offline.ts).
 */
import type { X509Certificate } from 'node:crypto';
import { parse } from 'yaml';
import { loadChart } from '../chart-registry';
import { renderObjects, resolveValues } from '../helm/chart';
import { LINKERD_VERSION } from '../version';
import { CONTROL_PLANE, DEFAULT_EXPIRY_WINDOW_SECONDS, LIVE_CHECKS, certificatesIn, report, rotationPhase, subject, type CheckReport, type Finding, type Severity } from './offline';
import { Kube, decodeBase64, helmRelease, isKubeObject, type KubeObject } from './kube';

export interface LiveCheckInput {
  kube: Kube;
  /** The control plane's namespace. */
  namespace: string;
  expiryWindowSeconds?: number;
  now?: Date;
}

type Add = (severity: Severity, check: Finding['check'], object: string, message: string, chart?: string) => void;

interface Ctx {
  kube: Kube;
  ns: string;
  window: number;
  now: Date;
  add: Add;
  /** linkerd-config's values, when it exists. */
  config?: Record<string, unknown>;
}

const LINKERD_GROUPS = /(^|\.)linkerd\.io$/;
const DAY = 86400;

/** Runs every live check; a ClusterError (one line) when the cluster cannot be read at all. */
export async function checkLive(input: LiveCheckInput): Promise<CheckReport> {
  const findings: Finding[] = [];
  const add: Add = (severity, check, object, message, chart = CONTROL_PLANE) => findings.push({ severity, check, chart, object, message });
  const ctx: Ctx = { kube: input.kube, ns: input.namespace, window: input.expiryWindowSeconds ?? DEFAULT_EXPIRY_WINDOW_SECONDS, now: input.now ?? new Date(), add };
  const configMap = await ctx.kube.get<KubeObject & { data?: Record<string, string> }>(`/api/v1/namespaces/${ctx.ns}/configmaps/linkerd-config`);
  if (configMap?.data?.values) ctx.config = parse(configMap.data.values) as Record<string, unknown>;
  await checkCrds(ctx);
  await checkWebhooks(ctx);
  const identity = await checkIdentity(ctx);
  await checkVersion(ctx, configMap);
  const pods = await ctx.kube.list(`/api/v1/pods?labelSelector=${encodeURIComponent(`linkerd.io/control-plane-ns=${ctx.ns}`)}`);
  checkDataPlane(ctx, pods);
  await checkPodSecurity(ctx, pods);
  checkRotation(ctx, identity, pods);
  return report(findings, LIVE_CHECKS);
}

type Crd = KubeObject & { spec: { group: string; versions: { name: string; served: boolean; storage: boolean }[] } };
const isCrd = (o: unknown): o is Crd => isKubeObject(o) && o.kind === 'CustomResourceDefinition';

async function checkCrds(ctx: Ctx): Promise<void> {
  const chart = await loadChart('linkerd-crds');
  const wanted = renderObjects(chart, resolveValues(chart, {})).map((o) => o.object).filter(isCrd);
  const installed = new Map((await ctx.kube.list<Crd>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).filter((c) => LINKERD_GROUPS.test(c.spec.group)).map((c) => [c.metadata.name, c]));
  const served = (c: Crd) => c.spec.versions.filter((v) => v.served).map((v) => v.name);
  const storage = (c: Crd) => c.spec.versions.find((v) => v.storage)?.name;
  if (![...installed.keys()].some((n) => wanted.some((w) => w.metadata.name === n))) {
    ctx.add('error', 'cluster-crds', 'CustomResourceDefinition *.linkerd.io', `none of linkerd-crds' ${wanted.length} CRDs is installed: install linkerd-crds first`, 'linkerd-crds');
    return;
  }
  for (const w of wanted) {
    const object = `CustomResourceDefinition ${w.metadata.name}`;
    const have = installed.get(w.metadata.name);
    if (!have) {
      ctx.add('error', 'cluster-crds', object, 'not installed: upgrade linkerd-crds before the control plane', 'linkerd-crds');
      continue;
    }
    const missing = served(w).filter((v) => !served(have).includes(v));
    const extra = served(have).filter((v) => !served(w).includes(v));
    if (missing.length > 0) {
      ctx.add('error', 'cluster-crds', object, `serves ${served(have).join(', ')}; the chart serves also ${missing.join(', ')}: upgrade linkerd-crds before the control plane`, 'linkerd-crds');
    } else if (extra.length > 0) {
      ctx.add('warning', 'cluster-crds', object, `serves ${extra.join(', ')}, which this release's chart does not: the cluster's linkerd-crds is another release`, 'linkerd-crds');
    } else if (storage(have) !== storage(w)) {
      ctx.add('warning', 'cluster-crds', object, `stores ${storage(have)}; the chart stores ${storage(w)}: upgrade linkerd-crds`, 'linkerd-crds');
    }
  }
}

interface WebhookConfig {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  webhooks?: { name: string; clientConfig: { caBundle?: string; service?: { name: string; namespace: string } } }[];
  spec?: { group?: string; caBundle?: string; service?: { name: string; namespace: string } };
}

/** The webhooks (and the tap APIService) of Linkerd and its extensions: each caBundle vs. the certificate its Service serves. */
async function checkWebhooks(ctx: Ctx): Promise<void> {
  const configs = [
    ...(await ctx.kube.list<WebhookConfig>('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations')).map((c) => ({ ...c, kind: 'MutatingWebhookConfiguration' })),
    ...(await ctx.kube.list<WebhookConfig>('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations')).map((c) => ({ ...c, kind: 'ValidatingWebhookConfiguration' })),
  ].filter((c) => c.metadata.labels?.['linkerd.io/control-plane-ns'] === ctx.ns || c.metadata.labels?.['linkerd.io/extension'] !== undefined);
  const targets = configs.flatMap((c) =>
    (c.webhooks ?? []).filter((w) => w.clientConfig.service).map((w) => ({ object: `${c.kind} ${c.metadata.name}`, caBundle: w.clientConfig.caBundle, service: w.clientConfig.service!, injected: c.metadata.annotations?.['cert-manager.io/inject-ca-from'] })),
  );
  const apiServices = (await ctx.kube.list<WebhookConfig>('/apis/apiregistration.k8s.io/v1/apiservices')).filter((a) => a.spec?.group !== undefined && LINKERD_GROUPS.test(a.spec.group) && a.spec.service);
  for (const a of apiServices) targets.push({ object: `APIService ${a.metadata.name}`, caBundle: a.spec!.caBundle, service: a.spec!.service!, injected: a.metadata.annotations?.['cert-manager.io/inject-ca-from'] });
  for (const t of targets) {
    const secretName = `${t.service.name}-k8s-tls`;
    const where = `${t.object} (Service ${t.service.namespace}/${t.service.name}, Secret ${secretName})`;
    const secret = await ctx.kube.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${t.service.namespace}/secrets/${secretName}`);
    const served = certificatesIn(decodeBase64(secret?.data?.['tls.crt']) ?? '')[0]?.cert;
    if (!served) {
      ctx.add('warning', 'webhooks', where, `no certificate to compare: the Secret ${t.service.namespace}/${secretName} ${secret ? 'holds no tls.crt' : 'does not exist'}`);
      continue;
    }
    const bundle = certificatesIn(decodeBase64(t.caBundle) ?? '').map((c) => c.cert);
    if (bundle.length === 0) {
      ctx.add('error', 'webhooks', where, t.injected ? `empty caBundle: cert-manager's CA injector has not filled it from ${t.injected} yet` : 'empty caBundle: the API server cannot call this webhook');
      continue;
    }
    if (!bundle.some((ca) => ca.fingerprint256 === served.fingerprint256 || (served.checkIssued(ca) && served.verify(ca.publicKey)))) {
      ctx.add('error', 'webhooks', where, `the caBundle does not verify the served certificate ${subject(served)}: the API server's calls to the webhook fail TLS (re-install or upgrade the chart so both come from one render)`);
      continue;
    }
    const dns = `${t.service.name}.${t.service.namespace}.svc`;
    if (!(served.subjectAltName ?? '').split(', ').includes(`DNS:${dns}`)) ctx.add('error', 'webhooks', where, `the served certificate ${subject(served)} is not for ${dns}`);
    expiry(ctx, 'webhooks', where, served);
  }
}

function expiry(ctx: Ctx, check: Finding['check'], object: string, cert: X509Certificate): void {
  const left = (new Date(cert.validTo).getTime() - ctx.now.getTime()) / 1000;
  if (left <= 0) ctx.add('error', check, object, `${subject(cert)} expired on ${new Date(cert.validTo).toISOString()}`);
  else if (left < ctx.window) ctx.add('warning', check, object, `${subject(cert)} expires on ${new Date(cert.validTo).toISOString()}, in ${Math.floor(left / DAY)} days`);
}

interface Identity {
  anchors: X509Certificate[];
  issuer?: X509Certificate;
  /** When the issuer Secret was last written (its newest managedFields time). */
  issuerWritten?: Date;
}

async function checkIdentity(ctx: Ctx): Promise<Identity> {
  const rootsName = `ConfigMap ${ctx.ns}/linkerd-identity-trust-roots`;
  const roots = await ctx.kube.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ctx.ns}/configmaps/linkerd-identity-trust-roots`);
  const anchors = certificatesIn(roots?.data?.['ca-bundle.crt'] ?? '').map((c) => c.cert);
  if (anchors.length === 0) ctx.add('error', 'identity', rootsName, roots ? 'holds no trust anchor (ca-bundle.crt)' : `does not exist: is the control plane installed in ${ctx.ns}?`);
  const issuerName = `Secret ${ctx.ns}/linkerd-identity-issuer`;
  const secret = await ctx.kube.get<KubeObject & { data?: Record<string, string> }>(`/api/v1/namespaces/${ctx.ns}/secrets/linkerd-identity-issuer`);
  const issuer = certificatesIn(decodeBase64(secret?.data?.['crt.pem'] ?? secret?.data?.['tls.crt']) ?? '')[0]?.cert;
  const times = (secret?.metadata.managedFields ?? []).map((m) => m.time).filter((t): t is string => !!t).sort();
  const issuerWritten = times.length > 0 ? new Date(times[times.length - 1]) : undefined;
  if (!issuer) {
    ctx.add('error', 'identity', issuerName, secret ? 'holds no certificate (crt.pem or tls.crt)' : 'does not exist: identity cannot issue certificates to proxies');
    return { anchors, issuerWritten };
  }
  if (anchors.length > 0 && !anchors.some((a) => issuer.checkIssued(a) && issuer.verify(a.publicKey))) {
    ctx.add('error', 'identity', issuerName, `the issuer ${subject(issuer)} is not signed by any trust anchor in ${rootsName}: proxies reject every certificate identity issues`);
  }
  expiry(ctx, 'identity', issuerName, issuer);
  for (const a of anchors) expiry(ctx, 'identity', rootsName, a);
  return { anchors, issuer, issuerWritten };
}

async function checkVersion(ctx: Ctx, configMap: KubeObject | undefined): Promise<void> {
  const object = `ConfigMap ${ctx.ns}/linkerd-config`;
  if (!configMap || !ctx.config) {
    ctx.add('error', 'cluster-version', object, `does not exist: no Linkerd control plane in ${ctx.ns} (-n)`);
    return;
  }
  const version = ctx.config.linkerdVersion as string | undefined;
  const release = await helmRelease(ctx.kube, CONTROL_PLANE, ctx.ns).catch(() => undefined);
  if (release) {
    const app = release.chart.metadata.appVersion;
    if (app !== version) {
      ctx.add('error', 'cluster-version', object, `linkerdVersion ${version} differs from the Helm release ${release.name} (revision ${release.version}: chart ${release.chart.metadata.version}, Linkerd ${app}): a partial upgrade, or linkerd-config changed by hand`);
    }
  }
  if (version !== LINKERD_VERSION) {
    ctx.add('warning', 'cluster-version', object, `the cluster runs Linkerd ${version}; this cdk8s-linkerd renders ${LINKERD_VERSION}: see 'cdk8s-linkerd upgrade-plan'`);
  }
}

const ownerOf = (p: KubeObject) => {
  const hash = p.metadata.labels?.['pod-template-hash'];
  const ref = p.metadata.ownerReferences?.[0];
  if (!ref) return `Pod ${p.metadata.namespace}/${p.metadata.name}`;
  // A ReplicaSet's name is its Deployment's and the template hash.
  if (ref.kind === 'ReplicaSet' && hash && ref.name.endsWith(`-${hash}`)) return `Deployment ${p.metadata.namespace}/${ref.name.slice(0, -hash.length - 1)}`;
  return `${ref.kind} ${p.metadata.namespace}/${ref.name}`;
};

function checkDataPlane(ctx: Ctx, pods: KubeObject[]): void {
  if (!ctx.config) return;
  const proxy = ctx.config.proxy as { image?: { version?: string } } | undefined;
  const want = proxy?.image?.version || (ctx.config.linkerdVersion as string);
  const behind = new Map<string, Set<string>>();
  for (const p of pods) {
    const v = p.metadata.annotations?.['linkerd.io/proxy-version'];
    if (v === undefined || v === want) continue;
    if (!behind.has(v)) behind.set(v, new Set());
    behind.get(v)!.add(ownerOf(p));
  }
  for (const [v, owners] of behind) {
    ctx.add('warning', 'data-plane', [...owners].sort().join(', '), `proxy ${v}, not the control plane's ${want}: restart ${owners.size === 1 ? 'it' : 'them'} to pick up the current proxy`);
  }
}

const PRIVILEGED_ONLY = ['baseline', 'restricted'];

async function checkPodSecurity(ctx: Ctx, pods: KubeObject[]): Promise<void> {
  if (ctx.config?.cniEnabled === true) return;
  const namespaces = await ctx.kube.list('/api/v1/namespaces');
  const meshed = new Set(pods.map((p) => p.metadata.namespace!));
  for (const ns of namespaces) {
    const name = ns.metadata.name;
    const injects = ns.metadata.annotations?.['linkerd.io/inject'] === 'enabled' || meshed.has(name);
    if (!injects) continue;
    const labels = ns.metadata.labels ?? {};
    const level = labels['pod-security.kubernetes.io/enforce'];
    const warn = labels['pod-security.kubernetes.io/warn'];
    const why = "proxy-init needs NET_ADMIN and NET_RAW: label it pod-security.kubernetes.io/enforce=privileged, or install linkerd2-cni and set cniEnabled: true";
    if (level && PRIVILEGED_ONLY.includes(level)) ctx.add('error', 'pod-security', `Namespace ${name}`, `Pod Security "${level}" refuses its meshed pods when they are next created: ${why}`);
    else if (warn && PRIVILEGED_ONLY.includes(warn)) ctx.add('warning', 'pod-security', `Namespace ${name}`, `Pod Security warns ("${warn}") on each meshed pod: ${why}`);
  }
}

/**
 * The rotation phase (`certs rotate`): 1 and 2 from the anchors and the issuer, as offline; phase 3
 * (every meshed workload restarted) once no meshed pod is older than the issuer Secret's last write.
 */
function checkRotation(ctx: Ctx, identity: Identity, pods: KubeObject[]): void {
  const object = `Secret ${ctx.ns}/linkerd-identity-issuer`;
  const { phase, message } = rotationPhase(identity.anchors, identity.issuer);
  if (phase === 0) return;
  if (phase === 1) return ctx.add('warning', 'cluster-rotation', object, message);
  const since = identity.issuerWritten;
  const stale = since ? pods.filter((p) => new Date(p.metadata.creationTimestamp ?? 0) < since) : pods;
  if (stale.length > 0) {
    const owners = [...new Set(stale.map(ownerOf))].sort();
    ctx.add('warning', 'cluster-rotation', object, `rotation phase 2 of 4: the new issuer is in place (since ${since?.toISOString() ?? 'an unknown time'}); phase 3: restart ${owners.length} workloads whose pods started before it: ${owners.join(', ')}`);
    return;
  }
  ctx.add('warning', 'cluster-rotation', object, `rotation phase 3 of 4 done: every meshed pod started after the new issuer; next: remove the old trust anchor (phase 4)`);
}
