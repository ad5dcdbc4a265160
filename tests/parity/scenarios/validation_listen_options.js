'use strict';
// Reference 5.3, 5.1: listen() argument errors, thrown synchronously.
const {net, L} = require('../h');

function attempt(label, fn) {
  const srv = net.createServer();
  try {
    L(label, 'ok', fn(srv) === srv);
    srv.close();
  } catch (e) {
    L(label, 'throws', e, srv.listening);
  }
}

attempt('listen({})', (s) => s.listen({}));
attempt("listen({host: 'localhost'})", (s) => s.listen({host: 'localhost'}));
attempt('listen({exclusive: true})', (s) => s.listen({exclusive: true}));
attempt('listen({fd: -1})', (s) => s.listen({fd: -1}));
attempt('listen({port: true})', (s) => s.listen({port: true}));
attempt('listen(true)', (s) => s.listen(true));
attempt('listen(false)', (s) => s.listen(false));
attempt('listen({path: -1})', (s) => s.listen({path: -1}));
attempt('listen({host: {port: 3000}})', (s) => s.listen({host: {port: 3000}}));
attempt('abstract path with readableAll', (s) => s.listen({path: '\0abs', readableAll: true}));
attempt("listen(4294967295, '0.0.0.0')", (s) => s.listen(4294967295, '0.0.0.0'));
attempt('listen({port: -1, path})', (s) => s.listen({port: -1, path: '/tmp/nodenet-parity-never.sock'}));
attempt('listen(0, 511)', (s) => s.listen(0, 511));
attempt("listen(0, '127.0.0.1', 5)", (s) => s.listen(0, '127.0.0.1', 5));
