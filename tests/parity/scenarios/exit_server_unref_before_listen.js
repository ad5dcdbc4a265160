'use strict';
// Reference 6.1: unref() before listen() is remembered; unref(), listen(),
// ref() keeps the process alive until close().
const {net, L} = require('../h');

const a = net.createServer();
L('a unref returns self', a.unref() === a);
a.listen(0, () => L('a listening'));

const b = net.createServer();
b.unref();
b.listen(0, () => L('b listening'));
L('b ref returns self', b.ref() === b);
setTimeout(() => {
  L('closing b');
  b.close(() => L('b closed'));
}, 100).unref();
