/** The linkerd-control-plane values model: upstream's keys and defaults, HA, bad input. */
import { describe, expect, it } from 'vitest';
import { haValues } from '../src/control-plane/presets';
import { controlPlaneValues, type ControlPlaneValues } from '../src/control-plane/values';
import { coalesce, defaultsOf, validateValues } from '../src/values/model';
import { LINKERD_VERSION } from '../src/version';

const defaults = defaultsOf(controlPlaneValues) as ControlPlaneValues;
const check = (user: Record<string, unknown>) => validateValues(controlPlaneValues, coalesce(defaults, user));

describe('linkerd-control-plane values', () => {
  it("keep upstream's defaults", () => {
    expect(defaults.linkerdVersion).toBe(LINKERD_VERSION);
    expect(defaults.proxy.image.name).toBe('cr.l5d.io/linkerd/proxy');
    expect(defaults.proxy.ports).toEqual({ admin: 4191, control: 4190, inbound: 4143, outbound: 4140 });
    expect(defaults.proxy.logLevel).toBe('warn,linkerd=info,hickory=error');
    expect(defaults.proxy.opaquePorts).toBe('25,587,3306,4444,5432,6379,9300,11211');
    expect(defaults.proxy.inbound).toEqual({ server: { http2: { keepAliveInterval: '10s', keepAliveTimeout: '3s' } } });
    // Upstream's null default is no default here (docs/parity.md#null-defaults): Helm 4 drops null chart defaults.
    expect(defaults.proxy.cores).toBeUndefined();
    expect(defaults.controllerReplicas).toBe(1);
    expect(defaults.webhookFailurePolicy).toBe('Ignore');
    expect(defaults.identity.issuer).toMatchObject({ scheme: 'linkerd.io/tls', issuanceLifetime: '24h0m0s', clockSkewAllowance: '20s' });
    expect(defaults.proxyInit.ignoreOutboundPorts).toBe('4567,4568');
    expect(defaults.configReaders).toBeUndefined();
    expect('heartbeatSchedule' in defaults).toBe(false);
    expect('destinationResources' in defaults).toBe(false);
  });

  it("accept upstream's values-ha.yaml unchanged (our preset carries its keys and settings)", () => {
    expect(check(haValues)).toEqual([]);
  });

  it('accept our additions', () => {
    expect(check({ identity: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' }] } })).toEqual([]);
  });

  it.each([
    ['a string for an integer', { controllerReplicas: 'three' }, 'controllerReplicas'],
    ['zero replicas', { controllerReplicas: 0 }, 'controllerReplicas'],
    ['a port out of range', { proxy: { ports: { admin: 70000 } } }, 'proxy.ports.admin'],
    ['a bad enum', { webhookFailurePolicy: 'Sometimes' }, 'webhookFailurePolicy'],
    ['a bad log format', { proxy: { logFormat: 'xml' } }, 'proxy.logFormat'],
    ['an unknown top-level key', { proxyy: {} }, 'proxyy'],
    ['an unknown nested key', { proxy: { image: { tag: 'x' } } }, 'proxy.image.tag'],
    ['an unknown deep key', { identity: { issuer: { tls: { cert: 'x' } } } }, 'identity.issuer.tls.cert'],
    ['a bad duration', { proxy: { outboundConnectTimeout: 'soon' } }, 'proxy.outboundConnectTimeout'],
    ['a bad port list', { proxy: { opaquePorts: '25;587' } }, 'proxy.opaquePorts'],
    ['a bad quantity', { proxy: { resources: { cpu: { request: 'lots' } } } }, 'proxy.resources.cpu.request'],
    ['a tuning key sprig cannot snake-case like JavaScript', { proxy: { inbound: { server: { http2: { a1b: '1s' } } } } }, 'proxy.inbound.server.http2.a1b'],
    ['a boolean as a string', { cniEnabled: 'true' }, 'cniEnabled'],
    ['a CPU ratio above 1', { proxy: { runtime: { workers: { maximumCPURatio: 1.5 } } } }, 'proxy.runtime.workers.maximumCPURatio'],
    ['a config reader without namespace', { configReaders: [{ name: 'x' }] }, 'configReaders.0.namespace'],
  ])('reject %s, naming the key', (_name, user, key) => {
    expect(check(user).map((p) => p.key)).toContain(key);
  });
});
