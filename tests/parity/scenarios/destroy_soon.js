'use strict';
// Reference 1.10: destroySoon() returns undefined, ends the socket and
// destroys it once finished: 'finish' -> 'close'(false), no 'end' needed.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  trace(c, '@srv', ['data', 'end', 'close']);
});
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(port(srv.address().port), '127.0.0.1', () => {
    s.write('bye');
    L('destroySoon returns', s.destroySoon());
    L('after destroySoon', st(s));
  });
  trace(s, 'c', ['end', 'finish', 'close']);
  s.on('close', () => srv.close());
});
