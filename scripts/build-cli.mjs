/**
 * The command as the package runs it (npm run build, after tsc), bundled by esbuild:
 * - lib/cdk8s-linkerd.js, from src/cli/start.ts: a few kilobytes, which answer `--version`;
 * - lib/cdk8s-linkerd-commands.js, from src/cli/main.ts: every command, our sources and their
 *   dependencies in one file, loaded by the first for any other command;
 * - lib/cdk8s-linkerd-kube.js: @kubernetes/client-node, loaded by the commands that talk to a cluster.
 * bin/cdk8s-linkerd.js runs them when present: Node then reads and compiles one file instead of
 * some 450 modules (docs/performance.md).
 *
 * - cdk8s and constructs (the package's peers) are bundled too, at the versions this repository
 *   builds with: the command renders the same bytes on every supported peer (the packed-install
 *   test), and a copy in the bundle saves reading some 200 of their files at every start. The
 *   library (lib/index.js) still uses the app's own. cdk8s-plus is not used by the command.
 * - Every source module keeps its own `__dirname` (the folder it has in lib/), so files found
 *   from it (validators/, vendor/gateway-api/, examples/) are found from the bundle too.
 * - Node's built-in modules are required as `node:…`, which no package can shadow.
 * - One copy of `yaml` (cdk8s's own is the same release); `node:crypto` and `node:child_process`
 *   required by cdk8s and constructs only when they first call them (oneYaml, lazyBuiltins below).
 * - The data the build computed from the code (lib/prebuilt/, src/prebuild.ts) is read from
 *   there, as lib/ reads it.
 * - Whitespace and syntax are minified (a third less to read and compile at every start);
 *   names are not, so every class and function keeps its name.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const src = join(root, 'src');
const lib = join(root, 'lib');
const ENTRY = join(lib, 'cdk8s-linkerd.js');
const COMMANDS = join(lib, 'cdk8s-linkerd-commands.js');
const KUBE = join(lib, 'cdk8s-linkerd-kube.js');

/** `__dirname` in a source file, as the folder its build has in lib/ (where the bundles are). */
const ownDirname = {
  name: 'own-dirname',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!args.path.startsWith(src) || !/\b__dirname\b/.test(text)) return undefined;
      const there = relative(src, dirname(args.path));
      return { contents: text.replace(/\b__dirname\b/g, `require('node:path').join(__dirname, ${JSON.stringify(there)})`), loader: 'ts' };
    });
  },
};

const builtins = {
  name: 'node-builtins',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (isBuiltin(args.path) ? { path: args.path.startsWith('node:') ? args.path : `node:${args.path}`, external: true } : undefined));
  },
};

/** The entry's require of main.ts is the commands bundle. */
const commandsBundle = {
  name: 'commands-bundle',
  setup(b) {
    b.onResolve({ filter: /^\.\/main$/ }, (args) => (args.importer === join(src, 'cli', 'start.ts') ? { path: `./${relative(lib, COMMANDS)}`, external: true } : undefined));
  },
};

/**
 * @kubernetes/client-node (two thirds of the commands' code, for the commands that talk to a
 * cluster: `check --kubeconfig`, `diff`, `upgrade-plan`) is a bundle of its own, which the
 * commands bundle requires where the sources import it (with `import()`, when such a command runs):
 * every other command reads and compiles a third of the code.
 */
const kubeBundle = {
  name: 'kube-bundle',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, (args) => (args.importer.startsWith(src) ? { path: `./${relative(lib, KUBE)}`, external: true } : undefined));
  },
};

/**
 * ws (under @kubernetes/client-node, for the day-2 commands) tries two optional native add-ons in a
 * try/catch and falls back to JavaScript without them: in the bundle they are a module that
 * throws, so the package requires nothing it does not declare.
 */
const optionalAddons = {
  name: 'optional-addons',
  setup(b) {
    b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: 'optional-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-addon' }, (args) => ({ contents: `throw new Error(${JSON.stringify(`${args.path} is not bundled`)});`, loader: 'js' }));
  },
};

/**
 * cdk8s ships its own copy of `yaml` (node_modules/cdk8s/node_modules/yaml); when it is the same
 * release as the package's own, the bundle holds one copy: a second would only be read and
 * compiled again at every start. Another release stays cdk8s's own.
 */
const oneYaml = {
  name: 'one-yaml',
  setup(b) {
    const version = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    const ours = join(root, 'node_modules', 'yaml');
    const theirs = join(root, 'node_modules', 'cdk8s', 'node_modules', 'yaml');
    if (!existsSync(theirs) || version(theirs) !== version(ours)) return;
    b.onResolve({ filter: /^yaml$/ }, (args) => (args.importer.startsWith(join(root, 'node_modules', 'cdk8s') + sep) ? { path: require.resolve('yaml', { paths: [root] }) } : undefined));
  },
};

/**
 * cdk8s and constructs require `crypto` and `child_process` when they load, for what they do only
 * when asked: a hash for an object without a name or a construct's address, `Yaml.load` of a URL,
 * the `Helm` construct. In the bundle each is a module of functions that require the built-in
 * (some 10 ms of Node's own modules to compile, each) when one of them is first called. The
 * functions are the ones cdk8s and constructs call; the build fails when they call another.
 */
const LAZY_BUILTINS = { crypto: ['createHash'], child_process: ['execFileSync', 'spawnSync'] };
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const deps = [join(root, 'node_modules', 'cdk8s') + sep, join(root, 'node_modules', 'constructs') + sep];
    const uses = (name) =>
      deps.flatMap((d) => readdirSync(join(d, 'lib'), { recursive: true }).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(d, 'lib', f), 'utf8')))
        .flatMap((text) => [...text.matchAll(new RegExp(`\\b(?:${name}|${name}_1)\\.([A-Za-z]+)`, 'g'))].map((m) => m[1]));
    for (const [name, functions] of Object.entries(LAZY_BUILTINS)) {
      const other = uses(name).filter((f) => !functions.includes(f));
      if (other.length) throw new Error(`cdk8s or constructs call ${name}.${other[0]}: add it to LAZY_BUILTINS in scripts/build-cli.mjs`);
    }
    const filter = new RegExp(`^(node:)?(${Object.keys(LAZY_BUILTINS).join('|')})$`);
    b.onResolve({ filter }, (args) => (deps.some((d) => args.importer.startsWith(d)) ? { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `module.exports = { ${LAZY_BUILTINS[args.path].map((f) => `${f}: (...args) => require('node:${args.path}').${f}(...args)`).join(', ')} };`,
      loader: 'js',
    }));
  },
};

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node22', external: ['cdk8s-plus-*'], legalComments: 'eof', logLevel: 'warning', minifyWhitespace: true, minifySyntax: true };
await build({ ...common, entryPoints: [join(src, 'cli', 'main.ts')], outfile: COMMANDS, plugins: [ownDirname, oneYaml, lazyBuiltins, builtins, kubeBundle] });
await build({ ...common, stdin: { contents: "export * from '@kubernetes/client-node';", resolveDir: root, loader: 'js' }, outfile: KUBE, plugins: [builtins, optionalAddons] });
await build({ ...common, entryPoints: [join(src, 'cli', 'start.ts')], outfile: ENTRY, plugins: [commandsBundle, ownDirname, builtins] });
