/**
 * npm run audit [-- --write]
 *
 * The Pod Security report: every pod of every chart and variant classified restricted /
 * baseline / privileged by the Pod Security Standards, with the rules it breaks. `--write`
 * puts the report into docs/security.md (between its report markers).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderObjects, resolveValues } from '../src/helm/chart';
import { podSecurity, podSpecOf, type PodReport } from '../src/verify/pod-security';
import { MATRIX } from '../test/support/matrix';

export interface AuditRow {
  chart: string;
  variant: string;
  workload: string;
  report: PodReport;
}

export function audit(): AuditRow[] {
  return MATRIX.flatMap(({ chart, release, variants }) =>
    Object.entries(variants).flatMap(([variant, values]) =>
      renderObjects(chart, resolveValues(chart, values), release).flatMap(({ object }) => {
        const o = object as { kind: string; metadata: { name: string } };
        const spec = podSpecOf(o);
        return spec ? [{ chart: chart.name, variant, workload: `${o.kind}/${o.metadata.name}`, report: podSecurity(spec) }] : [];
      }),
    ),
  );
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}
type Obj = { kind: string; metadata: { name: string; namespace?: string }; rules?: Rule[]; roleRef?: { kind: string; name: string }; subjects?: { kind: string; name: string; namespace?: string }[] };

/** What each ServiceAccount of each chart (defaults) may do, from its (Cluster)RoleBindings. */
export function rbacByServiceAccount(): string[] {
  const lines: string[] = ['| ServiceAccount | binding | may |', '| --- | --- | --- |'];
  for (const { chart, release, variants } of MATRIX) {
    const objects = renderObjects(chart, resolveValues(chart, variants.defaults), release).map((o) => o.object as Obj);
    const roles = new Map(objects.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole').map((o) => [`${o.kind}/${o.metadata.name}`, o]));
    for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
      const role = roles.get(`${b.roleRef!.kind}/${b.roleRef!.name}`);
      const may = role
        ? (role.rules ?? [])
            .map((r) => `${r.verbs.join('/')} ${(r.resources ?? []).join(',')}${r.apiGroups?.some((g) => g) ? ` (${r.apiGroups.filter((g) => g).join(',')})` : ''}${r.resourceNames ? ` [${r.resourceNames.join(',')}]` : ''}`)
            .join('; ')
        : `${b.roleRef!.kind} ${b.roleRef!.name} (${/^(system:|extension-apiserver-)/.test(b.roleRef!.name) ? 'Kubernetes built-in' : 'defined by the control-plane chart'})`;
      for (const s of b.subjects ?? []) {
        lines.push(`| ${s.namespace ?? b.metadata.namespace}/${s.name} | ${b.kind} ${b.metadata.name}${b.metadata.namespace ? ` in ${b.metadata.namespace}` : ''} | ${may} |`);
      }
    }
  }
  return lines;
}

if (require.main === module) {
  const rows = audit();
  const lines = [
    '| chart | variant | workload | level | why not restricted |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.chart} | ${r.variant} | ${r.workload} | ${r.report.level} | ${[...new Set(r.report.findings.map((f) => `${f.where}: ${f.rule}`))].join('; ') || '—'} |`),
  ];
  const counts = ['restricted', 'baseline', 'privileged'].map((l) => `${rows.filter((r) => r.report.level === l).length} ${l}`).join(', ');
  const report = [`${rows.length} pod templates: ${counts}.`, '', ...lines].join('\n');
  process.stdout.write(`${report}\n`);
  if (process.argv.includes('--write')) {
    const file = join(__dirname, '..', 'docs', 'security.md');
    const doc = readFileSync(file, 'utf8');
    const [start, end] = ['<!-- pod-security-report:start -->', '<!-- pod-security-report:end -->'];
    let out = `${doc.slice(0, doc.indexOf(start) + start.length)}\n${report}\n${doc.slice(doc.indexOf(end))}`;
    const [rs, re] = ['<!-- rbac-report:start -->', '<!-- rbac-report:end -->'];
    out = `${out.slice(0, out.indexOf(rs) + rs.length)}\n${rbacByServiceAccount().join('\n')}\n${out.slice(out.indexOf(re))}`;
    writeFileSync(file, out);
  }
}
