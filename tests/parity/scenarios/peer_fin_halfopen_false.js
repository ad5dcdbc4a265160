'use strict';
// Reference 1.8, 2.1: the peer ends; allowHalfOpen false: 'data' -> 'end'
// (writeOnly) -> automatic end() one tick later -> 'finish' -> 'close'(false).
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  trace(c, '@srv');
  c.end('from-server');
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  trace(s, 'c');
  s.on('end', () => {
    L('in end', {writableEnded: s.writableEnded, readableEnded: s.readableEnded});
    process.nextTick(() => L('tick after end', st(s), s.writableEnded));
  });
  s.on('finish', () => L('in finish', {writableFinished: s.writableFinished}));
  s.on('close', () => {
    L('counters', s.bytesRead, s.bytesWritten);
    srv.close();
  });
});
