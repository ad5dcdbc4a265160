'use strict';
// Reference 1.14: write() after our own end(): returns false, destroys at
// once; cb(err) -> 'error' -> 'close'(true), ERR_STREAM_WRITE_AFTER_END.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  c.on('error', () => {});
  c.resume();
});
let n = 0;
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  trace(s, 'c', ['end', 'finish', 'error', 'close']);
  s.on('connect', () => {
    s.end();
    L('write after end', s.write('more', (...a) => L('write cb', a, st(s))));
    L('after write', st(s));
    L('second write', s.write('again', (...a) => L('write cb 2', a)));
  });
  s.on('close', () => {
    const t = net.connect(p, '127.0.0.1');
    trace(t, 'd', ['end', 'finish', 'error', 'close']);
    t.on('connect', () => {
      t.end();
      L('end(data) after end returns self', t.end('more', (...a) => L('end cb', a)) === t);
      L('after end(data)', st(t));
    });
    t.on('close', () => { if (++n === 1) srv.close(); });
  });
});
