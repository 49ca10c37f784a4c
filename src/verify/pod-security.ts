/**
 * Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/):
 * the level a pod template meets — restricted, baseline or privileged — with the rule each
 * container breaks. Checks the controls of the `baseline` and `restricted` profiles that a
 * pod spec can break (host namespaces and ports, privileged, capabilities, hostPath and other
 * volume types, AppArmor, SELinux, /proc mount, seccomp, sysctls, privilege escalation,
 * running as non-root and as a non-zero UID).
 */

export type Level = 'restricted' | 'baseline' | 'privileged';

export interface Finding {
  /** The container (or `pod`) that breaks the rule. */
  where: string;
  rule: string;
  /** The strictest level the rule still allows. */
  level: 'baseline' | 'privileged';
}

export interface PodReport {
  level: Level;
  findings: Finding[];
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Any = Record<string, any>;

const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** Classifies a pod spec. */
export function podSecurity(spec: Any): PodReport {
  const findings: Finding[] = [];
  const base = (where: string, rule: string) => findings.push({ where, rule, level: 'privileged' });
  const restricted = (where: string, rule: string) => findings.push({ where, rule, level: 'baseline' });
  const psc: Any = spec.securityContext ?? {};
  const containers: Any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];

  // Baseline
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (spec[ns]) base('pod', `${ns}: true`);
  for (const v of spec.volumes ?? []) if (v.hostPath) base('pod', `hostPath volume ${v.name}`);
  if (psc.seccompProfile?.type === 'Unconfined') base('pod', 'seccompProfile Unconfined');
  if (psc.appArmorProfile?.type === 'Unconfined') base('pod', 'appArmorProfile Unconfined');
  if (psc.seLinuxOptions && (!SELINUX_TYPES.has(psc.seLinuxOptions.type ?? '') || psc.seLinuxOptions.user || psc.seLinuxOptions.role)) base('pod', 'custom seLinuxOptions');
  for (const s of psc.sysctls ?? []) if (!SAFE_SYSCTLS.has(s.name)) base('pod', `unsafe sysctl ${s.name}`);
  if (spec.hostUsers === false) {
    // user namespaces relax nothing the checks below need
  }
  for (const c of containers) {
    const sc: Any = c.securityContext ?? {};
    if (sc.privileged) base(c.name, 'privileged: true');
    for (const cap of sc.capabilities?.add ?? []) if (!BASELINE_CAPABILITIES.has(cap)) base(c.name, `adds capability ${cap}`);
    for (const p of c.ports ?? []) if (p.hostPort) base(c.name, `hostPort ${p.hostPort}`);
    if (sc.seccompProfile?.type === 'Unconfined') base(c.name, 'seccompProfile Unconfined');
    if (sc.appArmorProfile?.type === 'Unconfined') base(c.name, 'appArmorProfile Unconfined');
    if (sc.procMount && sc.procMount !== 'Default') base(c.name, `procMount ${sc.procMount}`);
    if (sc.seLinuxOptions && (!SELINUX_TYPES.has(sc.seLinuxOptions.type ?? '') || sc.seLinuxOptions.user || sc.seLinuxOptions.role)) base(c.name, 'custom seLinuxOptions');
  }

  // Restricted
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.has(type)) restricted('pod', `volume type ${type} (${v.name})`);
  }
  const podNonRoot = psc.runAsNonRoot === true;
  const podSeccomp = ['RuntimeDefault', 'Localhost'].includes(psc.seccompProfile?.type);
  if (psc.runAsUser === 0) restricted('pod', 'runAsUser: 0');
  for (const c of containers) {
    const sc: Any = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) restricted(c.name, 'allowPrivilegeEscalation is not false');
    if (!(sc.runAsNonRoot === true || (podNonRoot && sc.runAsNonRoot !== false))) restricted(c.name, 'runAsNonRoot is not true');
    if (sc.runAsUser === 0) restricted(c.name, 'runAsUser: 0');
    const seccomp = sc.seccompProfile?.type;
    if (!(['RuntimeDefault', 'Localhost'].includes(seccomp) || (podSeccomp && seccomp === undefined))) restricted(c.name, 'seccompProfile is not RuntimeDefault or Localhost');
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) restricted(c.name, 'capabilities do not drop ALL');
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(cap)) restricted(c.name, `adds capability ${cap}`);
  }

  const level: Level = findings.some((f) => f.level === 'privileged') ? 'privileged' : findings.length > 0 ? 'baseline' : 'restricted';
  return { level, findings };
}

/** Where a workload keeps its pod spec. */
export function podSpecOf(obj: Any): Any | undefined {
  switch (obj.kind) {
    case 'Pod':
      return obj.spec;
    case 'CronJob':
      return obj.spec?.jobTemplate?.spec?.template?.spec;
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return obj.spec?.template?.spec;
    default:
      return undefined;
  }
}
