'use strict';
// Reference 1.11: setTimeout() argument errors, thrown synchronously.
const {net, L} = require('../h');

const s = new net.Socket();
function foo() {}
const cases = [
  ["'100'", () => s.setTimeout('100')],
  ['null', () => s.setTimeout(null)],
  ['true', () => s.setTimeout(true)],
  ['{}', () => s.setTimeout({})],
  ['[]', () => s.setTimeout([])],
  ['function foo', () => s.setTimeout(foo)],
  ['-1', () => s.setTimeout(-1)],
  ['-0.001', () => s.setTimeout(-0.001)],
  ['NaN', () => s.setTimeout(NaN)],
  ['Infinity', () => s.setTimeout(Infinity)],
  ['-Infinity', () => s.setTimeout(-Infinity)],
  ["callback 'x'", () => s.setTimeout(10, 'x')],
  ['callback 1', () => s.setTimeout(10, 1)],
  ['1.5', () => s.setTimeout(1.5)],
  ['0.001', () => s.setTimeout(0.001)],
  ['1e6', () => s.setTimeout(1e6)],
  ['0', () => s.setTimeout(0)],
];
for (const [label, fn] of cases) {
  try {
    L(label, 'ok', fn() === s, s.timeout);
  } catch (e) {
    L(label, 'throws', e, s.timeout);
  }
}
s.destroy();
