'use strict';
// Node's net.isIP / isIPv4 / isIPv6, as an oracle for nodenet._isip.
//
//   node gen_isip.js           writes isip-corpus.json beside this file
//   node gen_isip.js --eval    reads a JSON list of strings on stdin, prints
//                              [[string, isIP, isIPv4, isIPv6], ...]

const fs = require('fs');
const net = require('net');
const path = require('path');

// The cases of the reference catalogue (section 4.3), in its order.
const REFERENCE = [
  "0.0.0.0",
  "127.0.0.1",
  "255.255.255.255",
  "1.2.3.4",
  "192.168.0.1",
  "10.0.0.255",
  "8.8.8.8",
  "100.100.100.100",
  "249.250.251.252",
  "199.200.201.202",
  "9.99.199.249",
  "256.0.0.0",
  "1.2.3.256",
  "1.2.3",
  "1.2.3.4.5",
  "1..2.3",
  "1.2.3.",
  ".1.2.3",
  "1.2.3.4.",
  "01.2.3.4",
  "1.02.3.4",
  "1.2.3.04",
  "00.0.0.0",
  "0.0.0.00",
  "001.2.3.4",
  "1.2.3.-4",
  "-1.2.3.4",
  "+1.2.3.4",
  "1.2.3.+4",
  "0x7f.0.0.1",
  "0x7f000001",
  "127.1",
  "127.0.1",
  "2130706433",
  "017700000001",
  "1.2.3.4/24",
  "1.2.3.4:80",
  "1.2.3.4%eth0",
  "1.2.3.4 ",
  " 1.2.3.4",
  "1.2.3.4\n",
  "\n1.2.3.4",
  "1.2.3.4\t",
  "1.2.3.4\r\n",
  "1.2.3.4\u0000",
  "1. 2.3.4",
  "1,2,3,4",
  "1.2.3.4a",
  "a1.2.3.4",
  "999.999.999.999",
  "300.1.1.1",
  "1.1.1.300",
  "260.1.1.1",
  "1000.1.1.1",
  "1e2.1.1.1",
  "\uff11.\uff12.\uff13.\uff14",
  "\u0661\u0662\u0667.0.0.1",
  "127.0.0.1\u200b",
  "localhost",
  "example.com",
  "x127.0.0.1",
  "::",
  "::1",
  "::0",
  "0::0",
  "1::",
  "::8",
  "1::8",
  "1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7::",
  "::2:3:4:5:6:7:8",
  "1::3:4:5:6:7:8",
  "1:2::8",
  "0:0:0:0:0:0:0:0",
  "0000:0000:0000:0000:0000:0000:0000:0000",
  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
  "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF",
  "fE80::aBcD",
  "FE80::1",
  "2001:db8::1",
  "2001:0db8:0000:0000:0000:ff00:0042:8329",
  "2001:db8:0:0:0:ff00:42:8329",
  "2001:DB8::FF00:42:8329",
  "fe80::1",
  "ff02::1",
  "::ffff:1.2.3.4",
  "::FFFF:1.2.3.4",
  "::ffff:127.0.0.1",
  "::ffff:0:0",
  "::1.2.3.4",
  "::127.0.0.1",
  "64:ff9b::192.0.2.33",
  "1:2:3:4:5:6:1.2.3.4",
  "1:2:3:4:5::1.2.3.4",
  "1::1.2.3.4",
  "1:2:3:4::5:1.2.3.4",
  "::ffff:255.255.255.255",
  "::ffff:0.0.0.0",
  "a:b:c:d:e:f:0:1",
  "1:0:0:0:0:0:0:0",
  "0:0:0:0:0:0:0:1",
  "1:2:3:4:5:6::8",
  "1::2:3:4:5:6:7",
  "fe80::1%eth0",
  "fe80::1%1",
  "fe80::1%en0",
  "fe80::1%eth0.100",
  "fe80::1%eth-0",
  "fe80::1%eth0:1",
  "fe80::1%ETH0",
  "::1%lo",
  "::%x",
  "::ffff:1.2.3.4%eth0",
  "1:2:3:4:5:6:7:8%25",
  "fe80::1%25eth0",
  "fe80::1%",
  "fe80::1%%",
  "fe80::1%eth0%1",
  "fe80::1%eth_0",
  "fe80::1%eth 0",
  "fe80::1% eth0",
  "fe80::1%eth0 ",
  "fe80::1%\u00e9",
  "fe80::1%/",
  "%eth0",
  "1.2.3.4%1",
  "fe80::1%eth0\n",
  ":",
  ":::",
  "::::",
  "1:",
  "1:::",
  "::1::",
  "1::2::3",
  "1:2:3:4:5:6:7:8:9",
  "1:2:3:4:5:6:7:8::",
  "::1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7",
  "12345::",
  "1:2:3:4:5:6:7:12345",
  "00000::1",
  "g::1",
  "::g",
  "fe80:::1",
  ":1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7:8:",
  "[::1]",
  "[::1]:80",
  "::1/128",
  "::1 ",
  " ::1",
  "::1\n",
  "\n::1",
  "::1\t",
  "::ffff:1.2.3",
  "::ffff:1.2.3.256",
  "::ffff:01.2.3.4",
  "::ffff:1.2.3.4.5",
  "1:2:3:4:5:6:7:1.2.3.4",
  "1:2:3:4:5:6::1.2.3.4",
  "1.2.3.4::",
  "1.2.3.4::1",
  "::1.2.3.4:1",
  "::ffff:1.2.3.4:80",
  "2001:db8::1::1",
  "2001:db8:::1",
  "fe80:0:0:0:0:0:0:0:0",
  "::-1",
  "::+1",
  "0x1::1",
  "::\uff11",
  "\uff46\uff4580::1",
  "fe80::1\u0000",
  ":: 1",
  "1 :: 2",
  "fe80 ::1",
  "::ffff:\uff11.2.3.4",
  "",
  "0",
  "1",
  "a",
  ".",
  " ",
  "  ",
  "\t",
  "\n",
  "null",
  "undefined",
  "true",
  "[object Object]",
  "0.0.0.0.0",
  "::ffff:",
  "ffff::ffff::",
  "::ffff:1.2.3.4:",
  "1:2:3:4:5:6:7:8\r\n",
  '1'.repeat(1000),
  '1.'.repeat(500) + '1',
  ':'.repeat(1000),
  'a:'.repeat(500) + 'a',
  '0:0:0:0:0:0:0:0' + ' '.repeat(100),
  'fe80::1%' + 'a'.repeat(1000),
  '1.2.3.4' + '0'.repeat(1000),
  '0'.repeat(1000) + '.0.0.0',
  '::' + 'f'.repeat(1000),
  'x'.repeat(5000),
];

function evaluate(strings) {
  return strings.map((s) => [s, net.isIP(s), net.isIPv4(s), net.isIPv6(s)]);
}

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

const V4_PARTS = ['0', '1', '9', '10', '99', '100', '199', '200', '249', '250', '255', '256', '260',
                  '300', '999', '01', '001', '000', '00', '09', '1000', '25', '2550'];
const NOISE = [...'0123456789abcdefABCDEFgG:.%-_/[] xz', '\n', '\t', '\u0000', '\uff11', '\u0661',
               '\u0966', '\uff41', '\u00e9', '\u200b', '\u212a', '\ud83d', '::', '...', '%eth0',
               '25'];

function v4(rnd) {
  const parts = [];
  for (let i = 0; i < 4; i++) {
    parts.push(rnd.next() < 0.8 ? String(rnd.int(0, 255)) : rnd.pick(V4_PARTS));
  }
  return parts.join('.');
}

function group(rnd) {
  const digits = [...'0123456789abcdefABCDEF'];
  let out = '';
  for (let n = rnd.next() < 0.9 ? rnd.int(1, 4) : rnd.pick([0, 5]); n > 0; n--) {
    out += rnd.pick(digits);
  }
  return out;
}

function groups(rnd, count) {
  const out = [];
  for (let i = 0; i < count; i++) out.push(group(rnd));
  return out;
}

// An IPv6 address in one of the text forms (or one group too many), sometimes
// with a zone.
function v6(rnd) {
  let text;
  const tail4 = rnd.next() < 0.3;
  if (rnd.next() < 0.25) {
    text = tail4 ? [...groups(rnd, 6), v4(rnd)].join(':') : groups(rnd, 8).join(':');
  } else {
    const room = (tail4 ? 5 : 7) + (rnd.next() < 0.15 ? 1 : 0);
    const left = rnd.int(0, room);
    const after = groups(rnd, rnd.int(0, room - left));
    if (tail4) after.push(v4(rnd));
    text = groups(rnd, left).join(':') + '::' + after.join(':');
  }
  if (rnd.next() < 0.2) {
    const zone = [...'abcxyzAZ09.:-_% ', '\u00e9'];
    let id = '';
    for (let n = rnd.int(0, 6); n > 0; n--) id += rnd.pick(zone);
    text += '%' + id;
  }
  return text;
}

function mutate(rnd, text) {
  const at = rnd.int(0, text.length);
  switch (rnd.int(0, 6)) {
    case 0: return text.slice(0, at) + text.slice(at + 1);
    case 1: return text.slice(0, at) + rnd.pick(NOISE) + text.slice(at);
    case 2: return text.slice(0, at) + rnd.pick(NOISE) + text.slice(at + 1);
    case 3: return text + rnd.pick(NOISE);
    case 4: return rnd.pick(NOISE) + text;
    case 5: { // repeat a piece
      const end = rnd.int(at, text.length);
      return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    }
    default: // swap two neighbours
      return text.slice(0, at) + text.slice(at + 1, at + 2) + text.slice(at, at + 1) +
        text.slice(at + 2);
  }
}

function generated() {
  const rnd = makeRandom(4242);
  const out = [];
  for (let i = 0; i < 120; i++) out.push(v4(rnd));
  for (let i = 0; i < 300; i++) out.push(v6(rnd));
  const valid = REFERENCE.filter((s) => net.isIP(s) !== 0 && s.length < 100);
  for (let i = 0; i < 500; i++) {
    let text;
    if (rnd.next() < 0.5) text = rnd.pick(valid);
    else text = rnd.next() < 0.4 ? v4(rnd) : v6(rnd);
    for (let n = rnd.int(1, 3); n > 0; n--) text = mutate(rnd, text);
    out.push(text);
  }
  for (let i = 0; i < 80; i++) {
    let text = '';
    for (let n = rnd.int(0, 12); n > 0; n--) text += rnd.pick(NOISE);
    out.push(text);
  }
  return out;
}

function main() {
  if (process.argv.includes('--eval')) {
    const strings = JSON.parse(fs.readFileSync(0, 'utf8'));
    process.stdout.write(JSON.stringify(evaluate(strings)));
    return;
  }
  const seen = new Set(REFERENCE);
  const extra = [];
  for (const s of generated()) {
    if (!seen.has(s)) {
      seen.add(s);
      extra.push(s);
    }
  }
  const corpus = {
    node: process.version,
    reference: evaluate(REFERENCE),
    generated: evaluate(extra),
  };
  fs.writeFileSync(path.join(__dirname, 'isip-corpus.json'), JSON.stringify(corpus) + '\n');
}

main();
