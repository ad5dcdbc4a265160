'use strict';
// Reference 1.8, 1.9: our own end() first: 'finish' (readOnly), then the
// peer's FIN: 'end' (closed), 'close'(false); end() callbacks get null, and
// end(cb) after 'finish' gets ERR_STREAM_ALREADY_FINISHED without 'error'.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  trace(c, '@srv');
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  trace(s, 'c');
  s.on('connect', () => {
    L('end returns self', s.end('bye', (...a) => L('end cb', a, st(s))) === s);
    L('after end', st(s), {writableEnded: s.writableEnded, writableFinished: s.writableFinished});
  });
  s.on('finish', () => {
    L('in finish', {writableEnded: s.writableEnded, writableFinished: s.writableFinished});
    s.end((...a) => L('end cb after finish', a, st(s)));
  });
  s.on('close', () => {
    L('counters', s.bytesRead, s.bytesWritten);
    srv.close();
  });
});
