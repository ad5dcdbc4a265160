'use strict';
// Reference 1.15: writes after the peer's FIN with allowHalfOpen false:
// inside 'end' a write still succeeds; after our own end() it fails with
// EPIPE "ended by the other party" (with 'error'); one tick later, on the
// destroyed socket, cb gets the EPIPE error and no 'error' is emitted.
const {net, st, L, port, trace} = require('../h');

const srv = net.createServer((c) => {
  c.on('error', () => {});
  c.once('data', (d) => {
    const tag = '@srv' + d.toString();
    L(tag, 'first data', d);
    c.end();
    c.on('data', (more) => L(tag, 'data', more));
  });
});
srv.listen(0, '127.0.0.1', () => {
  const p = port(srv.address().port);
  const steps = [
    (done) => {
      const s = net.connect(p, '127.0.0.1');
      s.write('A');
      trace(s, 'inside', ['end', 'finish', 'error', 'close']);
      s.on('end', () => L('inside', 'write in end', s.write('x', (...a) => L('inside', 'write cb', a, st(s)))));
      s.on('close', done);
      s.resume();
    },
    (done) => {
      const s = net.connect(p, '127.0.0.1');
      s.write('B');
      trace(s, 'ended', ['end', 'finish', 'error', 'close']);
      s.on('end', () => {
        s.end();
        L('ended', 'write after own end', s.write('x', (...a) => L('ended', 'write cb', a, st(s))));
        L('ended', 'after write', st(s));
      });
      s.on('close', done);
      s.resume();
    },
    (done) => {
      const s = net.connect(p, '127.0.0.1');
      s.write('C');
      trace(s, 'later', ['end', 'finish', 'error', 'close']);
      s.on('end', () => setImmediate(() => {
        L('later', 'state', st(s));
        L('later', 'write', s.write('x', (...a) => L('later', 'write cb', a, st(s))));
      }));
      s.on('close', () => setTimeout(done, 20));
      s.resume();
    },
  ];
  const next = (i) => { if (i < steps.length) steps[i](() => next(i + 1)); else srv.close(); };
  next(0);
});
