'use strict';
// Reference 1.19, 2.3, 3.1: writes while connecting are queued and counted
// (bufferSize, writableLength, bytesWritten); reaching the high-water mark
// returns false; everything is flushed at 'connect'.
const {net, L, port} = require('../h');

let total = 0;
const srv = net.createServer((c) => {
  c.on('data', (d) => { total += d.length; });
  c.on('end', () => { L('@srv', 'peer received', total); srv.close(); });
});
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(port(srv.address().port), '127.0.0.1');
  const show = (label, r) => L(label, r, {bufferSize: s.bufferSize, writableLength: s.writableLength,
    bytesWritten: s.bytesWritten, writableNeedDrain: s.writableNeedDrain});
  show('before writes', undefined);
  show('write abc', s.write('abc', (...a) => L('@cb', 'cb 1', a)));
  show('write 16381', s.write(Buffer.alloc(16381, 0x61), (...a) => L('@cb', 'cb 2', a)));
  show('write x', s.write('x', (...a) => L('@cb', 'cb 3', a)));
  s.on('drain', () => L('@drain', 'drain', s.writableLength));
  s.on('connect', () => {
    L('connect');
    setImmediate(() => {
      show('after connect', undefined);
      s.end();
    });
  });
  s.on('close', () => L('close', s.bytesWritten));
});
