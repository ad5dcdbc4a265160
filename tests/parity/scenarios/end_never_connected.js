'use strict';
// Reference 1.9: end() on a socket that never connects does not throw,
// makes it 'readOnly', and no event ever follows; the process exits.
const {net, st, L, trace} = require('../h');

const s = new net.Socket();
trace(s, 's');
L('fresh', st(s));
L('end returns self', s.end() === s);
L('after end', st(s), {writableEnded: s.writableEnded, writableFinished: s.writableFinished});
setTimeout(() => L('later', st(s)), 50);
