'use strict';
// Reference 1.11: setTimeout() works on a socket that never connected.
const {net, st, L, trace} = require('../h');

const s = new net.Socket();
trace(s, 's');
L('returns self', s.setTimeout(50) === s, s.timeout);
s.on('timeout', () => {
  L('in timeout', st(s));
  setTimeout(() => s.destroy(), 10);
});
setTimeout(() => L('keepalive done'), 200);
