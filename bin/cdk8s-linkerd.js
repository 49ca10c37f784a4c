#!/usr/bin/env node
'use strict';
// In a source checkout (src/ and tsx present) runs the TypeScript sources, so the command is
// never staler than the code; in the published package runs the build in lib/.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'src', 'cli', 'main.ts');
let cli;
if (existsSync(source)) {
  require('tsx/cjs');
  cli = require(source);
} else {
  cli = require(join(__dirname, '..', 'lib', 'cli', 'main.js'));
}
cli.run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
