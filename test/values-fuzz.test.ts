/**
 * The CLI reads values files byte for byte as Helm does (issue 24, item 3): for a chart, 500
 * byte-level mutations of its values.yaml (control characters, invalid UTF-8, byte-order marks,
 * tabs, YAML punctuation, deleted and repeated bytes) are read by the pinned Helm 3 and Helm 4 and
 * by the CLI's reader; each is accepted by all three with the same values, or refused by all
 * three, the CLI with one line naming the file.
 *
 * Batched: one `helm template` per Helm and chart reads all 500 files with `fromYaml` over
 * `.Files` (the same sigs.k8s.io/yaml call that reads `-f` files), about 70 ms of CPU instead of
 * 500 invocations. Files whose reading differs between `fromYaml` and `-f` (a `---` document
 * separator: Helm 4 splits `-f` files; a UTF-16 byte-order mark) and a sample of the others are
 * read through `helm template -f` as well, which checks the batching itself.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHARTS as CHART_DEFINITIONS } from '../src/charts';
import { InputError, userValues } from '../src/cli/main';
import { HELM_MAJORS, type HelmMajor } from './support/helm';
import { helmTemplate, scratchDir } from './support/render';

// Every chart (gateway-api-crds' values.yaml has no keys: its mutations are blanks, tabs and bytes).
const CHARTS = Object.keys(CHART_DEFINITIONS);
const MUTATIONS = 500;
const SAMPLE = 4; // mutations per chart also read through `helm template -f`

/** A small deterministic PRNG (mulberry32), so a failure names a mutation that can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bytes that matter to a YAML reader: controls, tab, breaks, UTF-8 lead and trail bytes, BOM parts, YAML indicators. */
const INTERESTING = [0x00, 0x01, 0x08, 0x09, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x85, 0xa0, 0xbb, 0xbf, 0xc0, 0xc2, 0xc3, 0xe2, 0xed, 0xef, 0xf4, 0xf8, 0xfe, 0xff, ...Buffer.from(' :-#"\'{}[],&*!|>%@`?\\~')];
/** Sequences: BOM, NEL, LS, U+FFFE, an overlong '/', a surrogate, CRLF, a tab, a document separator, a 4-byte character. */
const SEQUENCES = ['efbbbf', 'c285', 'e280a8', 'efbfbe', 'c0af', 'eda080', '0d0a', '09', '0a2d2d2d0a', 'f09f9880', 'c3a9'].map((h) => Buffer.from(h, 'hex'));

function mutate(base: Buffer, rnd: () => number): Buffer {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const at = Math.floor(rnd() * base.length);
  const op = Math.floor(rnd() * 7);
  const bytes = Buffer.from(base);
  switch (op) {
    case 0: // replace with any byte
      bytes[at] = Math.floor(rnd() * 256);
      return bytes;
    case 1: // replace with an interesting byte
      bytes[at] = pick(INTERESTING);
      return bytes;
    case 2: // insert an interesting byte
      return Buffer.concat([base.subarray(0, at), Buffer.from([pick(INTERESTING)]), base.subarray(at)]);
    case 3: // insert a sequence
      return Buffer.concat([base.subarray(0, at), pick(SEQUENCES), base.subarray(at)]);
    case 4: // delete 1 to 3 bytes
      return Buffer.concat([base.subarray(0, at), base.subarray(at + 1 + Math.floor(rnd() * 3))]);
    case 5: // a byte-order mark or a sequence at the start
      return Buffer.concat([rnd() < 0.5 ? Buffer.from('efbbbf', 'hex') : pick(SEQUENCES), base]);
    default: {
      // repeat a line elsewhere (indentation and duplicate keys)
      const lines = base.toString('latin1').split('\n');
      const line = pick(lines);
      lines.splice(Math.floor(rnd() * lines.length), 0, line);
      return Buffer.from(lines.join('\n'), 'latin1');
    }
  }
}

/** The chart's values.yaml without its comment lines: the mutations land on keys and values. */
function baseOf(chart: string): Buffer {
  const text = readFileSync(join(__dirname, '..', 'charts', chart, 'values.yaml'), 'utf8');
  return Buffer.from(text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n'));
}

type Read = { ok: true; values: unknown } | { ok: false; error: string };

/** A chart whose only template prints, for every file under m/, what `fromYaml` read (base64 JSON, or the error). */
function batchChart(files: Buffer[]): string {
  const dir = join(scratchDir('fuzz'), 'batch');
  mkdirSync(join(dir, 'templates'), { recursive: true });
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: batch\nversion: 0.1.0\n');
  writeFileSync(
    join(dir, 'templates', 'read.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: read\ndata:\n{{- range $path, $_ := .Files.Glob "m/*" }}\n  {{ base $path }}: {{ $.Files.Get $path | fromYaml | toJson | b64enc }}\n{{- end }}\n',
  );
  files.forEach((f, i) => writeFileSync(join(dir, 'm', `${String(i).padStart(4, '0')}.yaml`), f));
  return dir;
}

async function batchRead(major: HelmMajor, dir: string): Promise<Map<number, Read>> {
  const r = await helmTemplate(major, dir);
  if (!r.ok) throw new Error(`helm ${major}: ${r.stderr}`);
  const out = new Map<number, Read>();
  for (const m of r.stdout.matchAll(/^ {2}(\d{4})\.yaml: (\S+)$/gm)) {
    const v = JSON.parse(Buffer.from(m[2], 'base64').toString('utf8')) as Record<string, unknown>;
    const keys = Object.keys(v);
    out.set(Number(m[1]), keys.length === 1 && keys[0] === 'Error' && typeof v.Error === 'string' ? { ok: false, error: v.Error } : { ok: true, values: v });
  }
  return out;
}

/** An echo chart read with `-f`, the path the command line takes. */
function echoChart(): string {
  const dir = join(scratchDir('fuzz-echo'), 'echo');
  mkdirSync(join(dir, 'templates'), { recursive: true });
  writeFileSync(join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: echo\nversion: 0.1.0\n');
  writeFileSync(join(dir, 'templates', 'v.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: v\ndata:\n  json: {{ toJson .Values | b64enc }}\n');
  return dir;
}

async function fileRead(major: HelmMajor, echo: string, file: string): Promise<Read> {
  const r = await helmTemplate(major, echo, ['-f', file]);
  if (!r.ok) return { ok: false, error: r.stderr.trim() };
  return { ok: true, values: JSON.parse(Buffer.from(/json: (\S+)/.exec(r.stdout)![1], 'base64').toString('utf8')) };
}

function ourRead(file: string, bytes: Buffer): Read {
  try {
    return { ok: true, values: userValues({ stdout: () => {}, stderr: () => {}, readFile: () => '', readBytes: () => bytes }, { values: [file] }) };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ok: false, error: e.message };
  }
}

const sorted = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(sorted) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sorted(x)])) : v;

/** Files `fromYaml` cannot stand for: Helm 4 splits `-f` files at `---` lines; UTF-16 goes through its splitter too. */
const needsFileRead = (b: Buffer) => /^(---|\.\.\.|%)/m.test(b.toString('latin1')) || (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff);

describe('the CLI reads mutated values files as Helm 3 and Helm 4 do', () => {
  it.each(CHARTS)('%s: 500 byte-level mutations of values.yaml, the same accept/refuse and values', async (chart) => {
    const rnd = prng(0x5eed ^ CHARTS.indexOf(chart));
    const base = baseOf(chart);
    const files = Array.from({ length: MUTATIONS }, () => mutate(base, rnd));
    const dir = batchChart(files);
    const echo = echoChart();
    const [h3, h4] = await Promise.all(HELM_MAJORS.map((m) => batchRead(m, dir)));
    const helm: Record<HelmMajor, Map<number, Read>> = { 3: h3, 4: h4 };
    const disagreements: string[] = [];
    let refused = 0;
    for (let i = 0; i < files.length; i++) {
      const name = join(dir, 'm', `${String(i).padStart(4, '0')}.yaml`);
      const ours = ourRead(name, files[i]);
      if (!ours.ok) {
        refused++;
        expect(ours.error.split('\n'), ours.error).toHaveLength(1);
        expect(ours.error.startsWith(`${name}: `), ours.error).toBe(true);
      }
      const direct = needsFileRead(files[i]) || i % Math.floor(MUTATIONS / SAMPLE) === 0;
      for (const major of HELM_MAJORS) {
        const batched = helm[major].get(i)!;
        const theirs = direct ? await fileRead(major, echo, name) : batched;
        // Batching is only a shortcut: where both read the file, they agree.
        if (direct && !needsFileRead(files[i])) expect(theirs.ok, `${name}: fromYaml vs -f, Helm ${major}`).toBe(batched.ok);
        // Helm 3 reads only the first document of a file; the CLI follows Helm 4 (docs/security.md).
        if (major === 3 && needsFileRead(files[i])) continue;
        const same = theirs.ok === ours.ok && (!theirs.ok || JSON.stringify(sorted(theirs.values)) === JSON.stringify(sorted((ours as { values: unknown }).values)));
        if (!same) disagreements.push(`${name} (Helm ${major}): Helm ${theirs.ok ? 'accepts' : `refuses (${theirs.error})`}, the CLI ${ours.ok ? 'accepts' : `refuses (${ours.error})`}`);
      }
    }
    expect(disagreements).toEqual([]);
    // The mutations exercise both sides: some files are refused, most are not.
    expect(refused).toBeGreaterThan(MUTATIONS / 20);
    expect(refused).toBeLessThan(MUTATIONS);
  }, 600_000); // about 5 s of CPU; the wall time is the machine's
});
