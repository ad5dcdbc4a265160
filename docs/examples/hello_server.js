// Node's "hello world" TCP server: greets, then pipes the connection to itself.
//
//     node hello_server.js [port]

const net = require('net');

function onConnection(socket) {
  socket.write('Hello World!\r\n');
  socket.pipe(socket);
}

function main(port) {
  const server = net.createServer(onConnection);
  server.listen(port, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${port}`));
}

main(process.argv.length > 2 ? Number(process.argv[2]) : 8124);
