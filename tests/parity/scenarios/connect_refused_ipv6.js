'use strict';
// Reference 1.1: connecting to a closed port on ::1.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer();
srv.listen(0, '::1', () => {
  L('address', srv.address().address, srv.address().family);
  const p = port(srv.address().port);
  srv.close(() => {
    const s = net.connect({port: p, host: '::1'});
    L('sync', st(s));
    trace(s, 'c');
    setImmediate(() => L('immediate'));
  });
});
