'use strict';
// Reference 1.19: a refused connection with a queued write(cb1) and
// end(cb2): 'error' -> cb1(ERR_SOCKET_CLOSED_BEFORE_CONNECTION) ->
// cb2(the ECONNREFUSED error) -> 'close'(true).
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer();
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  srv.close(() => {
    const s = net.connect(p, '127.0.0.1');
    trace(s, 'c', ['finish', 'error', 'close']);
    L('write', s.write('queued', (...a) => L('write cb', a, st(s))));
    L('end returns self', s.end((...a) => L('end cb', a, st(s))) === s);
    L('after end', st(s));
  });
});
