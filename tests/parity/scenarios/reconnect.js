'use strict';
// Reference 2.1: connect() again on a closed socket re-enters 'opening',
// destroyed false, and restarts the byte counters.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  c.on('data', () => {});
  c.end('hi');
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = new net.Socket();
  trace(s, 'c', ['connect', 'end', 'close']);
  s.connect(p, '127.0.0.1', () => s.end('abc'));
  s.resume();
  s.once('close', () => {
    L('closed', st(s), s.bytesRead, s.bytesWritten);
    L('connect again returns self', s.connect(p, '127.0.0.1') === s);
    L('reconnecting', st(s), s.bytesRead, s.bytesWritten);
    s.once('connect', () => L('reconnected', s.bytesRead, s.bytesWritten));
    s.once('close', () => {
      L('closed again', s.bytesRead, s.bytesWritten);
      srv.close();
    });
  });
});
