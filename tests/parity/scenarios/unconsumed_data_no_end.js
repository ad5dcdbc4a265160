'use strict';
// Reference 1.8: data nobody reads holds back 'end' (the socket stays
// open); resume() then delivers 'end', 'finish', 'close'.  A bare FIN with
// no data is reported even without a consumer.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  c.on('error', () => {});
  c.end(c.server.bare ? undefined : 'unread');
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const s = net.connect(p, '127.0.0.1');
  trace(s, 'c', ['end', 'finish', 'close']);
  // wait until the data has been read from the kernel (at most 1 s), and a
  // little longer for an 'end' that must not come
  const started = Date.now();
  const later = () => {
    if (s.bytesRead < 6 && Date.now() - started < 1000) {
      setTimeout(later, 10);
      return;
    }
    setTimeout(() => {
      L('later', st(s), {readableLength: s.readableLength, readableFlowing: s.readableFlowing, bytesRead: s.bytesRead});
      s.resume();
    }, 50);
  };
  setTimeout(later, 10);
  s.on('close', () => {
    srv.bare = true;
    const t = net.connect(p, '127.0.0.1');
    trace(t, 'bare', ['end', 'finish', 'close']);
    t.on('close', () => srv.close());
  });
});
