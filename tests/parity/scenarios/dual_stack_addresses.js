'use strict';
// Reference 2.4: addresses of both ends: a dual-stack server sees IPv4
// clients as ::ffff:a.b.c.d; IPv4 and ::1 servers see plain addresses;
// unix sockets and unconnected sockets have none.
const os = require('os');
const path = require('path');
const {net, L, port, subst} = require('../h');

const info = (s) => ({remoteAddress: s.remoteAddress, remotePort: s.remotePort, remoteFamily: s.remoteFamily,
  localAddress: s.localAddress, localPort: s.localPort, localFamily: s.localFamily, address: s.address()});
const sockPath = subst(path.join(os.tmpdir(), `nodenet-parity-dual-${process.pid}.sock`), 'PATH');

const fresh = new net.Socket();
L('fresh', info(fresh));
fresh.destroy();

const cases = [
  ['dual', (srv, cb) => srv.listen(0, cb), '127.0.0.1'],
  ['ipv4', (srv, cb) => srv.listen(0, '127.0.0.1', cb), '127.0.0.1'],
  ['any4', (srv, cb) => srv.listen(0, '0.0.0.0', cb), '127.0.0.1'],
  ['ipv6', (srv, cb) => srv.listen(0, '::1', cb), '::1'],
  ['unix', (srv, cb) => srv.listen(sockPath, cb), null],
];
function next(i) {
  if (i === cases.length) return;
  const [label, listen, host] = cases[i];
  let pending = 2;
  const done = () => { if (--pending === 0) srv.close(() => next(i + 1)); };
  const srv = net.createServer((c) => {
    L('@' + label + ' server side', info(c));
    c.on('close', done);
    c.end();
  });
  listen(srv, () => {
    const s = host ? net.connect(port(srv.address().port, 'PORT-' + label), host) : net.connect(sockPath);
    s.on('connect', () => {
      if (s.localPort) port(s.localPort, 'CPORT-' + label);
      L('@' + label + ' client side', info(s));
    });
    s.on('close', done);
  });
}
next(0);
