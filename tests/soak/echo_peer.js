'use strict';
// Node's half of the data-integrity runs (tests/soak/integrity.py).
//
//   node echo_peer.js server SEED CONNECTIONS
//       listens on 127.0.0.1, prints {"port": n}, echoes CONNECTIONS
//       connections, then exits
//   node echo_peer.js client SEED CONNECTIONS SIZE PORT
//       sends SIZE pseudo-random bytes on each of CONNECTIONS connections
//
// Both behave as integrity.py's nodenet ends do: random chunk sizes, random
// cork() groups, random pause()/resume(), write()/'drain' honoured, random
// half-close timing.  One JSON line per connection reports the sha256 and
// byte count of what it sent and received, its events and its errors.

const net = require('net');
const crypto = require('crypto');

const PAUSE_CHANCE = 0.02;
const MAX_PAUSE_MS = 4;
const CORK_CHANCE = 0.1;
const ENDINGS = ['withLast', 'now', 'later', 'afterEcho'];

function makeRandom(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int };
}

function tally(name) {
  return {
    name, sent: crypto.createHash('sha256'), sentBytes: 0,
    received: crypto.createHash('sha256'), receivedBytes: 0, events: [], errors: [],
  };
}

function report(t) {
  process.stdout.write(JSON.stringify({
    name: t.name, sent: t.sent.digest('hex'), sentBytes: t.sentBytes,
    received: t.received.digest('hex'), receivedBytes: t.receivedBytes,
    events: t.events, errors: t.errors,
  }) + '\n');
}

function trace(sock, t, onClose) {
  for (const name of ['end', 'finish', 'timeout']) sock.on(name, () => t.events.push(name));
  sock.on('error', (err) => t.errors.push(`${err.code}: ${err.message}`));
  sock.on('close', (hadError) => { t.events.push(`close(${hadError})`); report(t); onClose(); });
}

function holder(sock, rnd) {
  let reasons = 0;
  const timers = new Set();
  const h = {
    hold() { if (++reasons === 1) sock.pause(); },
    release() { if (--reasons === 0 && !sock.destroyed) sock.resume(); },
    maybePause() {
      if (rnd.next() < PAUSE_CHANCE) {
        h.hold();
        const timer = setTimeout(() => { timers.delete(timer); h.release(); }, rnd.next() * MAX_PAUSE_MS);
        timers.add(timer);
      }
    },
  };
  sock.on('close', () => { for (const timer of timers) clearTimeout(timer); });
  return h;
}

function pieces(chunk, rnd) {
  if (chunk.length < 2 || rnd.next() < 0.5) return [chunk];
  const cuts = [];
  for (let i = rnd.int(1, 3); i > 0; i--) cuts.push(rnd.int(1, chunk.length - 1));
  cuts.sort((a, b) => a - b);
  const edges = [0, ...cuts, chunk.length];
  const out = [];
  for (let i = 1; i < edges.length; i++) if (edges[i] > edges[i - 1]) out.push(chunk.subarray(edges[i - 1], edges[i]));
  return out;
}

function server(seed, connections) {
  const rnd = makeRandom(seed);
  let closed = 0;
  const srv = net.createServer({ allowHalfOpen: rnd.next() < 0.5 }, (sock) => {
    const t = tally('server');
    const h = holder(sock, rnd);
    trace(sock, t, () => { if (++closed === connections) srv.close(); });
    sock.on('data', (chunk) => {
      t.received.update(chunk); t.receivedBytes += chunk.length;
      const corked = rnd.next() < CORK_CHANCE;
      if (corked) sock.cork();
      let ok = true;
      for (const piece of pieces(chunk, rnd)) {
        t.sent.update(piece); t.sentBytes += piece.length;
        ok = sock.write(piece) && ok;
      }
      if (corked) sock.uncork();
      if (!ok) { h.hold(); sock.once('drain', h.release); }
      h.maybePause();
    });
    if (sock.allowHalfOpen) sock.on('end', () => sock.end());
  });
  srv.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: srv.address().port }) + '\n'));
}

function client(seed, connections, size, port) {
  const master = makeRandom(seed);
  const BLOCK = 1 << 20;
  for (let index = 0; index < connections; index++) {
    const rnd = makeRandom(Math.floor(master.next() * 4294967296));
    const ending = ENDINGS[index % ENDINGS.length];
    const block = crypto.randomBytes(BLOCK + 262144);
    let offset = 0;
    let ended = false;
    let endTimer = null;
    const t = tally('client');
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: rnd.next() < 0.5 });
    const h = holder(sock, rnd);
    trace(sock, t, () => { if (endTimer) clearTimeout(endTimer); });
    const end = () => { endTimer = null; if (!ended) { ended = true; sock.end(); } };
    const nextChunk = () => {
      const kind = rnd.next();
      let n = kind < 0.3 ? rnd.int(1, 512) : kind < 0.8 ? rnd.int(512, 65536) : rnd.int(65536, 262144);
      n = Math.min(n, size - t.sentBytes);
      const chunk = block.subarray(offset, offset + n);
      offset = (offset + n * 7 + 13) % BLOCK;
      return chunk;
    };
    const finishWriting = () => {
      if (ending === 'now' || ending === 'withLast') end();
      else if (ending === 'later') endTimer = setTimeout(end, rnd.next() * 10);
      else if (t.receivedBytes >= size) end();
    };
    const pump = () => {
      while (t.sentBytes < size && !sock.destroyed) {
        const group = rnd.int(1, 6);
        const corked = rnd.next() < CORK_CHANCE;
        if (corked) sock.cork();
        let ok = true;
        for (let i = 0; i < group && t.sentBytes < size; i++) {
          const chunk = nextChunk();
          t.sent.update(chunk); t.sentBytes += chunk.length;
          if (t.sentBytes === size && ending === 'withLast') { ended = true; sock.end(chunk); return; }
          ok = sock.write(chunk) && ok;
        }
        if (corked) sock.uncork();
        if (!ok) { sock.once('drain', pump); return; }
      }
      if (t.sentBytes >= size) finishWriting();
    };
    sock.on('data', (chunk) => {
      t.received.update(chunk); t.receivedBytes += chunk.length;
      if (ending === 'afterEcho' && t.receivedBytes >= size && t.sentBytes >= size) end();
      h.maybePause();
    });
    sock.on('connect', pump);
  }
}

const [mode, seed, connections, size, port] = process.argv.slice(2);
if (mode === 'server') server(Number(seed), Number(connections));
else if (mode === 'client') client(Number(seed), Number(connections), Number(size), Number(port));
else { process.stderr.write('usage: echo_peer.js server SEED N | client SEED N SIZE PORT\n'); process.exit(2); }
