'use strict';
// Reference 1.6: close() before 'listening' was emitted: neither
// 'listening' nor the listen callback ever fire; 'close' does.
const {net, sst, L, traceServer} = require('../h');

const a = net.createServer();
traceServer(a, 'host');
a.listen(0, '127.0.0.1', () => L('host listen cb'));
a.close((...x) => L('host close cb', x, sst(a)));
L('host after close', sst(a));

const b = net.createServer();
traceServer(b, 'nohost');
b.listen(0, () => L('nohost listen cb'));
b.close((...x) => L('nohost close cb', x, sst(b)));
L('nohost after close', sst(b));
