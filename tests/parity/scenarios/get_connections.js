'use strict';
// Reference 6.2, 1.12: getConnections() counts live accepted sockets,
// decremented synchronously by destroy(), still counting after close();
// the server's 'close' comes once the count reaches zero.
const {net, L, port, traceServer} = require('../h');

const srv = net.createServer();
traceServer(srv, 'srv', ['close']);
const count = (label) => srv.getConnections((...a) => L(label, a));
L('returns self', srv.getConnections((...a) => L('before listen', a)) === srv);
L('after call');
const socks = [];
const clients = [];
srv.on('connection', (c) => {
  socks.push(c);
  c.on('close', (...a) => L('server socket close', socks.indexOf(c), a));
  count(`after connection ${socks.length}`);
  if (socks.length === 1) clients.push(net.connect(srv.address().port, '127.0.0.1').on('error', () => {}));
  else setTimeout(step2, 20);
});
srv.listen(0, '127.0.0.1', () => {
  port(srv.address().port);
  clients.push(net.connect(srv.address().port, '127.0.0.1').on('error', () => {}));
});
function step2() {
  socks[0].destroy();
  count('after destroy');
  srv.close((...a) => L('close cb', a));
  count('after close');
  setTimeout(() => {
    L('destroying the last');
    socks[1].destroy();
    count('after last destroy');
  }, 20);
}
