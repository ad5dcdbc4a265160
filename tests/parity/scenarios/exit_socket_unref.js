'use strict';
// Reference 6.1: socket.unref() before connecting is applied once connected:
// the connect attempt itself keeps the process alive, the socket does not.
const {net, L} = require('../h');

const srv = net.createServer((c) => c.unref());
srv.listen(0, '127.0.0.1', () => {
  const s = new net.Socket();
  L('unref returns self', s.unref() === s);
  s.connect(srv.address().port, '127.0.0.1');
  s.on('connect', () => L('connect', s.readyState));
});
srv.unref();
