'use strict';
// Reference 1.10: destroy(), destroy(err), destroy twice, on connected and
// never-connected sockets.
const {net, st, L, port, trace} = require('../h');

function connected(name, fn, done) {
  const srv = net.createServer((c) => {
    c.on('error', () => {});
    c.on('close', () => srv.close());
  });
  srv.listen(0, '127.0.0.1', () => {
    port(srv.address().port);
    const s = net.connect(srv.address().port, '127.0.0.1');
    s.on('connect', () => {
      trace(s, name, ['data', 'end', 'finish', 'error', 'close']);
      s.on('close', () => setImmediate(done));
      fn(s);
      L(name, 'after destroy', st(s), {bufferSize: s.bufferSize, errored: s.errored});
      setImmediate(() => L(name, 'immediate'));
    });
  });
}

function fresh(name, fn, done) {
  const s = new net.Socket();
  trace(s, name, ['error', 'close']);
  s.on('close', () => setImmediate(done));
  fn(s);
  L(name, 'after destroy', st(s), {bufferSize: s.bufferSize});
}

const e1 = new Error('first');
const e2 = new Error('second');
const steps = [
  (done) => connected('plain', (s) => L('plain', 'returns self', s.destroy() === s), done),
  (done) => connected('witherr', (s) => L('witherr', 'returns self', s.destroy(e1) === s), done),
  (done) => connected('twice', (s) => {
    L('twice', 'returns self', s.destroy(e1) === s, s.destroy(e2) === s);
  }, done),
  (done) => connected('in error', (s) => {
    s.on('error', () => s.destroy());
    s.destroy(e1);
  }, done),
  (done) => fresh('fresh', (s) => L('fresh', 'returns self', s.destroy() === s), done),
  (done) => fresh('fresh err', (s) => L('fresh err', 'returns self', s.destroy(e1) === s), done),
];
function next(i) { if (i < steps.length) steps[i](() => next(i + 1)); }
next(0);
