#!/usr/bin/env node
'use strict';
// `cdk8s-linkerd` as the published package runs it, for npm run bench: bin/cdk8s-linkerd.js
// without a source checkout's src/, so the build in lib/ (its bundle, with the compile cache).
const { join } = require('node:path');

require('node:module').enableCompileCache?.();
require(join(__dirname, '..', 'lib', process.env.CDK8S_LINKERD_BENCH_UNBUNDLED ? 'cli/main.js' : 'cdk8s-linkerd.js'))
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
