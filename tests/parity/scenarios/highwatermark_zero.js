'use strict';
// A highWaterMark of 0 is a limit, not "the default": the properties say 0,
// and a write the kernel takes at once still returns true, with no 'drain'.
const {net, L, trace} = require('../h');

const srv = net.createServer({highWaterMark: 0}, (c) => {
  L('server hwm', c.readableHighWaterMark, c.writableHighWaterMark);
  c.on('drain', () => L('server drain'));
  let got = 0;
  c.on('data', (d) => {
    if (got === 0) L('server write', c.write('x'), c.writableLength, c.writableNeedDrain);
    got += d.length;
  });
  c.on('end', () => { L('server got', got); c.end(); });
});
srv.listen(0, '127.0.0.1', () => {
  const s = new net.Socket({highWaterMark: 0});
  L('client hwm', s.readableHighWaterMark, s.writableHighWaterMark);
  trace(s, 'c', ['drain', 'end', 'finish', 'close']);
  s.connect(srv.address().port, '127.0.0.1', () => {
    L('client write', s.write('hello'), s.writableLength, s.writableNeedDrain);
  });
  s.on('data', (d) => { L('client data', d.length); s.end(); });
  s.on('close', () => srv.close());
});
