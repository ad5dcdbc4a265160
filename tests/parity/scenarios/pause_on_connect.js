'use strict';
// Reference 3.2, 2.2: pauseOnConnect: the accepted socket is paused and
// reads nothing (bytesRead 0) until resume().
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer({pauseOnConnect: true}, (c) => {
  L('accepted', st(c), {isPaused: c.isPaused(), readableFlowing: c.readableFlowing, bytesRead: c.bytesRead});
  trace(c, 's');
  setTimeout(() => {
    L('later', {bytesRead: c.bytesRead, readableLength: c.readableLength, isPaused: c.isPaused()});
    c.resume();
    L('resumed', c.isPaused(), c.readableFlowing);
  }, 100);
  c.on('close', () => L('counters', c.bytesRead, c.bytesWritten));
});
L('pauseOnConnect', srv.pauseOnConnect);
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(port(srv.address().port), '127.0.0.1');
  s.end('hello');
  s.resume();
  s.on('close', () => srv.close());
});
