'use strict';
// Reference 1.9, 2.1: end(data) while connecting: readyState stays
// 'opening' (writable false); after 'connect' the data and FIN go out.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  trace(c, '@srv');
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  trace(s, 'c');
  L('end returns self', s.end('early', (...a) => L('end cb', a)) === s);
  L('after end', st(s), {bufferSize: s.bufferSize, bytesWritten: s.bytesWritten, writableEnded: s.writableEnded});
  s.on('close', () => {
    L('counters', s.bytesRead, s.bytesWritten);
    srv.close();
  });
});
