'use strict';
// Reference 3.2: pause() holds data and a pending 'end'; resume() delivers
// the data, then 'end', 'finish', 'close'.
const {net, st, L, port, trace} = require('../h');

const fresh = new net.Socket();
L('fresh', fresh.isPaused(), fresh.readableFlowing);
fresh.destroy();

let peer = null;
const srv = net.createServer((c) => {
  peer = c;
  c.write('a');
});
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(port(srv.address().port), '127.0.0.1');
  trace(s, 'c', ['data', 'end', 'finish', 'close']);
  s.once('data', () => {
    L('pause returns self', s.pause() === s);
    L('paused', s.isPaused(), s.readableFlowing);
    peer.end('b');
    // wait (at most 1 s) until the 'b' has been read from the kernel
    const started = Date.now();
    const wait = () => {
      if (s.bytesRead < 2 && Date.now() - started < 1000) {
        setTimeout(wait, 10);
        return;
      }
      L('while paused', st(s), {readableLength: s.readableLength, isPaused: s.isPaused()});
      L('resume returns self', s.resume() === s);
      L('after resume', s.isPaused(), s.readableFlowing);
      process.nextTick(() => L('tick after resume'));
      setImmediate(() => L('immediate after resume'));
    };
    setTimeout(wait, 10);
  });
  s.on('close', () => srv.close());
});
