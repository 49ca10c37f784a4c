#!/usr/bin/env node
'use strict';
// In a source checkout (src/ and tsx present) runs the TypeScript sources, so the command is
// never staler than the code; in the published package runs the build in lib/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'src', 'cli', 'main.ts');

async function load() {
  if (!existsSync(source)) return require(join(__dirname, '..', 'lib', 'cli', 'main.js'));
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
