'use strict';
// Node's encodings, as an oracle for nodenet._encodings.
//
//   node gen_encodings.js            writes encodings-corpus.json beside this file
//   node gen_encodings.js --eval     reads cases (JSON) on stdin, prints Node's results
//
// A decoder case is {encoding, ops}: ops is a list of ["w", hex] (write) and
// ["e", hex or null] (end); the result appends Node's output to every op.
// An encode case is {input, encoding}; the result adds the bytes as hex.
// A name case is a string; the result is Node's canonical name or null.

const fs = require('fs');
const path = require('path');
const { StringDecoder } = require('string_decoder');

const ENCODINGS = ['utf8', 'utf16le', 'base64', 'base64url', 'hex', 'latin1', 'ascii'];

// -- evaluation ----------------------------------------------------------------

function runDecoder(testCase) {
  const decoder = new StringDecoder(testCase.encoding);
  const ops = testCase.ops.map(([kind, hex]) => {
    const chunk = hex === null ? undefined : Buffer.from(hex, 'hex');
    const text = kind === 'w' ? decoder.write(chunk) : decoder.end(chunk);
    return [kind, hex, text];
  });
  return { encoding: testCase.encoding, ops };
}

function runEncode(testCase) {
  return {
    input: testCase.input,
    encoding: testCase.encoding,
    hex: Buffer.from(testCase.input, testCase.encoding).toString('hex'),
  };
}

function runName(name) {
  if (!Buffer.isEncoding(name)) return [name, null];
  return [name, new StringDecoder(name).encoding];
}

function evaluate(cases) {
  return {
    node: process.version,
    names: (cases.names || []).map(runName),
    decoder: (cases.decoder || []).map(runDecoder),
    encode: (cases.encode || []).map(runEncode),
  };
}

// -- deterministic pseudo-random generation ----------------------------------------

function makeRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[int(0, list.length - 1)];
  return { next, int, pick };
}

function utf8Of(codePoint) {
  return [...Buffer.from(String.fromCodePoint(codePoint), 'utf8')];
}

// Pieces of UTF-8 that exercise every branch of a decoder.
function utf8Piece(rnd) {
  const cont = () => rnd.int(0x80, 0xBF);
  switch (rnd.int(0, 13)) {
    case 0: return [rnd.int(0x20, 0x7E)];
    case 1: return utf8Of(rnd.pick([0x80, 0x7FF, 0x800, 0xFFFF, 0xFFFD, 0xD7FF, 0xE000, 0x10000,
                                    0x10FFFF, 0xFEFF]));
    case 2: return utf8Of(rnd.int(0x80, 0x7FF));
    case 3: return utf8Of(rnd.pick([rnd.int(0x800, 0xD7FF), rnd.int(0xE000, 0xFFFF)]));
    case 4: return utf8Of(rnd.int(0x10000, 0x10FFFF));
    case 5: { // a valid sequence cut short
      const full = utf8Of(rnd.pick([rnd.int(0x80, 0x7FF), rnd.int(0x800, 0xD7FF),
                                    rnd.int(0x10000, 0x10FFFF)]));
      return full.slice(0, rnd.int(1, full.length - 1));
    }
    case 6: // overlong forms
      return rnd.pick([[0xC0, 0x80], [0xC1, 0xBF], [0xC0, cont()], [0xE0, 0x80, 0x80],
                       [0xE0, rnd.int(0x80, 0x9F), cont()], [0xF0, 0x80, 0x80, 0x80],
                       [0xF0, rnd.int(0x80, 0x8F), cont(), cont()], [0xE0, 0x9F, 0xBF]]);
    case 7: // surrogates encoded in UTF-8
      return rnd.pick([[0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xED, rnd.int(0xA0, 0xBF), cont()],
                       [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], [0xED, 0x9F, 0xBF]]);
    case 8: // beyond U+10FFFF
      return rnd.pick([[0xF4, 0x90, 0x80, 0x80], [0xF4, rnd.int(0x90, 0xBF), cont(), cont()],
                       [rnd.int(0xF5, 0xF7), cont(), cont(), cont()], [rnd.int(0xF5, 0xF7)],
                       [0xF4, 0x8F, 0xBF, 0xBF]]);
    case 9: { // bytes that never appear in UTF-8, maybe followed by continuations
      const out = [rnd.int(0xF8, 0xFF)];
      for (let n = rnd.int(0, 5); n > 0; n--) out.push(cont());
      return out;
    }
    case 10: { // runs of continuation bytes
      const out = [];
      for (let n = rnd.int(1, 6); n > 0; n--) out.push(cont());
      return out;
    }
    case 11: // a lead byte followed by something else
      return [rnd.pick([0xC2, 0xDF, 0xE1, 0xEF, 0xF0, 0xF1, 0xF4, 0xE0, 0xED]),
              rnd.pick([0x41, 0x00, 0xC2, 0xE2, 0xF0, 0xFF, 0x7F])];
    case 12: { // lead byte followed by too many continuations
      const out = [rnd.int(0xC2, 0xF4)];
      for (let n = rnd.int(2, 6); n > 0; n--) out.push(cont());
      return out;
    }
    default: return [rnd.int(0, 255)];
  }
}

function utf16Piece(rnd) {
  const unit = (u) => [u & 0xFF, u >>> 8];
  switch (rnd.int(0, 8)) {
    case 0: return unit(rnd.int(0x20, 0x7E));
    case 1: return unit(rnd.int(0x80, 0xD7FF));
    case 2: return unit(rnd.int(0xE000, 0xFFFF));
    case 3: return unit(rnd.int(0xD800, 0xDBFF)); // lone high surrogate
    case 4: return unit(rnd.int(0xDC00, 0xDFFF)); // lone low surrogate
    case 5: return [...unit(rnd.int(0xD800, 0xDBFF)), ...unit(rnd.int(0xDC00, 0xDFFF))];
    case 6: return [...unit(0xD83D), ...unit(0xDE00)];
    case 7: return [rnd.int(0, 255)]; // an odd byte shifts everything after it
    default: return [rnd.pick([0xD8, 0xDB, 0xDC, 0xDF, 0x00, 0xFF])];
  }
}

function byteStream(rnd, encoding) {
  const target = rnd.int(0, 40);
  const out = [];
  const style = rnd.int(0, 9);
  while (out.length < target) {
    if (style < 2) out.push(rnd.int(0, 255));
    else if (style < 3) out.push(rnd.int(0x80, 0xFF));
    else if (encoding === 'utf16le' && style < 9) out.push(...utf16Piece(rnd));
    else out.push(...utf8Piece(rnd));
  }
  return out;
}

function chunked(rnd, bytes) {
  const cuts = [];
  const style = rnd.int(0, 5);
  if (style === 0) {
    for (let i = 1; i < bytes.length; i++) cuts.push(i); // one byte at a time
  } else {
    for (let n = rnd.int(0, 6); n > 0; n--) cuts.push(rnd.int(0, bytes.length));
    cuts.sort((a, b) => a - b);
  }
  const chunks = [];
  let last = 0;
  for (const cut of cuts) {
    chunks.push(bytes.slice(last, cut));
    last = cut;
  }
  chunks.push(bytes.slice(last));
  return chunks;
}

const hexOf = (bytes) => Buffer.from(bytes).toString('hex');

function randomDecoderCase(rnd, encoding) {
  const ops = [];
  for (let round = rnd.next() < 0.15 ? 2 : 1; round > 0; round--) {
    const chunks = chunked(rnd, byteStream(rnd, encoding)).map(hexOf);
    const endStyle = rnd.int(0, 2);
    const last = endStyle === 0 ? chunks.pop() : null;
    for (const chunk of chunks) ops.push(['w', chunk]);
    if (endStyle < 2) ops.push(['e', last]);
  }
  return { encoding, ops };
}

// Every way of cutting `bytes` into two and into three chunks.
function allSplits(encoding, bytes, threeWay) {
  const cases = [];
  const n = bytes.length;
  for (let i = 0; i <= n; i++) {
    cases.push({ encoding, ops: [['w', hexOf(bytes.slice(0, i))], ['w', hexOf(bytes.slice(i))],
                                 ['e', null]] });
    if (!threeWay) continue;
    for (let j = i + 1; j < n; j++) {
      cases.push({ encoding, ops: [['w', hexOf(bytes.slice(0, i))],
                                   ['w', hexOf(bytes.slice(i, j))],
                                   ['e', hexOf(bytes.slice(j))]] });
    }
  }
  return cases;
}

const UTF8_SEQUENCES = [
  'e282ac', 'c3a9', 'f09f9880', 'f4 8f bf bf', 'c080', 'c1bf', 'e08080', 'e09fbf', 'f0808080',
  'f08fbfbf', 'eda080', 'edbfbf', 'eda0bdedb880', 'ed9fbf', 'f4908080', 'f5808080', 'f7bfbfbf',
  'f8808080 80', 'fc8080808080', 'fe', 'ff', '80', 'bf', '808080', '80808080', 'c2', 'e2', 'e282',
  'f0', 'f09f', 'f09f98', 'c241', 'e24182', 'e282 41', 'f09f41', 'f09f9841', 'c2c2a9', 'e2e282ac',
  'f0f09f9880', 'c3a9a9', 'e282acac', 'f09f988080', 'f09f98808080', 'e9ff', 'ef bf bd', 'efbfbe',
  'efbfbf', 'f0908080', 'f48fbfbf80', 'c0', 'f5', 'f8', 'e0a0', 'e080', 'f090', 'f080', 'f490',
  'ed a0', 'ed 80',
].map((s) => [...Buffer.from(s.replace(/ /g, ''), 'hex')]);

const UTF16_SEQUENCES = [
  [0x3D, 0xD8, 0x00, 0xDE], [0x3D, 0xD8, 0x41, 0x00], [0x00, 0xDE, 0x3D, 0xD8],
  [0x3D, 0xD8, 0x3D, 0xD8, 0x00, 0xDE], [0x41, 0x00, 0x3D, 0xD8], [0x41, 0x3D, 0xD8, 0x00, 0xDE],
  [0xAC, 0x20, 0xE9, 0x00, 0x41], [0x3D, 0xD8, 0x00, 0xDE, 0x3D, 0xD8], [0xFF, 0xDB, 0xFF, 0xDF],
  [0x00, 0xD8, 0x00, 0xD8, 0x00],
];

function decoderCases() {
  const rnd = makeRandom(20240601);
  const cases = [];
  for (const bytes of UTF8_SEQUENCES) {
    cases.push(...allSplits('utf8', bytes, true));
    cases.push(...allSplits('utf8', [0x61, ...bytes, 0x62], false));
  }
  for (const bytes of UTF16_SEQUENCES) cases.push(...allSplits('utf16le', bytes, true));
  for (const encoding of ['base64', 'base64url']) {
    for (let n = 0; n <= 8; n++) {
      const bytes = [];
      for (let i = 0; i < n; i++) bytes.push(rnd.int(0, 255));
      cases.push(...allSplits(encoding, bytes, n <= 5));
    }
  }
  const counts = { utf8: 700, utf16le: 350, base64: 120, base64url: 120, hex: 60, latin1: 60,
                   ascii: 60 };
  for (const encoding of ENCODINGS) {
    for (let i = 0; i < counts[encoding]; i++) cases.push(randomDecoderCase(rnd, encoding));
  }
  return cases;
}

// -- encode cases --------------------------------------------------------------------------

const TEXTS = [
  '', 'abc', '€é', 'hello world', '\u0000', '\u007f\u0080\u00ff\u0100', '\uffff\ufffe\ufeff',
  '\ud83d', '\ude00', '\ud83d\ude00', '\ude00\ud83d', 'a\ud83d', '\ud83db', 'a\ud83db',
  '\ud83d\ud83d\ude00', '\ud83d\ude00\ude00', '\udbff\udfff', '\ud800\udc00', '\ud800', '\udfff',
  'x\ud83d\ude00y\ud83dz\ude00', '\u{10ffff}', '\u{1f600}\u{1f601}', 'Ω≈ç√∫', '\u0130\u0131',
  '日本語テキスト', '\u0141\u013d\u0100\u0101',
];

const HEX_TEXTS = [
  '', '00', 'ff', 'FF', 'e282ac', 'E282AC', 'e28', 'e', 'zz', 'zz00', '00zz00', '0g00', '000g',
  '0x12', '12 34', ' 1234', '1234 ', '12\n34', '\u0130\u0131', '4\u0131', '\u0166\u0166',
  '\ud83d\ude00', '12\ud83d', 'aBcDeF', '0123456789abcdefABCDEF', 'abcdefg', '-1', '+1', 'ab=',
  'ab\u0000cd', '\u0161\u0162', '\u1234\u5678',
];

const BASE64_TEXTS = [
  '', 'Q', 'QQ', 'QUI', 'QUJD', 'QUJDR', 'QQ==', 'QQ=', 'QUI=', 'Q===', '====', '=QUJD',
  'QQ==QUJD', 'QQ=QUJD', 'QU=JD', 'QUJ=D', 'QU JD', 'QU\nJD', ' QUJD ', '\tQ U J D\r\n',
  '4oKs', '4oKs_-', '4oKs+/', '-_-_', '+/+/', 'QR', 'QUJ', 'QUK', '////', '____', 'QUJD\u0141',
  'QU\u0141D', 'QQ\u013d\u013d', 'QQ\u013dQUJD', 'QU!JD', 'Q!U@J#D$', 'é4oKs', '\ud83dQUJD',
  'QUJD\ud83d\ude00QUJD', 'QUJDQUJD=', 'QUJDQUJD==', 'QUJDQUJD===', '=', '==', 'Zg', 'Zm8',
  'Zm9v', 'Zm9vYg', 'Zm9vYmE', 'Zm9vYmFy', 'Zm9vYmFy\u0000', '\u0000Zm9v', 'A', 'AA', 'AAA',
  '////////', 'a-b_c+d/', 'aGVsbG8gd29ybGQ', 'aGVsbG8gd29ybGQ=', 'aGVsbG8gd29ybGQ==',
];

function randomText(rnd, pool, maxLength) {
  let out = '';
  for (let n = rnd.int(0, maxLength); n > 0; n--) out += rnd.pick(pool);
  return out;
}

function encodeCases() {
  const rnd = makeRandom(7);
  const cases = [];
  const textPool = ['a', 'Z', '0', ' ', '\u0000', '\u007f', '\u0080', 'é', '\u00ff', '\u0100', '€',
                    '\u0130', '\uffff', '\ufffd', '\ud83d', '\ude00', '\ud83d\ude00', '\udbff',
                    '\udc00', '\u{10ffff}', '日'];
  const hexPool = [...'0123456789abcdefABCDEF', 'g', 'G', ' ', 'x', '\u0130', '\u0131', '\u0161',
                   '\u0141', '\ud83d', 'é', '='];
  const base64Pool = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_',
                      '=', ' ', '\n', '\t', '!', '.', '\u0141', '\u013d', '\u012b', '\u0000', 'é',
                      '\ud83d', '\ude00', '\u{1f600}'];
  for (const encoding of ENCODINGS) {
    for (const input of [...TEXTS, ...HEX_TEXTS, ...BASE64_TEXTS]) cases.push({ input, encoding });
    for (let i = 0; i < 40; i++) cases.push({ input: randomText(rnd, textPool, 20), encoding });
  }
  for (let i = 0; i < 120; i++) cases.push({ input: randomText(rnd, hexPool, 16), encoding: 'hex' });
  for (const encoding of ['base64', 'base64url']) {
    for (let i = 0; i < 150; i++) {
      cases.push({ input: randomText(rnd, base64Pool, 20), encoding });
    }
  }
  // Long strings take another path inside Buffer.from.
  cases.push({ input: 'QUJD'.repeat(1500) + '====QUJD', encoding: 'base64' });
  cases.push({ input: 'QUJD'.repeat(1500) + ' \u0141\u0141\u0141\u0141 QQ', encoding: 'base64url' });
  cases.push({ input: 'ab'.repeat(4200) + 'zz' + 'ab', encoding: 'hex' });
  cases.push({ input: '\u0130'.repeat(9000) + 'e', encoding: 'hex' });
  cases.push({ input: '€\ud83d'.repeat(1500), encoding: 'utf8' });
  return cases;
}

const NAMES = [
  'utf8', 'utf-8', 'UTF8', 'UTF-8', 'Utf8', 'uTf-8', 'ucs2', 'UCS2', 'ucs-2', 'UCS-2', 'Ucs2',
  'utf16le', 'UTF16LE', 'utf-16le', 'UTF-16LE', 'Utf16Le', 'latin1', 'LATIN1', 'Latin1', 'binary',
  'BINARY', 'Binary', 'ascii', 'ASCII', 'Ascii', 'base64', 'BASE64', 'Base64', 'base64url',
  'BASE64URL', 'Base64Url', 'hex', 'HEX', 'Hex', '', ' ', 'utf', 'utf16', 'utf-16', 'utf32',
  'utf-16be', 'utf16be', 'latin-1', 'iso-8859-1', 'buffer', 'bogus', 'base-64', 'base64-url',
  ' hex', 'hex ', 'hex\u0000', 'utf8 ', 'ucs2 ', 'B\u0130NARY', 'b\u0131nary', 'LAT\u0130N1',
  'he\u0445', 'utf\u20088', 'undefined', 'null', 'UTF_8', 'utf8\n', 'u', 'asciii',
];

function main() {
  if (process.argv.includes('--eval')) {
    const input = fs.readFileSync(0, 'utf8');
    process.stdout.write(JSON.stringify(evaluate(JSON.parse(input))));
    return;
  }
  const result = evaluate({ names: NAMES, decoder: decoderCases(), encode: encodeCases() });
  const text = JSON.stringify(result) + '\n';
  if (process.argv.includes('--stdout')) {
    process.stdout.write(text);
  } else {
    fs.writeFileSync(path.join(__dirname, 'encodings-corpus.json'), text);
  }
}

main();
