'use strict';
// Reference 1.4: an unresolvable host: 'lookup'(err) -> 'error' -> 'close'(true);
// end() right after connect() changes nothing (no 'finish').
const {net, st, L, trace} = require('../h');

const s = net.connect({port: 80, host: 'nonexistent.invalid'});
L('sync', st(s));
trace(s, 'c');
s.on('close', () => {
  const t = net.connect({port: 80, host: 'nonexistent.invalid', family: 4});
  L('end returns self', t.end() === t);
  L('after end', st(t));
  trace(t, 'ended');
});
