'use strict';
// Reference 1.10, 1.16: resetAndDestroy(): 'close'(false) locally; the
// peer gets 'error' read ECONNRESET then 'close'(true), no 'end'.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  trace(c, '@peer');
  c.on('close', () => srv.close(() => {
    const f = new net.Socket();
    trace(f, 'fresh', ['error', 'close']);
    L('fresh returns self', f.resetAndDestroy() === f);
    L('fresh after', st(f));
  }));
  c.write('hello');
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  s.once('data', () => {
    trace(s, 'c', ['end', 'finish', 'error', 'close']);
    L('returns self', s.resetAndDestroy() === s);
    L('after', st(s));
  });
});
