/**
 * The verification suite's security checks: Pod Security levels of every pod of every chart
 * and variant, ServiceAccount tokens only where the API server is used, and the checks'
 * ability to fail.
 */
import { describe, expect, it } from 'vitest';
import { audit } from '../scripts/audit';
import { renderObjects, resolveValues } from '../src/helm/chart';
import { podSecurity, podSpecOf } from '../src/verify/pod-security';
import { MATRIX } from './support/matrix';

const rows = audit();

/** Pods that talk to the API server (and so get the hand-mounted token). */
const API_CLIENTS = new Set([
  'linkerd-identity', 'linkerd-destination', 'linkerd-proxy-injector', 'linkerd-heartbeat',
  'metrics-api', 'tap', 'tap-injector', 'web', 'prometheus', 'namespace-metadata', 'collector', 'linkerd-cni',
  'linkerd-local-service-mirror', 'linkerd-service-mirror-west',
]);

describe('Pod Security', () => {
  it('covers every pod of every chart and variant', () => {
    expect(rows.length).toBeGreaterThan(50);
    expect(new Set(rows.map((r) => r.chart))).toEqual(new Set(['linkerd-control-plane', 'linkerd-viz', 'linkerd-jaeger', 'linkerd2-cni', 'linkerd-multicluster', 'linkerd-multicluster-link']));
  });

  it('is restricted everywhere except proxy-init, which needs NET_ADMIN and NET_RAW, and the CNI plugin', () => {
    for (const r of rows.filter((x) => x.chart !== 'linkerd2-cni')) {
      const other = r.report.findings.filter((f) => f.where !== 'linkerd-init');
      expect(other, `${r.chart} ${r.variant} ${r.workload}`).toEqual([]);
      for (const f of r.report.findings) expect(f.rule, `${r.workload}`).toMatch(/NET_ADMIN|NET_RAW|drop ALL/);
    }
  });

  it('the CNI plugin is privileged only for the node directories it writes (hostPath); its repair controller breaks only runAsNonRoot (the image runs as root, as upstream)', () => {
    const cni = rows.filter((r) => r.chart === 'linkerd2-cni');
    expect(cni.length).toBe(2);
    for (const r of cni) {
      expect(r.report.level).toBe('privileged');
      const privileged = r.report.findings.filter((f) => f.level === 'privileged').map((f) => f.rule);
      expect(privileged, r.variant).toEqual(['hostPath volume cni-bin-dir', 'hostPath volume cni-net-dir']);
      expect(r.report.findings.filter((f) => f.where === 'repair-controller').map((f) => f.rule), r.variant).toEqual(r.variant === 'defaults' ? [] : ['runAsNonRoot is not true']);
    }
  });

  it('is fully restricted in CNI mode', () => {
    const cni = rows.filter((r) => r.variant === 'cniEnabled=true');
    expect(cni.length).toBeGreaterThan(0);
    for (const r of cni) expect(r.report.level, r.workload).toBe('restricted');
  });

  it('classifies privileged and baseline pods as such', () => {
    const hardened = { allowPrivilegeEscalation: false, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' }, capabilities: { drop: ['ALL'] } };
    expect(podSecurity({ containers: [{ name: 'a', securityContext: hardened }] }).level).toBe('restricted');
    expect(podSecurity({ hostNetwork: true, containers: [{ name: 'a', securityContext: hardened }] }).level).toBe('privileged');
    expect(podSecurity({ containers: [{ name: 'a', securityContext: { ...hardened, privileged: true } }] }).level).toBe('privileged');
    expect(podSecurity({ containers: [{ name: 'a', securityContext: { ...hardened, capabilities: {} } }] }).level).toBe('baseline');
    expect(podSecurity({ containers: [{ name: 'a', securityContext: { ...hardened, runAsNonRoot: undefined } }] }).findings).toEqual([{ where: 'a', rule: 'runAsNonRoot is not true', level: 'baseline' }]);
    expect(podSecurity({ volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [{ name: 'a', securityContext: hardened }] }).level).toBe('privileged');
  });
});

describe('hardened containers', () => {
  it('every container has a read-only root filesystem, as well as what Pod Security checks', () => {
    for (const { chart, release, variants } of MATRIX) {
      for (const [variant, values] of Object.entries(variants)) {
        for (const { object } of renderObjects(chart, resolveValues(chart, values), release)) {
          const spec = podSpecOf(object as { kind: string });
          for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) {
            expect(c.securityContext?.readOnlyRootFilesystem, `${chart.name} ${variant} ${c.name}`).toBe(true);
          }
        }
      }
    }
  });
});

describe('ServiceAccount tokens', () => {
  it('are never automounted, and mounted by hand only into pods that talk to the API server', () => {
    for (const { chart, release, variants } of MATRIX) {
      for (const [variant, values] of Object.entries(variants)) {
        for (const { object } of renderObjects(chart, resolveValues(chart, values), release)) {
          const o = object as { kind: string; metadata: { name: string } };
          const spec = podSpecOf(o);
          if (!spec) continue;
          expect(spec.automountServiceAccountToken, `${variant} ${o.metadata.name}`).toBe(false);
          const mounted = (spec.volumes ?? []).some((vol: { name: string }) => vol.name === 'kube-api-access');
          expect(mounted, `${chart.name} ${variant} ${o.kind}/${o.metadata.name}`).toBe(API_CLIENTS.has(o.metadata.name));
        }
      }
    }
  });
});
