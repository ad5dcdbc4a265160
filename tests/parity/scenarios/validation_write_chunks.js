'use strict';
// Reference 3.4, 3.5, 3.3: write() chunk type errors and unknown
// encodings (write, setEncoding, setDefaultEncoding) are thrown
// synchronously and leave the socket working.
const {net, L, port, trace} = require('../h');

const parts = [];
const srv = net.createServer((c) => {
  c.on('data', (d) => parts.push(d));
  c.on('end', () => { L('@srv', 'peer received', Buffer.concat(parts)); srv.close(); });
});
srv.listen(0, '127.0.0.1', () => {
  const s = net.connect(port(srv.address().port), '127.0.0.1', () => {
    const cases = [
      ['write(null)', () => s.write(null)],
      ['write(123)', () => s.write(123)],
      ['write(true)', () => s.write(true)],
      ['write({})', () => s.write({})],
      ['write([])', () => s.write([])],
      ["write('x', 'bogus')", () => s.write('x', 'bogus')],
      ["end('x', 'bogus')", () => s.end('x', 'bogus')],
      ["setEncoding('buffer')", () => s.setEncoding('buffer')],
      ["setEncoding('bogus')", () => s.setEncoding('bogus')],
      ["setDefaultEncoding('bogus')", () => s.setDefaultEncoding('bogus')],
      ["setDefaultEncoding('hex') then write('abcd')", () => s.setDefaultEncoding('hex') === s && s.write('abcd')],
    ];
    for (const [label, fn] of cases) {
      try {
        L(label, 'ok', fn());
      } catch (e) {
        L(label, 'throws', e);
      }
    }
    L('state', s.readyState, s.destroyed);
    s.end(Buffer.from('ok'));
  });
  trace(s, 'c', ['error', 'close']);
});
