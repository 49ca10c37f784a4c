/**
 * linkerd2-cni: the plugin's network configuration is JSON with the settings the values give,
 * the construct takes the proxy's ports and IDs from the control plane, and LinkerdMesh with
 * `cniEnabled: true` installs the plugin and a control plane whose pods are all Pod Security
 * "restricted".
 */
import { App, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { linkerd2CniChart } from '../src/cni/chart';
import { LinkerdCni } from '../src/cni/construct';
import { LinkerdControlPlane } from '../src/control-plane/construct';
import { LinkerdMesh } from '../src/mesh/mesh';
import { podSecurity, podSpecOf } from '../src/verify/pod-security';
import { schemaProblems } from './support/chart-suite';
import { ourObjects, type K8sDoc } from './support/render';
import { IDENTITY_VALUES } from './fixtures/identity';

type Doc = K8sDoc & { spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const release = { name: 'linkerd2-cni', namespace: 'linkerd-cni' };
const find = (docs: Doc[], kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name);
const networkConfig = (docs: Doc[]) => JSON.parse(find(docs, 'ConfigMap', 'linkerd-cni-config')?.data?.cni_network_config ?? '') as { log_level: string; linkerd: Record<string, unknown> };
const render = (values: Record<string, unknown> = {}) => ourObjects(linkerd2CniChart, values, release) as Doc[];

describe('the CNI network configuration', () => {
  it('is JSON with the defaults upstream gives the plugin', () => {
    const c = networkConfig(render());
    expect(c.log_level).toBe('info');
    expect(c.linkerd).toEqual({
      'incoming-proxy-port': 4143,
      'outgoing-proxy-port': 4140,
      'proxy-uid': 2102,
      'ports-to-redirect': [],
      'inbound-ports-to-ignore': ['4191', '4190'],
      simulate: false,
      'use-wait-flag': false,
      'iptables-mode': 'nft',
      ipv6: false,
    });
  });

  it('carries every redirect setting given, the proxy GID only when it is 0 or more', () => {
    const c = networkConfig(
      render({ proxyGID: 0, ignoreInboundPorts: '25,4000-4100', ignoreOutboundPorts: '3306,5432', portsToRedirect: '8080,9090', useWaitFlag: true, iptablesMode: 'plain', disableIPv6: false, logLevel: 'debug' }),
    );
    expect(c.log_level).toBe('debug');
    expect(c.linkerd).toMatchObject({
      'proxy-gid': 0,
      'ports-to-redirect': [8080, 9090],
      'inbound-ports-to-ignore': ['4191', '4190', '25', '4000-4100'],
      'outbound-ports-to-ignore': ['3306', '5432'],
      'use-wait-flag': true,
      'iptables-mode': 'plain',
      ipv6: true,
    });
    expect(networkConfig(render({ proxyGID: -1 })).linkerd).not.toHaveProperty('proxy-gid');
  });

  it('mounts the node directories the configuration names, once when they are the same', () => {
    for (const [values, mounts] of [
      [{}, ['/host/opt/cni/bin', '/host/etc/cni/net.d']],
      [{ destCNIBinDir: '/cni', destCNINetDir: '/cni' }, ['/host/cni']],
    ] as const) {
      const docs = render(values);
      const spec = find(docs, 'DaemonSet', 'linkerd-cni')?.spec.template.spec;
      const data = find(docs, 'ConfigMap', 'linkerd-cni-config')?.data;
      const hostPaths = spec.volumes.filter((v: { hostPath?: unknown }) => v.hostPath).map((v: { hostPath: { path: string } }) => v.hostPath.path);
      expect(new Set(hostPaths)).toEqual(new Set([data?.dest_cni_bin_dir, data?.dest_cni_net_dir]));
      const install = spec.containers.find((c: { name: string }) => c.name === 'install-cni');
      expect(install.volumeMounts.map((m: { mountPath: string }) => m.mountPath).filter((p: string) => p.startsWith('/host'))).toEqual(mounts);
    }
  });

  it('grants the repair controller pod deletion and events only when it runs', () => {
    const rules = (values: Record<string, unknown>) => find(render(values), 'ClusterRole', 'linkerd-cni')?.rules as { verbs: string[] }[];
    expect(rules({}).flatMap((r) => r.verbs)).toEqual(['list', 'get', 'watch']);
    expect(rules({ repairController: { enabled: true } }).flatMap((r) => r.verbs)).toEqual(['list', 'get', 'watch', 'delete', 'create']);
    const containers = (values: Record<string, unknown>) => find(render(values), 'DaemonSet', 'linkerd-cni')?.spec.template.spec.containers.map((c: { name: string }) => c.name);
    expect(containers({})).toEqual(['install-cni']);
    expect(containers({ repairController: { enabled: true } })).toEqual(['install-cni', 'repair-controller']);
  });
});

describe('LinkerdCni', () => {
  it('takes the proxy ports, UID and GID from the control plane', () => {
    const app = new App();
    const controlPlane = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: { ...IDENTITY_VALUES, cniEnabled: true, proxy: { ports: { inbound: 14143, outbound: 14140, admin: 14191, control: 14190 }, uid: 3000, gid: 3001 } } });
    const cni = new LinkerdCni(app, 'linkerd2-cni', { controlPlane, values: { logLevel: 'debug' } });
    const c = networkConfig(Testing.synth(cni) as Doc[]);
    expect(c.log_level).toBe('debug');
    expect(c.linkerd).toMatchObject({ 'incoming-proxy-port': 14143, 'outgoing-proxy-port': 14140, 'proxy-uid': 3000, 'proxy-gid': 3001, 'inbound-ports-to-ignore': ['14191', '14190'] });
  });

  it('refuses a redirect setting that disagrees with the control plane\u2019s proxy, naming the key', () => {
    const app = new App();
    const controlPlane = new LinkerdControlPlane(app, 'linkerd-control-plane', { values: { ...IDENTITY_VALUES, cniEnabled: true, proxy: { uid: 3000 } } });
    expect(() => new LinkerdCni(app, 'cni-a', { controlPlane, values: { proxyUID: 2102 } })).toThrow(/proxyUID: .*disagrees with the control plane/);
    expect(() => new LinkerdCni(app, 'cni-b', { controlPlane, values: { proxyUID: 3000, inboundProxyPort: 4143 } })).not.toThrow();
  });
});

describe('LinkerdMesh with the CNI plugin', () => {
  const controlPlanePods = (mesh: LinkerdMesh) =>
    (Testing.synth(mesh.controlPlane) as Doc[]).flatMap((d) => {
      const spec = podSpecOf(d);
      return spec ? [{ workload: `${d.kind}/${d.metadata.name}`, report: podSecurity(spec) }] : [];
    });

  it('cniEnabled: true renders the CNI DaemonSet and a control plane whose pods are all restricted', () => {
    const app = new App();
    const mesh = new LinkerdMesh(app, 'mesh', { controlPlane: { ...IDENTITY_VALUES, cniEnabled: true }, viz: false });
    expect(mesh.cni).toBeDefined();
    const cni = Testing.synth(mesh.cni!) as Doc[];
    const ds = find(cni, 'DaemonSet', 'linkerd-cni');
    expect(ds?.metadata.namespace).toBe('linkerd-cni');
    expect(ds?.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['install-cni']);
    const pods = controlPlanePods(mesh);
    expect(pods.map((p) => p.workload).sort()).toEqual(['CronJob/linkerd-heartbeat', 'Deployment/linkerd-destination', 'Deployment/linkerd-identity', 'Deployment/linkerd-proxy-injector']);
    for (const p of pods) expect(p.report, p.workload).toEqual({ level: 'restricted', findings: [] });
    expect(schemaProblems([...cni, ...(Testing.synth(mesh.controlPlane) as Doc[])])).toEqual([]);
  });

  it('cni values turn cniEnabled on; without either there is no plugin and proxy-init makes the pods privileged', () => {
    const withCni = new LinkerdMesh(new App(), 'mesh', { controlPlane: IDENTITY_VALUES, cni: { repairController: { enabled: true } }, viz: false, namespaces: { cni: 'cni-system' } });
    expect(withCni.controlPlane.resolvedValues.cniEnabled).toBe(true);
    expect(withCni.cni?.release.namespace).toBe('cni-system');
    for (const p of controlPlanePods(withCni)) expect(p.report.level, p.workload).toBe('restricted');

    const without = new LinkerdMesh(new App(), 'mesh', { controlPlane: IDENTITY_VALUES, viz: false });
    expect(without.cni).toBeUndefined();
    expect(controlPlanePods(without).filter((p) => p.report.level === 'privileged').map((p) => p.workload).sort()).toEqual(['Deployment/linkerd-destination', 'Deployment/linkerd-identity', 'Deployment/linkerd-proxy-injector']);

    // cni: false leaves the plugin to be installed some other way.
    expect(new LinkerdMesh(new App(), 'mesh', { controlPlane: { ...IDENTITY_VALUES, cniEnabled: true }, cni: false, viz: false }).cni).toBeUndefined();
    expect(() => new LinkerdMesh(new App(), 'mesh', { controlPlane: { ...IDENTITY_VALUES, cniEnabled: false }, cni: {}, viz: false })).toThrow(/cniEnabled is false/);
  });
});
