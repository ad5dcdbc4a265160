'use strict';
// Reference 1.13: maxConnections: a connection over the limit is dropped
// ('drop' with the addresses), the rejected client sees connect, end,
// finish, close(false); 0 means no limit.
const {net, L, port, trace} = require('../h');

const srv = net.createServer();
L('default maxConnections', srv.maxConnections);
srv.maxConnections = 1;
L('set', srv.maxConnections);
const accepted = [];
srv.on('connection', (c) => {
  c.on('error', () => {});
  accepted.push(c);
  L('connection', accepted.length);
});
srv.on('drop', (data) => L('@srv', 'drop', data, Object.keys(data)));
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const a = net.connect(p, '127.0.0.1');
  a.on('error', () => {});
  srv.once('connection', () => {
    const b = net.connect(p, '127.0.0.1');
    trace(b, '@B');
    b.on('connect', () => port(b.localPort, 'BPORT'));
    b.on('close', () => setTimeout(() => {
      srv.maxConnections = 0;
      const c = net.connect(p, '127.0.0.1');
      c.on('error', () => {});
      srv.once('connection', () => {
        srv.getConnections((err, n) => {
          L('connections', err, n);
          for (const x of accepted) x.destroy();
          a.destroy();
          c.destroy();
          srv.close();
        });
      });
    }, 50));
  });
});
