// A server that answers after asynchronous work, as Node's docs advise.
//
// Each line a client sends is "processed" for a while (a timer standing in
// for a database or another service); the answer is written only if the
// client is still there (socket.destroyed is checked first), so a client
// that hangs up early costs nothing and raises nothing.  The server allows
// half-open connections, so a client may send its lines and end its side at
// once: the answers still reach it, and the server ends when they are out.
//
//     node biz_server.js [port] [delayMs]

const net = require('net');

function handler(delayMs) {
  return function onConnection(socket) {
    socket.setEncoding('utf8');
    let buffered = '';

    function answer(line) {
      if (socket.destroyed) {
        return;
      }
      socket.write(`processed: ${line.toUpperCase()}\r\n`);
    }

    socket.on('data', (text) => {
      buffered += text;
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        setTimeout(answer, delayMs, line.replace(/\r+$/, ''));
      }
    });
    socket.on('end', () => setTimeout(() => socket.end(), delayMs * 2));
    socket.on('error', (err) => console.log(`client error: ${err.message}`));
  };
}

function main(port, delayMs) {
  const server = net.createServer({ allowHalfOpen: true }, handler(delayMs));
  server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
}

const argv = process.argv.slice(2);
main(argv.length > 0 ? Number(argv[0]) : 8124, argv.length > 1 ? Number(argv[1]) : 100);
