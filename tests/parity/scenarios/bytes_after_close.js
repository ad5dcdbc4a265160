'use strict';
// Reference 2.2, 2.4: bytesRead/bytesWritten keep their values after close;
// the remote address stays readable after close only if it was read while
// open; local address and address() are gone.
const {net, L, port} = require('../h');

const srv = net.createServer((c) => {
  c.on('data', () => {});
  c.on('end', () => c.end('xy'));
  c.on('close', () => L('@srv', 'server side', c.bytesRead, c.bytesWritten));
});
const info = (s) => ({remoteAddress: s.remoteAddress, remotePort: s.remotePort, remoteFamily: s.remoteFamily,
  localAddress: s.localAddress, localPort: s.localPort, localFamily: s.localFamily, address: s.address()});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const a = net.connect(p, '127.0.0.1', () => {
    port(a.localPort, 'APORT');
    L('a open', info(a));
    a.end('foobar');
    a.resume();
  });
  a.on('close', () => {
    L('a closed', a.bytesRead, a.bytesWritten, info(a));
    const b = net.connect(p, '127.0.0.1', () => b.end('z'));
    b.resume();
    b.on('close', () => {
      L('b closed, remote never read', b.bytesRead, b.bytesWritten, info(b));
      srv.close();
    });
  });
});
