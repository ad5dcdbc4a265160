'use strict';
// Reference 5.1: port validation in connect() and listen(), thrown
// synchronously (accepted connects are destroyed at once; accepted listens
// use only port 0 and are closed at once).
const {net, L} = require('../h');

function connectOpts(v) {
  const s = net.connect({port: v, host: '127.0.0.1'});
  s.on('error', () => {});
  s.destroy();
  return 'accepted';
}
function connectPos(v) {
  const s = net.connect(v, '127.0.0.1');
  s.on('error', () => {});
  s.destroy();
  return 'accepted';
}
function listenOpts(v) {
  const srv = net.createServer();
  srv.listen({port: v, host: '127.0.0.1'});
  srv.close();
  return 'accepted';
}
function listenPos(v) {
  const srv = net.createServer();
  srv.listen(v);
  srv.close();
  return 'accepted';
}
const forms = {connectOpts, connectPos, listenOpts, listenPos};

const all = ['connectOpts', 'connectPos', 'listenOpts', 'listenPos'];
const cases = [
  ['-1', -1, all],
  ['65536', 65536, all],
  ['NaN', NaN, all],
  ['Infinity', Infinity, all],
  ['-Infinity', -Infinity, all],
  ['1.5', 1.5, all],
  ['2**32', 2 ** 32, all],
  ["''", '', all],
  ["' '", ' ', all],
  ["'abc'", 'abc', ['connectOpts', 'listenOpts']],
  ["'0x'", '0x', ['connectOpts', 'listenOpts']],
  ["'-0x1'", '-0x1', ['connectOpts', 'listenOpts']],
  ["'1e3'", '1e3', ['connectOpts', 'connectPos']],
  ["'0x10'", '0x10', ['connectOpts', 'connectPos']],
  ["' 80 '", ' 80 ', ['connectOpts', 'connectPos']],
  ["'80.0'", '80.0', ['connectOpts', 'connectPos']],
  ['0', 0, all],
  ['-0', -0, all],
  ["'0'", '0', all],
  ['65535', 65535, ['connectOpts', 'connectPos']],
  ["'65535'", '65535', ['connectOpts', 'connectPos']],
  ['true', true, all],
  ['false', false, all],
  ['null', null, all],
  ['[]', [], all],
  ['{}', {}, ['connectOpts', 'listenOpts']],
];
for (const [label, v, which] of cases) {
  for (const f of which) {
    try {
      L(label, f, 'ok', forms[f](v));
    } catch (e) {
      L(label, f, 'throws', e);
    }
  }
}
// connect() that throws leaves the socket connecting (Node creates the
// handle first); destroy() then closes it.
const s = new net.Socket();
s.on('close', (...a) => L('thrown-connect socket close', a));
try {
  s.connect({port: -1, host: '127.0.0.1'});
} catch (e) {
  L('socket.connect throws', e.code);
}
L('after throw', s.readyState, s.connecting);
s.destroy();
