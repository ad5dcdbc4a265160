'use strict';
// Reference 6.1: a connected client reads even without a 'data' listener,
// which keeps the process alive until it is destroyed; timeout timers and
// a never-connected socket do not.
const {net, L} = require('../h');

const idle = new net.Socket();
idle.setTimeout(5000);

const srv = net.createServer((c) => c.unref());
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(srv.address().port, '127.0.0.1');
  s.setTimeout(5000);
  s.on('connect', () => {
    L('connect');
    setTimeout(() => {
      L('still alive, destroying');
      s.destroy();
    }, 100).unref();
  });
  s.on('close', (...a) => L('close', a));
});
srv.unref();
