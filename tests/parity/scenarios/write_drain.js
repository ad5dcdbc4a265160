'use strict';
// Reference 3.1 (loosely): writing to a peer that does not read, write()
// eventually returns false, keeps returning false, and 'drain' follows once
// the peer reads.  How much is written before false is not compared.
const {net, L, port} = require('../h');

let peer = null;
let received = 0;
const srv = net.createServer({pauseOnConnect: true}, (c) => {
  peer = c;
  c.on('data', (d) => { received += d.length; });
  c.on('end', () => { L('@srv', 'all received', received === total); srv.close(); });
});
let total = 0;
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(port(srv.address().port), '127.0.0.1', () => {
    const chunk = Buffer.alloc(65536, 0x62);
    let ok = true;
    let n = 0;
    while (ok && n < 2000) {
      ok = s.write(chunk);
      n++;
    }
    L('false came', !ok, {needDrain: s.writableNeedDrain, queued: s.writableLength > 0});
    L('next write', s.write('x'));
    s.on('drain', () => {
      L('drain', {writableLength: s.writableLength, needDrain: s.writableNeedDrain});
      total = s.bytesWritten;
      s.end();
    });
    setTimeout(() => peer.resume(), 50);
  });
});
