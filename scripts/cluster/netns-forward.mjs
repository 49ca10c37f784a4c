/**
 * Runs a program in a network namespace of its own that sees chosen loopback ports of the host,
 * for a program that listens on every interface (Argo CD's application controller serves its
 * metrics on 0.0.0.0, with no flag to change it): in its namespace "every interface" is one
 * loopback device, so nothing it opens is reachable from outside, not even from the host.
 *
 *   node netns-forward.mjs host  DIR PORT...            # host side: DIR/PORT.sock -> 127.0.0.1:PORT
 *   unshare --net sh -c 'ip link set lo up && exec node netns-forward.mjs inside DIR PORT... -- PROGRAM ARGS...'
 *                                                        # inside: 127.0.0.1:PORT -> DIR/PORT.sock, then runs PROGRAM
 *
 * Unix sockets are files, so the two sides meet through DIR whatever their network namespaces.
 * The inside side stops PROGRAM when it is stopped (SIGTERM or SIGINT) and exits with it.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

const [mode, dir, ...rest] = process.argv.slice(2);
const sep = rest.indexOf('--');
const ports = (sep === -1 ? rest : rest.slice(0, sep)).map(Number);
const program = sep === -1 ? [] : rest.slice(sep + 1);
if (!['host', 'inside'].includes(mode) || !dir || ports.length === 0 || ports.some((p) => !Number.isInteger(p)) || (mode === 'inside' && program.length === 0)) {
  console.error('usage: netns-forward.mjs host DIR PORT... | inside DIR PORT... -- PROGRAM ARGS...');
  process.exit(2);
}

/** Pipes each connection accepted by `server` to a new connection made by `dial`. */
function forward(server, dial) {
  server.on('connection', (a) => {
    const b = dial();
    a.pipe(b).pipe(a);
    const close = () => (a.destroy(), b.destroy());
    a.on('error', close);
    b.on('error', close);
    a.on('close', close);
    b.on('close', close);
  });
  return server;
}

const sock = (port) => join(dir, `${port}.sock`);
for (const port of ports) {
  if (mode === 'host') {
    rmSync(sock(port), { force: true });
    forward(createServer(), () => createConnection({ host: '127.0.0.1', port })).listen(sock(port));
  } else {
    forward(createServer(), () => createConnection({ path: sock(port) })).listen(port, '127.0.0.1');
  }
}

if (mode === 'inside') {
  const child = spawn(program[0], program.slice(1), { stdio: 'inherit' });
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
}
