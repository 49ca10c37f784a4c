#!/usr/bin/env node
'use strict';
// In a source checkout (src/ and tsx present) runs the TypeScript sources, so the command is
// never staler than the code; in the published package runs the build in lib/: its one-file
// bundle lib/cdk8s-linkerd.js (scripts/build-cli.mjs), else lib/cli/main.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// The Node versions we test are package.json's `engines` (the one source): on any other the
// command says so in one line and stops, before loading code that may not run there.
const engines = require(join(__dirname, '..', 'package.json')).engines.node;
function supported(version, range) {
  const v = version.split('.').map(Number);
  const atLeast = (f) => v[0] > f[0] || (v[0] === f[0] && (v[1] > f[1] || (v[1] === f[1] && v[2] >= f[2])));
  return range.split('||').some((part) => {
    const m = /^\s*(\^|>=)(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!m) return false;
    const floor = m.slice(2).map(Number);
    return atLeast(floor) && (m[1] === '>=' || v[0] === floor[0]);
  });
}
if (!supported(process.versions.node, engines)) {
  process.stderr.write(`cdk8s-linkerd: Node.js ${process.versions.node} is not supported; use Node.js ${engines}\n`);
  process.exit(1);
}

const source = join(__dirname, '..', 'src', 'cli', 'main.ts');

async function load() {
  if (!existsSync(source)) {
    // Node keeps the compiled code on disk (under the system's temporary folder, or
    // NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off): later runs skip compiling.
    require('node:module').enableCompileCache?.();
    const bundle = join(__dirname, '..', 'lib', 'cdk8s-linkerd.js');
    return require(existsSync(bundle) ? bundle : join(__dirname, '..', 'lib', 'cli', 'main.js'));
  }
  require('tsx/cjs');
  // The CLI loads some modules with import() (docs/performance.md): tsx's ESM hooks read those.
  (await import('tsx/esm/api')).register();
  return require(source);
}

load()
  .then((cli) => cli.run(process.argv.slice(2)))
  .then((code) => {
    process.exitCode = code;
  });
