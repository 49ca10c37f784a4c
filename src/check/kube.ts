/**
 * The few Kubernetes API calls `check --kubeconfig`, `diff` and `upgrade-plan` make: read objects,
 * list them, and a server-side dry-run apply.
 *
 * The kubeconfig is read by @kubernetes/client-node (contexts, client certificates, tokens, exec
 * and auth-provider plugins, proxies: what a user's kubeconfig may hold), loaded only by these
 * commands so that `template` and `--version` never pay for it. The requests themselves are plain
 * HTTPS with a deadline, so that an unreachable cluster is one line within 10 s, never a hang.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { gunzipSync } from 'node:zlib';

/** A cluster that cannot be read (unreachable, refused, forbidden): one line, exit 1. */
export class ClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterError';
  }
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    managedFields?: { manager?: string; operation?: string; time?: string; fieldsV1?: unknown }[];
    ownerReferences?: { kind: string; name: string }[];
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

/** An object as the API (or a rendering) gives it: apiVersion, kind and metadata.name at least. */
export function isKubeObject(o: unknown): o is KubeObject {
  const x = o as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
  return !!x && typeof x === 'object' && typeof x.apiVersion === 'string' && typeof x.kind === 'string' && typeof x.metadata?.name === 'string';
}

export interface ConnectOptions {
  context?: string;
  /** Each request's deadline (default 8 s, so that a first call to a dead server ends within 10 s). */
  timeoutMs?: number;
}

interface Resource {
  name: string;
  namespaced: boolean;
}

export class Kube {
  private readonly discovery = new Map<string, Promise<Map<string, Resource> | undefined>>();

  private constructor(
    /** The API server's URL. */
    readonly server: string,
    /** Which kubeconfig and context, for messages. */
    readonly source: string,
    private readonly options: RequestOptions,
    private readonly timeoutMs: number,
  ) {}

  /** Reads the kubeconfig and asks the server its version; a ClusterError (one line) when either fails. */
  static async connect(kubeconfig: string, opts: ConnectOptions = {}): Promise<Kube> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(kubeconfig);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new ClusterError(`--kubeconfig ${kubeconfig}: ${err.code === 'ENOENT' ? 'no such file' : `not a kubeconfig: ${oneLine(err.message)}`}`);
    }
    if (opts.context !== undefined) {
      if (!kc.getContextObject(opts.context)) throw new ClusterError(`--context ${opts.context}: no such context in ${kubeconfig} (contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
      kc.setCurrentContext(opts.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ClusterError(`--kubeconfig ${kubeconfig}: the current context names no cluster`);
    const options: RequestOptions = {};
    try {
      await kc.applyToHTTPSOptions(options);
    } catch (e) {
      throw new ClusterError(`${kubeconfig}: cannot get credentials for context ${kc.getCurrentContext()}: ${oneLine((e as Error).message)}`);
    }
    // client-node's agent keeps connections alive; ours close, so the command ends when it is done.
    // A proxy in the kubeconfig keeps client-node's agent (it carries the proxy).
    if (!cluster.proxyUrl) options.agent = false;
    const kube = new Kube(cluster.server.replace(/\/+$/, ''), `context ${kc.getCurrentContext()} of ${kubeconfig}`, options, opts.timeoutMs ?? 8000);
    // The first call's deadline counts from the process's start (start-up and loading this module
    // included), so that a dead server is told within 10 s of the command's start; at least 3 s.
    await kube.request('GET', '/version', undefined, undefined, Math.max(3000, Math.round(9000 - process.uptime() * 1000)));
    return kube;
  }

  /** One API call; the parsed JSON body, or a ClusterError naming the call. 404 is `undefined`. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json', timeoutMs = this.timeoutMs): Promise<unknown> {
    const url = new URL(this.server + path);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { ...(this.options.headers as Record<string, string> | undefined), Accept: 'application/json' };
    if (payload) Object.assign(headers, { 'Content-Type': contentType, 'Content-Length': String(payload.length) });
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = send(url, { ...this.options, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer (waited ${(timeoutMs / 1000).toFixed(1)} s)`)), timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', reject);
      req.end(payload);
    }).catch((e: NodeJS.ErrnoException) => {
      throw new ClusterError(`cannot reach the cluster at ${this.server} (${this.source}): ${e.code ?? oneLine(e.message)}`);
    });
    if (status === 404 && method === 'GET') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status >= 400) {
      const message = (parsed as { message?: string } | undefined)?.message ?? oneLine(text).slice(0, 200);
      throw new ClusterError(`${method} ${path}: ${status} ${message}`);
    }
    return parsed;
  }

  async get<T = KubeObject>(path: string): Promise<T | undefined> {
    return (await this.request('GET', path)) as T | undefined;
  }

  async list<T = KubeObject>(path: string): Promise<T[]> {
    return ((await this.request('GET', path)) as { items?: T[] } | undefined)?.items ?? [];
  }

  /** The resource (plural name, namespaced) of a kind the server serves; undefined when it serves none. */
  async resource(apiVersion: string, kind: string): Promise<Resource | undefined> {
    if (!this.discovery.has(apiVersion)) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      this.discovery.set(
        apiVersion,
        this.get<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(path).then((r) => {
          if (!r) return undefined;
          return new Map(r.resources.filter((x) => !x.name.includes('/')).map((x) => [x.kind, { name: x.name, namespaced: x.namespaced }]));
        }),
      );
    }
    return (await this.discovery.get(apiVersion))?.get(kind);
  }

  /** The API path of an object (or of its collection without a name); undefined for a kind not served. */
  async pathOf(obj: { apiVersion: string; kind: string; metadata: { name?: string; namespace?: string } }, defaultNamespace: string): Promise<string | undefined> {
    const r = await this.resource(obj.apiVersion, obj.kind);
    if (!r) return undefined;
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(obj.metadata.namespace ?? defaultNamespace)}` : '';
    return `${base}${ns}/${r.name}${obj.metadata.name ? `/${encodeURIComponent(obj.metadata.name)}` : ''}`;
  }

  /** What a server-side apply of `obj` by `fieldManager` would leave (dryRun=All: nothing is changed). */
  async dryRunApply(path: string, obj: object, fieldManager: string): Promise<KubeObject> {
    const q = `?dryRun=All&fieldManager=${encodeURIComponent(fieldManager)}&force=true&fieldValidation=Strict`;
    return (await this.request('PATCH', path + q, obj, 'application/apply-patch+yaml')) as KubeObject;
  }
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

export const decodeBase64 = (s: string | undefined) => (s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8'));

/** A Helm release as Helm stores it (a Secret per revision, `sh.helm.release.v1.NAME.vN`). */
export interface HelmRelease {
  name: string;
  namespace: string;
  version: number;
  status: string;
  chart: { metadata: { name: string; version: string; appVersion?: string } };
  /** The user-supplied values of this revision. */
  config?: Record<string, unknown>;
  manifest: string;
}

/** The latest deployed revision of a Helm release (Helm 3 and 4 store it alike), or undefined. */
export async function helmRelease(kube: Kube, name: string, namespace: string): Promise<HelmRelease | undefined> {
  const secrets = await kube.list<KubeObject & { data?: Record<string, string> }>(
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets?labelSelector=${encodeURIComponent(`owner=helm,name=${name},status=deployed`)}`,
  );
  const latest = secrets.sort((a, b) => Number(b.metadata.labels?.version ?? 0) - Number(a.metadata.labels?.version ?? 0))[0];
  const data = latest?.data?.release;
  if (!data) return undefined;
  // The Secret's data is base64 (the API), of Helm's base64, of gzip, of JSON.
  const gz = Buffer.from(Buffer.from(data, 'base64').toString('utf8'), 'base64');
  const json = gz[0] === 0x1f && gz[1] === 0x8b ? gunzipSync(gz).toString('utf8') : gz.toString('utf8');
  return JSON.parse(json) as HelmRelease;
}
