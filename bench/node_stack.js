'use strict';
// Node's net, for the nodenet performance suite: the same servers and
// clients as the Python stacks, with the same line protocol to the harness
// (READY on stdout, a line on stdin to go, RESULT {json} at the end).
//
//   node bench/node_stack.js ROLE WORKLOAD PARAMS_JSON

const net = require('net');
const fs = require('fs');

const [role, workload, paramsJson] = process.argv.slice(2);
const params = JSON.parse(paramsJson);
const now = () => performance.now() / 1000;

function say(line) {
  fs.writeSync(1, line + '\n');
}
function ready() {
  say('READY');
}
function waitGo() {
  const buffer = Buffer.alloc(64);
  if (fs.readSync(0, buffer, 0, 64, null) === 0) process.exit(1);
}
function result(values) {
  say('RESULT ' + JSON.stringify(values));
}
function ignore() {}

function echo(socket) {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => {
    if (!socket.write(chunk)) socket.pause();
  });
  socket.on('drain', () => socket.resume());
  socket.on('error', ignore);
}

function bulkSender(socket) {
  socket.setNoDelay(true);
  const chunk = Buffer.alloc(params.chunk, 'x');
  let remaining = Math.floor(params.total / params.chunk);
  const pump = () => {
    while (remaining > 0) {
      remaining--;
      if (!socket.write(chunk)) return; // 'drain' calls pump again
    }
    socket.end();
  };
  socket.on('drain', pump);
  socket.on('error', ignore);
  pump();
}

function server() {
  const where = { fd: params.fd, backlog: 4096 };
  if (workload === 'bulk') {
    net.createServer(bulkSender).listen(where, ready);
  } else if (workload === 'connections') {
    const base = process.memoryUsage().rss;
    let seen = 0;
    ready();
    waitGo();
    const t0 = now();
    net.createServer((socket) => {
      echo(socket);
      seen++;
      if (seen === params.count) {
        const elapsed = now() - t0;
        setTimeout(() => {
          const grown = process.memoryUsage().rss - base;
          result({ aps: params.count / elapsed, kibPerConn: grown / params.count / 1024 });
        }, params.settle * 1000);
      }
    }).listen(where);
  } else {
    net.createServer(echo).listen(where, ready);
  }
}

function bulkClient() {
  let received = 0;
  let t0 = 0;
  const socket = net.connect(params.port, '127.0.0.1', () => {
    socket.setNoDelay(true);
    t0 = now();
  });
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (received >= params.total) {
      result({ mbps: received / (now() - t0) / 1e6 });
      socket.destroy();
    }
  });
}

function pingClient() {
  const { size, warmup, duration } = params;
  const message = Buffer.alloc(size, 'p');
  let got = 0;
  let trips = 0;
  let t0 = 0;
  const socket = net.connect(params.port, '127.0.0.1', () => {
    socket.setNoDelay(true);
    socket.write(message);
  });
  socket.on('data', (chunk) => {
    got += chunk.length;
    if (got < size) return;
    got -= size;
    trips++;
    if (trips === warmup) {
      t0 = now();
    } else if (trips > warmup) {
      const elapsed = now() - t0;
      if (elapsed >= duration) {
        result({ rtps: (trips - warmup) / elapsed });
        socket.destroy();
        return;
      }
    }
    socket.write(message);
  });
}

function pipelinedClient() {
  const { connections, messages, size, window } = params;
  const message = Buffer.alloc(size, 'm');
  const total = messages * size;
  const sockets = [];
  const starters = [];
  let up = 0;
  let done = 0;
  let t0 = 0;
  for (let i = 0; i < connections; i++) {
    const socket = net.connect(params.port, '127.0.0.1');
    let sent = 0;
    let received = 0;
    let blocked = false;
    const pump = () => {
      blocked = false;
      const limit = Math.min(messages, Math.floor(received / size) + window);
      while (sent < limit) {
        sent++;
        if (!socket.write(message)) {
          blocked = true; // 'drain' calls pump again
          return;
        }
      }
    };
    socket.on('connect', () => {
      socket.setNoDelay(true);
      up++;
      if (up === connections) {
        t0 = now();
        for (const start of starters) start();
      }
    });
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (received >= total) {
        done++;
        if (done === connections) {
          result({ mps: (connections * messages) / (now() - t0) });
          for (const s of sockets) s.destroy();
        }
      } else if (!blocked) {
        pump();
      }
    });
    socket.on('drain', pump);
    sockets.push(socket);
    starters.push(pump);
  }
}

function client() {
  const clients = {
    bulk: bulkClient,
    pingpong: pingClient,
    'pingpong-1core': pingClient,
    pipelined: pipelinedClient,
  };
  if (!clients[workload]) throw new Error(`no ${workload} client in this stack`);
  ready();
  waitGo();
  clients[workload]();
}

if (role === 'server') server();
else client();
