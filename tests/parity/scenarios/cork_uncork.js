'use strict';
// Reference 3.1: cork() queues writes (write() returns true), uncork()
// flushes them synchronously; nested corks need as many uncorks.
const {net, L, port} = require('../h');

const parts = [];
const srv = net.createServer((c) => {
  c.on('data', (d) => parts.push(d));
  c.on('end', () => { L('@srv', 'peer received', Buffer.concat(parts).toString()); srv.close(); });
});
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(port(srv.address().port), '127.0.0.1', () => {
    const show = (label, r) => L(label, r, {writableLength: s.writableLength, writableCorked: s.writableCorked,
      bytesWritten: s.bytesWritten});
    show('cork returns', s.cork());
    show('write a', s.write('a'));
    show('write bc', s.write('bc'));
    show('uncork returns', s.uncork());
    show('cork', s.cork());
    show('cork again', s.cork());
    show('write d', s.write('d'));
    show('first uncork', s.uncork());
    show('second uncork', s.uncork());
    show('extra uncork', s.uncork());
    let all = true;
    for (let i = 0; i < 100; i++) {
      s.cork();
      all = s.write('e') && all;
      all = s.write('f') && all;
      s.uncork();
    }
    show('100 cycles all true', all);
    s.end();
  });
});
