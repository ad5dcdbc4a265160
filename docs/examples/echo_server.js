// The echo server of Node's early documentation.
//
// Greets each client with "hello", echoes what it sends, and says "goodbye"
// when the client ends.  Listens on 127.0.0.1:8124, on another port, or on
// the unix socket given as the first argument:
//
//     node echo_server.js
//     node echo_server.js 9000
//     node echo_server.js /tmp/echo.sock

const net = require('net');

function onConnection(socket) {
  socket.setEncoding('utf8');
  socket.write('hello\r\n');
  socket.on('data', (text) => socket.write(text));

  socket.on('end', () => {
    socket.write('goodbye\r\n');
    socket.end();
  });
}

function main(argv) {
  const server = net.createServer(onConnection);
  const where = argv.length > 0 ? argv[0] : '8124';
  if (/^[0-9]+$/.test(where)) {
    server.listen(Number(where), '127.0.0.1');
  } else {
    server.listen(where);
  }
  server.on('listening', () => console.log('echo server listening on', server.address()));
}

main(process.argv.slice(2));
