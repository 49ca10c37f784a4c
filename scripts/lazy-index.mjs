/**
 * lib/index.js, the library's entry, loads each module it re-exports when one of that module's
 * exports is first read, not when the package is required (npm run build, after tsc): an app that
 * uses the control plane does not load multicluster's, jaeger's or the CLI check's modules and
 * their values schemas, and `require('cdk8s-linkerd')` costs about what `require('cdk8s')` does
 * (docs/performance.md).
 *
 * tsc writes each `export { A } from './a'` as `var a_1 = require("./a");` and a getter
 * `get: function () { return a_1.A; }`. Each such `require` becomes a module object that requires
 * `./a` on its first property read; the getters stay as tsc wrote them, the shape Node's CommonJS
 * export detection reads (`import { A } from 'cdk8s-linkerd'` in an ES module). `export *` stays
 * eager: its names are only known once the module is loaded.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const INDEX = join(dirname(fileURLToPath(import.meta.url)), '..', 'lib', 'index.js');
const REEXPORT = /^var (\w+_\d+) = require\("(\.[^"]+)"\);$/gm;
const HELPER = `/** A module required on the first read of one of its exports (scripts/lazy-index.mjs). */
function __lazy(load) {
    var m;
    return new Proxy({}, { get: function (_, key) { return (m || (m = load()))[key]; } });
}`;

const text = readFileSync(INDEX, 'utf8');
if (text.includes('function __lazy(')) process.exit(0);
let count = 0;
const lazy = text.replace(REEXPORT, (_, name, path) => {
  count += 1;
  return `var ${name} = __lazy(function () { return require(${JSON.stringify(path)}); });`;
});
if (count === 0) throw new Error(`${INDEX}: no re-export of tsc's shape (var x_1 = require("./x");) found`);
// After tsc's prologue ("use strict" and its helpers), before the first statement that uses them.
const at = lazy.indexOf('Object.defineProperty(exports, "__esModule"');
if (at < 0) throw new Error(`${INDEX}: tsc's __esModule marker not found`);
writeFileSync(INDEX, `${lazy.slice(0, at)}${HELPER}\n${lazy.slice(at)}`);
