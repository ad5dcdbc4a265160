'use strict';
// Reference 1.12: close() on a server that is not listening: the callback
// gets ERR_SERVER_NOT_RUNNING and 'close' is still emitted; closing twice
// emits 'close' twice.
const {net, L, port, traceServer} = require('../h');

const never = net.createServer();
traceServer(never, 'never');
L('close returns self', never.close((...a) => L('never close cb', a)) === never);
L('close without cb returns self', never.close() === never);

setTimeout(() => {
  const srv = net.createServer();
  traceServer(srv, 'twice');
  srv.listen(0, '127.0.0.1', () => {
    port(srv.address().port);
    srv.close((...a) => L('first close cb', a));
    srv.close((...a) => L('second close cb', a));
  });
}, 20);
