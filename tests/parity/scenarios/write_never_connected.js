'use strict';
// Reference 1.15: write() on a socket that never connected:
// cb(ERR_SOCKET_CLOSED) -> 'error' -> 'close' (no argument in Node).
const {net, st, L, trace} = require('../h');

const s = new net.Socket();
trace(s, 's');
L('write', s.write('x', (...a) => L('write cb', a, st(s))));
L('after write', st(s));
L('second write', s.write('y', (...a) => L('write cb 2', a)));
