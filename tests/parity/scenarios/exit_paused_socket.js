'use strict';
// Reference 6.1, 3.2: a client paused before 'connect' never reads, so it
// does not keep the process alive (the server and its sockets are unref'd).
const {net, L} = require('../h');

const srv = net.createServer((c) => c.unref());
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(srv.address().port, '127.0.0.1');
  L('pause returns self', s.pause() === s);
  s.on('connect', () => L('connect', s.isPaused(), s.readyState));
});
srv.unref();
