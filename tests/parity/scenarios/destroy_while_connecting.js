'use strict';
// Reference 1.10: destroy() while connecting: 'close'(false), no 'error';
// pending write callbacks get ERR_SOCKET_CLOSED_BEFORE_CONNECTION after
// 'close'; the server never sees a connection.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer(() => L('server connection'));
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  trace(s, 'c');
  L('write 1', s.write('one', (...a) => L('write cb 1', a, st(s))));
  L('write 2', s.write('two', (...a) => L('write cb 2', a)));
  L('before destroy', {bufferSize: s.bufferSize, writableLength: s.writableLength, bytesWritten: s.bytesWritten});
  L('destroy returns self', s.destroy() === s);
  L('after destroy', st(s), {bufferSize: s.bufferSize});
  setTimeout(() => srv.close(), 50);
});
