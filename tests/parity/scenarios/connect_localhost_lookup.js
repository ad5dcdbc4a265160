'use strict';
// Reference 1.2 / 1.18: connecting by hostname emits 'lookup' first;
// net.connect(port) with no host looks up 'localhost' too.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer();
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  srv.close(() => {
    const s = net.connect({port: p, host: 'localhost'});
    L('sync', st(s));
    trace(s, 'c');
    s.on('close', () => {
      const t = net.connect(p);
      trace(t, 'nohost');
    });
  });
});
