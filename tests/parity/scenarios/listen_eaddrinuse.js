'use strict';
// Reference 1.17, 1.6, 6.4: listen errors are async 'error' events, no
// 'close'; the first listen callback stays registered after the error.
const fs = require('fs');
const os = require('os');
const path = require('path');
const {net, sst, L, port, subst, traceServer} = require('../h');

const stale = subst(path.join(os.tmpdir(), `nodenet-parity-stale-${process.pid}.sock`), 'PATH');

function tcpHost(done) {
  const a = net.createServer().listen(0, '127.0.0.1', () => {
    const p = port(a.address().port);
    const b = net.createServer();
    traceServer(b, 'b');
    b.listen(p, '127.0.0.1', (...x) => L('b listen cb 1', x));
    L('b sync', sst(b));
    b.once('error', () => {
      L('b after error', sst(b));
      b.listen(0, '127.0.0.1', (...x) => {
        port(b.address().port, 'PORT2');
        L('b listen cb 2', x);
        b.close(() => a.close(done));
      });
    });
  });
}

function tcpAny(done) {
  const a = net.createServer().listen(0, () => {
    const p = port(a.address().port);
    const b = net.createServer();
    traceServer(b, 'any');
    b.listen(p);
    L('any sync', sst(b));
    b.on('error', () => setImmediate(() => a.close(done)));
  });
}

function unixStale(done) {
  fs.writeFileSync(stale, 'x');
  const b = net.createServer();
  traceServer(b, 'unix');
  b.listen(stale);
  L('unix sync', sst(b));
  b.on('error', () => setImmediate(() => {
    L('stale file still there', fs.existsSync(stale));
    fs.unlinkSync(stale);
    done();
  }));
}

tcpHost(() => tcpAny(() => unixStale(() => L('done'))));
