'use strict';
// Reference 1.8: the peer ends; allowHalfOpen true: the socket stays open
// for writing after 'end' until its own end().
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  // the peer's data is logged whole at 'end' (how it is split is not compared)
  trace(c, '@srv', ['end', 'finish', 'error', 'close']);
  const parts = [];
  c.on('data', (d) => parts.push(d));
  c.on('end', () => L('@srv', 'received', Buffer.concat(parts)));
  c.end('from-server');
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect({port: p, host: '127.0.0.1', allowHalfOpen: true});
  L('allowHalfOpen', s.allowHalfOpen);
  trace(s, 'c');
  s.on('end', () => {
    L('write in end', s.write('late-1', (...a) => L('write cb 1', a, st(s))));
    setTimeout(() => {
      L('later', st(s));
      L('write later', s.write('late-2', (...a) => L('write cb 2', a, st(s))));
      L('end returns self', s.end() === s);
      L('after end', st(s));
    }, 30);
  });
  s.on('close', () => {
    L('counters', s.bytesRead, s.bytesWritten);
    srv.close();
  });
});
