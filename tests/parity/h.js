'use strict';
// The JavaScript half of the parity harness: every scenario under
// scenarios/NAME.js requires this file and prints its trace, one JSON array
// per line, on stdout.  harness.py gives the Python half the same helpers
// and the same output shapes; tests/test_parity.py runs both halves and
// compares the traces.
//
// Output conventions (shared with harness.py):
// * `undefined` and `null` are both printed as JSON null (Python has only
//   None);
// * Buffers and other byte views are printed as {"buf": "<hex>"};
// * errors are printed as errInfo(err);
// * sockets and servers are printed as "<Socket>" / "<Server>";
// * non-finite numbers are printed as strings ("NaN", "Infinity").
// * A line ["#port", n, label] registers n as an ephemeral port: the test
//   runner replaces n by label everywhere in the trace; ["#str", s, label]
//   does the same for a string (a temporary path).
// * Lines whose first element starts with "@" belong to an unordered
//   channel: the runner compares each channel's lines in order, but not
//   their interleaving with other lines.
// * The last line printed is ["exit"], from process 'exit'.

const net = require('net');

function st(s) {
  return {rs: s.readyState, pending: s.pending, connecting: s.connecting,
    destroyed: s.destroyed, readable: s.readable, writable: s.writable};
}

function errInfo(e) {
  if (e === null || e === undefined) return null;
  const o = {name: e.name, message: e.message, code: e.code === undefined ? null : e.code};
  for (const k of ['errno', 'syscall', 'address', 'port', 'hostname', 'localAddress', 'localPort']) {
    if (k in e) o[k] = fmt(e[k]);
  }
  if (Array.isArray(e.errors)) o.errors = e.errors.map(errInfo);
  return o;
}

function fmt(x) {
  if (x === undefined || x === null) return null;
  if (typeof x === 'number') return Number.isFinite(x) ? x : String(x);
  if (typeof x === 'bigint') return String(x);
  if (typeof x === 'function') return '<function>';
  if (typeof x !== 'object') return x;
  if (x instanceof Error) return errInfo(x);
  if (Buffer.isBuffer(x) || ArrayBuffer.isView(x)) {
    return {buf: Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex')};
  }
  if (x instanceof net.Socket) return '<Socket>';
  if (x instanceof net.Server) return '<Server>';
  if (Array.isArray(x)) return x.map(fmt);
  const o = {};
  for (const k of Object.keys(x)) o[k] = fmt(x[k]);
  return o;
}

function L(...a) {
  process.stdout.write(JSON.stringify(a.map(fmt)) + '\n');
}

function port(n, label = 'PORT') {
  L('#port', n, label);
  return n;
}

// Register a string (a temporary path) that the runner replaces by label.
function subst(text, label) {
  L('#str', text, label);
  return text;
}

const SOCKET_EVENTS = ['lookup', 'connectionAttempt', 'connectionAttemptFailed',
  'connectionAttemptTimeout', 'connect', 'ready', 'data', 'end', 'finish',
  'drain', 'timeout', 'error', 'close'];

// Log every listed event of socket `s` as [name, event, args, st(s)].
// 'close' without argument (a socket that never had a handle) is logged with
// [whether 'error' was emitted], the form nodenet always passes.
function trace(s, name, events = SOCKET_EVENTS, log = L) {
  let sawError = false;
  for (const ev of events) {
    s.on(ev, (...a) => {
      if (ev === 'error') sawError = true;
      if (ev === 'close' && a.length === 0) a = [sawError];
      log(name, ev, a, st(s));
    });
  }
  return s;
}

function sst(srv) {
  return {listening: srv.listening, address: srv.address()};
}

const SERVER_EVENTS = ['listening', 'connection', 'drop', 'error', 'close'];

function traceServer(srv, name, events = SERVER_EVENTS, log = L) {
  for (const ev of events) {
    srv.on(ev, (...a) => log(name, ev, a, sst(srv)));
  }
  return srv;
}

// Run fn and log what it returned or threw, as [label, 'ok', value] or
// [label, 'throws', errInfo].
function tryLog(label, fn) {
  try {
    const v = fn();
    L(label, 'ok', v);
  } catch (e) {
    L(label, 'throws', e);
  }
}

let barked = false;

// End the process after ms milliseconds without keeping it alive; the trace
// then ends with ["WATCHDOG"] (and no ["exit"], as in harness.py).
function watchdog(ms = 4000) {
  setTimeout(() => { L('WATCHDOG'); barked = true; process.exit(3); }, ms).unref();
}

process.on('exit', () => { if (!barked) L('exit'); });
watchdog();

module.exports = {net, st, sst, errInfo, fmt, L, port, subst, trace, traceServer,
  tryLog, watchdog, SOCKET_EVENTS, SERVER_EVENTS};
