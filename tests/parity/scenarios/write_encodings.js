'use strict';
// Reference 3.4, 3.1: the bytes write(string, encoding) sends (as received
// by the peer), write()'s return value, callback and bytesWritten.
const {net, L, port} = require('../h');

const cases = [
  ['utf8', (s, cb) => s.write('€é', 'utf8', cb)],
  ['utf-8', (s, cb) => s.write('€é', 'utf-8', cb)],
  ['UTF-8', (s, cb) => s.write('€é', 'UTF-8', cb)],
  ['omitted', (s, cb) => s.write('€é', cb)],
  ['null', (s, cb) => s.write('€é', null, cb)],
  ['empty name', (s, cb) => s.write('€é', '', cb)],
  ['latin1', (s, cb) => s.write('€é', 'latin1', cb)],
  ['binary', (s, cb) => s.write('€é', 'binary', cb)],
  ['ascii', (s, cb) => s.write('€é', 'ascii', cb)],
  ['ucs2', (s, cb) => s.write('€é', 'ucs2', cb)],
  ['utf16le', (s, cb) => s.write('€é', 'utf16le', cb)],
  ['base64', (s, cb) => s.write('4oKs', 'base64', cb)],
  ['base64url', (s, cb) => s.write('4oKs_-', 'base64url', cb)],
  ['hex', (s, cb) => s.write('e282ac', 'hex', cb)],
  ['hex odd', (s, cb) => s.write('e28', 'hex', cb)],
  ['hex invalid', (s, cb) => s.write('zz', 'hex', cb)],
  ['empty string', (s, cb) => s.write('', cb)],
  ['Buffer', (s, cb) => s.write(Buffer.from([1, 2, 255]), cb)],
  ['Uint8Array', (s, cb) => s.write(new Uint8Array([7, 8]), cb)],
  ['empty Buffer', (s, cb) => s.write(Buffer.alloc(0), cb)],
];

const received = [];
const srv = net.createServer((c) => {
  const parts = [];
  c.on('data', (d) => parts.push(d));
  c.on('end', () => received.shift()(Buffer.concat(parts)));
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const next = (i) => {
    if (i === cases.length) { srv.close(); return; }
    const [label, write] = cases[i];
    const s = net.connect(p, '127.0.0.1', () => {
      const r = write(s, (...a) => L(label, 'cb', a));
      L(label, 'returns', r, 'bytesWritten', s.bytesWritten);
      s.end();
    });
    received.push((bytes) => {
      L(label, 'peer received', bytes);
      s.on('close', () => next(i + 1));
    });
  };
  next(0);
});
