'use strict';
// Reference 1.6, 2.5, 6.3, 6.4: listen() forms, the state right after the
// call, in 'listening', after close() and in 'close' (address() forms).
const fs = require('fs');
const os = require('os');
const path = require('path');
const {net, sst, L, port, subst} = require('../h');

const sockPath = subst(path.join(os.tmpdir(), `nodenet-parity-addr-${process.pid}.sock`), 'PATH');
const forms = [
  ["listen(0, '127.0.0.1')", (s, cb) => s.listen(0, '127.0.0.1', cb)],
  ["listen(0, '0.0.0.0')", (s, cb) => s.listen(0, '0.0.0.0', cb)],
  ["listen(0, '::1')", (s, cb) => s.listen(0, '::1', cb)],
  ["listen(0, 'localhost')", (s, cb) => s.listen(0, 'localhost', cb)],
  ['listen(0)', (s, cb) => s.listen(0, cb)],
  ['listen(cb)', (s, cb) => s.listen(cb)],
  ['listen(null)', (s, cb) => s.listen(null, cb)],
  ["listen('0')", (s, cb) => s.listen('0', cb)],
  ['listen({port: 0})', (s, cb) => s.listen({port: 0}, cb)],
  ["listen({port: 0, host: '127.0.0.1', backlog: 5})", (s, cb) => s.listen({port: 0, host: '127.0.0.1', backlog: 5}, cb)],
  ['listen(path)', (s, cb) => s.listen(sockPath, cb)],
  ['listen({path})', (s, cb) => s.listen({path: sockPath}, cb)],
];

function reg(label, a) {
  if (a && typeof a === 'object' && a.port) port(a.port);
}

function next(i) {
  if (i === forms.length) return;
  const [label, form] = forms[i];
  const srv = net.createServer();
  L(label, 'fresh', sst(srv));
  const ret = form(srv, (...a) => {
    reg(label, srv.address());
    L(label, 'listening', a, sst(srv));
    if (typeof srv.address() === 'string') L(label, 'socket file exists', fs.existsSync(sockPath));
    L(label, 'close returns self', srv.close((...b) => {
      L(label, 'close cb', b, sst(srv));
      if (typeof srv.address() === 'string') L(label, 'socket file exists', fs.existsSync(sockPath));
      next(i + 1);
    }) === srv);
    L(label, 'after close', sst(srv));
  });
  reg(label, srv.address());
  L(label, 'returns self', ret === srv);
  L(label, 'sync', sst(srv));
}
next(0);
