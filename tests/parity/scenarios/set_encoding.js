'use strict';
// Reference 3.3: setEncoding() for every encoding, with chunk boundaries
// forced: the server sends the next chunk only once the client has read
// the previous one (split multi-byte sequences are held back and flushed
// at 'end').
const {net, L, port} = require('../h');

const chunks = [Buffer.from([0xe2, 0x82]), Buffer.from([0xac, 0x41, 0xe9, 0xff]),
  Buffer.from([0x00, 0x7f, 0x80]), Buffer.from('hello')];
const cases = [
  ['utf8', (s) => s.setEncoding('utf8')],
  ['utf-8', (s) => s.setEncoding('utf-8')],
  ['UTF8', (s) => s.setEncoding('UTF8')],
  ['no argument', (s) => s.setEncoding()],
  ['null', (s) => s.setEncoding(null)],
  ['base64', (s) => s.setEncoding('base64')],
  ['base64url', (s) => s.setEncoding('base64url')],
  ['hex', (s) => s.setEncoding('hex')],
  ['latin1', (s) => s.setEncoding('latin1')],
  ['binary', (s) => s.setEncoding('binary')],
  ['ascii', (s) => s.setEncoding('ascii')],
  ['ucs2', (s) => s.setEncoding('ucs2')],
  ['utf16le', (s) => s.setEncoding('utf16le')],
];

// client sockets by their local port, so that the server side can see how
// much its peer has read
const clients = new Map();

const srv = net.createServer((c) => {
  c.setNoDelay(true);
  let i = 0;
  let sent = 0;
  const step = () => {
    const peer = clients.get(c.remotePort);
    if (!peer || peer.bytesRead < sent) {
      setTimeout(step, 5);
    } else if (i < chunks.length) {
      sent += chunks[i].length;
      c.write(chunks[i++]);
      setTimeout(step, 5);
    } else {
      c.end();
    }
  };
  step();
});
let open = cases.length;
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  for (const [label, set] of cases) {
    const s = net.connect(p, '127.0.0.1');
    const ch = '@' + label;
    L(ch, 'returns self', set(s) === s, s.readableEncoding);
    s.on('connect', () => clients.set(s.localPort, s));
    s.on('data', (d) => L(ch, 'data', typeof d, d));
    s.on('end', () => L(ch, 'end'));
    s.on('close', () => { if (--open === 0) srv.close(); });
  }
});
