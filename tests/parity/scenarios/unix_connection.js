'use strict';
// Reference 6.4, 1.7: a unix-socket connection: no lookup, the usual
// event sequence, byte counters, and the server's socket file.
const os = require('os');
const path = require('path');
const {net, L, subst, trace} = require('../h');

const sockPath = subst(path.join(os.tmpdir(), `nodenet-parity-unix-${process.pid}.sock`), 'PATH');
const srv = net.createServer((c) => {
  c.on('data', (d) => L('@srv', 'data', d));
  c.on('end', () => c.end('pong'));
  c.on('close', () => L('@srv', 'close', c.bytesRead, c.bytesWritten));
});
srv.listen(sockPath, () => {
  const s = net.connect(sockPath);
  trace(s, 'c', ['lookup', 'connect', 'ready', 'data', 'end', 'finish', 'close']);
  s.on('connect', () => s.end('ping'));
  s.on('close', () => {
    L('counters', s.bytesRead, s.bytesWritten);
    srv.close(() => L('server closed', srv.address()));
  });
});
