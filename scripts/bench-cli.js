#!/usr/bin/env node
'use strict';
// `cdk8s-linkerd` as the published package runs it (lib/, built by `npm run build`), for npm run bench.
require('../lib/cli/main.js')
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
