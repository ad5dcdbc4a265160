// A client for hello_server.js: prints what the server says, sends a line, ends.
//
//     node hello_client.js [port]

const net = require('net');

function main(port) {
  const client = net.connect(port, '127.0.0.1');
  client.setEncoding('utf8');

  client.on('connect', () => {
    client.end('ping\r\n');
  });
  client.on('data', (text) => process.stdout.write(text));
  client.on('end', () => console.log('[server ended]'));
}

main(process.argv.length > 2 ? Number(process.argv[2]) : 8124);
