/**
 * `cdk8s-linkerd certs rotate`: a trust-anchor (or issuer-only) rotation written as the phases a
 * team applies and reviews one at a time, each a values file (Helm) and a `synth -f` overlay
 * (GitOps, public material only), with the new keys beside them and never over an existing file.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { IDENTITY_KEYS, checkIdentityPems, generateIdentity, generateIssuer, trustDomainProblem, type GeneratedIdentity } from '../certs/identity';
import { OutputError, createFolders, prepareFolder } from '../outputs';
import { parseFlags } from './flags';
import { InputError, UsageError, type Io } from './main';
import { exists, writeNew } from './write-identity';

export const ROTATE_HELP = `Usage: cdk8s-linkerd certs rotate --from DIR -o OUT [flags]

Plans a rotation of the identity certificates that 'certs -o DIR' made (or that you keep in the
same four files): a new trust anchor and issuer in OUT/new/, and each phase in its own folder:

  1-trust-both-anchors   proxies trust the old and the new anchor; the issuer is still the old one
  2-new-issuer           the issuer is signed by the new anchor
  3 (no folder)          restart every meshed workload, so that each proxy gets a certificate of the new issuer
  4-remove-old-anchor    only the new anchor is trusted

Each phase folder holds values.yaml (control-plane values for 'helm upgrade -f'; it holds the
issuer's private key: mode 0600, do not commit it) and synth-values.yaml (public material only,
for 'cdk8s-linkerd synth -f' when the issuer Secret is managed outside Git). OUT/ROTATION.md
lists the commands. With --issuer-only, one phase: a new issuer signed by the current anchor.
Nothing is written over an existing file.

Flags:
      --from DIR           folder with ca.crt, issuer.crt, issuer.key (and ca.key for --issuer-only)
  -o, --output-dir OUT     where to write the new keys and the phases (required)
      --issuer-only        rotate the issuer only (signed by the current anchor)
      --trust-domain NAME  identity trust domain (default "cluster.local")
  -n, --namespace NS       the control plane's namespace, for the commands (default "linkerd")
  -h, --help               this help
`;

interface Current {
  caCrtPEM: string;
  issuerCrtPEM: string;
  issuerKeyPEM: string;
  caKeyPEM?: string;
}

const FILE_OF: Record<string, string> = {
  [IDENTITY_KEYS.trustAnchors]: 'ca.crt',
  [IDENTITY_KEYS.issuerCrt]: 'issuer.crt',
  [IDENTITY_KEYS.issuerKey]: 'issuer.key',
};

/** The current identity, checked; every problem names the file it is in. */
function readCurrent(io: Io, dir: string, needCaKey: boolean): Current {
  const read = (f: string) => {
    try {
      return io.readFile(join(dir, f));
    } catch (e) {
      throw new InputError([`${join(dir, f)}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`]);
    }
  };
  const current: Current = { caCrtPEM: read('ca.crt'), issuerCrtPEM: read('issuer.crt'), issuerKeyPEM: read('issuer.key') };
  const problems = checkIdentityPems({ trustAnchorsPEM: current.caCrtPEM, issuerCrtPEM: current.issuerCrtPEM, issuerKeyPEM: current.issuerKeyPEM });
  if (problems.length > 0) throw new InputError(problems.map((p) => `${join(dir, FILE_OF[p.key] ?? '')}: ${p.message}`));
  if (needCaKey) {
    current.caKeyPEM = read('ca.key');
    const file = join(dir, 'ca.key');
    let matches = false;
    try {
      matches = new X509Certificate(current.caCrtPEM).checkPrivateKey(createPrivateKey(current.caKeyPEM));
    } catch {
      throw new InputError([`${file}: not a parseable PEM private key`]);
    }
    if (!matches) throw new InputError([`${file}: does not match the trust anchor in ${join(dir, 'ca.crt')}`]);
  }
  return current;
}

interface Phase {
  folder: string;
  anchors: string;
  issuer?: { crt: string; key: string };
}

function phasesOf(current: Current, next: { caCrtPEM?: string; issuerCrtPEM: string; issuerKeyPEM: string }): Phase[] {
  const oldIssuer = { crt: current.issuerCrtPEM, key: current.issuerKeyPEM };
  const newIssuer = { crt: next.issuerCrtPEM, key: next.issuerKeyPEM };
  if (!next.caCrtPEM) return [{ folder: '1-new-issuer', anchors: current.caCrtPEM, issuer: newIssuer }];
  const both = `${current.caCrtPEM.trimEnd()}\n${next.caCrtPEM}`;
  return [
    { folder: '1-trust-both-anchors', anchors: both, issuer: oldIssuer },
    { folder: '2-new-issuer', anchors: both, issuer: newIssuer },
    { folder: '3-restart-workloads', anchors: both }, // no files: a restart, described in ROTATION.md
    { folder: '4-remove-old-anchor', anchors: next.caCrtPEM, issuer: newIssuer },
  ];
}

const yaml = (v: unknown) => stringify(v, { blockQuote: 'literal', lineWidth: 0 });

/** Every file the rotation writes, relative to OUT, with its content and mode. */
function filesOf(phases: Phase[], next: Record<string, string>, guide: string): { path: string; content: string; mode: number }[] {
  const files = Object.entries(next).map(([name, content]) => ({ path: join('new', name), content, mode: name.endsWith('.key') ? 0o600 : 0o644 }));
  for (const p of phases.filter((x) => x.issuer)) {
    const values = { identityTrustAnchorsPEM: p.anchors, identity: { issuer: { tls: { crtPEM: p.issuer!.crt, keyPEM: p.issuer!.key } } } };
    files.push({ path: join(p.folder, 'values.yaml'), content: `# control-plane values for this phase; holds the issuer's private key: do not commit\n${yaml(values)}`, mode: 0o600 });
    files.push({ path: join(p.folder, 'synth-values.yaml'), content: `# cdk8s-linkerd synth -f overlay for this phase (public material only)\n${yaml({ 'linkerd-control-plane': { identityTrustAnchorsPEM: p.anchors } })}`, mode: 0o644 });
  }
  files.push({ path: 'ROTATION.md', content: guide, mode: 0o644 });
  return files;
}

export async function rotateCommand(args: string[], io: Io): Promise<number> {
  const { values: flags, positionals } = parseFlags('certs rotate', args, {
    from: { type: 'string' },
    'output-dir': { type: 'string', short: 'o' },
    'issuer-only': { type: 'boolean' },
    'trust-domain': { type: 'string' },
    namespace: { type: 'string', short: 'n' },
    help: { type: 'boolean', short: 'h' },
  });
  if (flags.help) return io.stdout(ROTATE_HELP), 0;
  if (positionals.length > 0) throw new UsageError(`certs rotate takes no arguments (got ${positionals.join(' ')})`);
  const [from, out] = [flags.from as string | undefined, flags['output-dir'] as string | undefined];
  if (!from || !out) throw new UsageError('certs rotate needs --from DIR (the current ca.crt, issuer.crt, issuer.key) and -o OUT');
  const trustDomain = flags['trust-domain'] as string | undefined;
  const domainProblem = trustDomain === undefined ? undefined : trustDomainProblem(trustDomain);
  if (domainProblem) throw new InputError([`--trust-domain: ${domainProblem}`]);
  const issuerOnly = flags['issuer-only'] === true;
  const current = readCurrent(io, from, issuerOnly);
  const next: Partial<GeneratedIdentity> & { issuerCrtPEM: string; issuerKeyPEM: string } = issuerOnly
    ? await generateIssuer({ caCrtPEM: current.caCrtPEM, caKeyPEM: current.caKeyPEM! }, { trustDomain })
    : await generateIdentity({ trustDomain });
  const nextFiles: Record<string, string> = { 'issuer.crt': next.issuerCrtPEM, 'issuer.key': next.issuerKeyPEM };
  if (next.caCrtPEM && next.caKeyPEM) Object.assign(nextFiles, { 'ca.crt': next.caCrtPEM, 'ca.key': next.caKeyPEM });
  const phases = phasesOf(current, next);
  const files = filesOf(phases, nextFiles, rotationGuide(phases, out, (flags.namespace as string | undefined) ?? 'linkerd'));
  const create = prepareFolder(out);
  const taken = files.map((f) => join(out, f.path)).filter(exists);
  if (taken.length > 0) throw new OutputError(`${out} already holds ${taken.join(', ')}; not overwriting: choose an empty folder`);
  createFolders(create, out);
  for (const f of files) {
    createFolders(prepareFolder(join(out, f.path, '..')), join(out, f.path, '..'));
    writeNew(join(out, f.path), f.content, f.mode, false);
    io.stderr(`wrote ${join(out, f.path)}\n`);
  }
  io.stderr(`Next: follow ${join(out, 'ROTATION.md')}, one phase at a time.\n`);
  return 0;
}

function rotationGuide(phases: Phase[], out: string, ns: string): string {
  const upgrade = (folder: string) => `helm upgrade linkerd-control-plane <chart> -n ${ns} --reuse-values -f ${join(out, folder, 'values.yaml')}`;
  const secret = `kubectl -n ${ns} create secret tls linkerd-identity-issuer --cert ${join(out, 'new', 'issuer.crt')} --key ${join(out, 'new', 'issuer.key')} --dry-run=client -o yaml | kubectl apply -f -`;
  const restart = `kubectl get pods -A -l linkerd.io/control-plane-ns=${ns} -o jsonpath='{range .items[*]}{.metadata.namespace}{" "}{.metadata.ownerReferences[0].kind}{" "}{.metadata.ownerReferences[0].name}{"\\n"}{end}' | sort -u`;
  const steps = phases.map((p, i) => {
    const head = `## Phase ${i + 1}: ${p.folder.replace(/^\d-/, '').replace(/-/g, ' ')}\n\n`;
    if (!p.issuer) {
      return `${head}Restart every meshed workload (the control plane first, then the extensions, then your own), so that each proxy holds a certificate from the new issuer. The meshed pods and their owners:\n\n    ${restart}\n\nRestart each owner (\`kubectl -n NS rollout restart deployment/NAME\`, likewise statefulset and daemonset); delete the pods of bare Jobs.\n`;
    }
    const previous = phases.slice(0, i).reverse().find((q) => q.issuer)?.issuer;
    const newIssuer = p.issuer.crt !== (previous ?? phases[0].issuer)!.crt || (i === 0 && phases.length === 1);
    const values = join(out, p.folder, 'values.yaml');
    const gitops = `GitOps (issuer Secret outside Git): \`cdk8s-linkerd synth -f <your values> -f ${join(out, p.folder, 'synth-values.yaml')}\` and commit dist/${newIssuer ? `; replace the issuer Secret out of band:\n\n    ${secret}` : '.'}`;
    return `${head}Helm:\n\n    ${upgrade(p.folder)}\n\n${gitops}\n\nThen \`cdk8s-linkerd check -n ${ns} -f ${values}\` names this phase.\n`;
  });
  return `# Identity rotation\n\nApply one phase at a time; wait until every control-plane pod is ready before the next. Keep ${join(out, 'new')}/*.key offline once the rotation is done (ca.key signs the next issuer).\n\nWith cert-manager (values-gitops.yaml) the same phases are: add the new anchor to the trust bundle (a second source of the trust-manager Bundle), switch the \`linkerd-trust-anchor\` issuer to the new anchor's Secret (cert-manager re-issues linkerd-identity-issuer), restart meshed workloads, then remove the old anchor from the bundle.\n\n${steps.join('\n')}`;
}
