'use strict';
// Reference 5.2, 5.4: connect() and createServer() argument errors, thrown
// synchronously; the accepted ones are destroyed at once.
const {net, L} = require('../h');

function attempt(label, fn) {
  try {
    const s = fn();
    if (s instanceof net.Socket) {
      s.on('error', () => {});
      s.destroy();
      L(label, 'ok');
    } else {
      L(label, 'ok', s);
    }
  } catch (e) {
    L(label, 'throws', e);
  }
}

attempt('connect()', () => net.connect());
attempt('connect({})', () => net.connect({}));
attempt('new Socket().connect()', () => new net.Socket().connect());
attempt('new Socket().connect({})', () => new net.Socket().connect({}));
attempt("localAddress 'notanip'", () => net.connect({port: 80, host: '127.0.0.1', localAddress: 'notanip'}));
attempt("localPort 'x'", () => net.connect({port: 80, host: '127.0.0.1', localPort: 'x'}));
attempt("lookup 'notfn'", () => net.connect({port: 80, host: 'localhost', lookup: 'notfn'}));
attempt('hints 12345', () => net.connect({port: 80, host: 'localhost', hints: 12345}));
attempt('path 42', () => net.connect({path: 42}));
attempt('host 42', () => net.connect({port: 80, host: 42}));
attempt("autoSelectFamily 'yes'", () => net.connect({port: 80, host: '127.0.0.1', autoSelectFamily: 'yes'}));
attempt('timeout -1', () => net.connect({port: 80, host: '127.0.0.1', timeout: -1}));
attempt('new Socket({objectMode: true})', () => new net.Socket({objectMode: true}));
attempt('connect objectMode', () => net.connect({port: 80, host: '127.0.0.1', objectMode: true}));
attempt('family 5 with an IP', () => net.connect({port: 1, host: '127.0.0.1', family: 5}));
attempt("host ''", () => net.connect({port: 1, host: ''}));
attempt("createServer('str')", () => net.createServer('str') instanceof net.Server);
attempt('createServer(42)', () => net.createServer(42) instanceof net.Server);
attempt('createServer(true)', () => net.createServer(true) instanceof net.Server);
attempt('createServer(null)', () => net.createServer(null) instanceof net.Server);
attempt('getConnections()', () => net.createServer().getConnections());
