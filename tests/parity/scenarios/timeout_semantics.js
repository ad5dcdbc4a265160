'use strict';
// Reference 1.11: 'timeout' is one-shot, re-armed by reads and writes,
// never closes the socket; setTimeout(0) disables it and setTimeout(0, cb)
// removes cb.
const {net, st, L, port, trace} = require('../h');

let peer = null;
const srv = net.createServer((c) => {
  peer = c;
  c.resume();
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  trace(s, 'c', ['data', 'timeout', 'end', 'close']);
  s.on('connect', () => {
    L('timeout before', s.timeout);
    L('setTimeout returns self', s.setTimeout(400, (...a) => L('timeout cb', a)) === s);
    L('timeout after', s.timeout, s.listenerCount('timeout'));
    const at = (ms, fn) => setTimeout(fn, ms);
    at(200, () => peer.write('a'));
    at(400, () => peer.write('b'));
    at(660, () => L('660: no timeout yet'));
    at(1100, () => L('1100: one-shot, none since'));
    at(1200, () => L('write', s.write('x')));
    at(1800, () => {
      L('setTimeout(0) returns self', s.setTimeout(0) === s);
      L('timeout now', s.timeout, s.listenerCount('timeout'));
    });
    at(1900, () => L('write', s.write('y')));
    at(2400, () => {
      L('2400: disabled, none since');
      const cb = () => L('never');
      s.setTimeout(100, cb);
      L('listeners with cb', s.listenerCount('timeout'));
      s.setTimeout(0, cb);
      L('listeners after setTimeout(0, cb)', s.listenerCount('timeout'), s.timeout);
      s.destroy();
      L('after destroy returns self', s.setTimeout(10) === s, s.timeout);
      srv.close();
    });
  });
});
