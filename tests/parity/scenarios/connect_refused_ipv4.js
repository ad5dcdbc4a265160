'use strict';
// Reference 1.1: connecting to a closed port on 127.0.0.1 (also port 0).
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer();
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  srv.close((...a) => {
    L('server closed', a);
    const s = net.connect(p, '127.0.0.1');
    L('sync', st(s));
    trace(s, 'c');
    setImmediate(() => L('immediate'));
    s.on('close', () => {
      const z = net.connect(0, '127.0.0.1');
      L('sync0', st(z));
      trace(z, 'z');
    });
  });
});
