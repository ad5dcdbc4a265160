'use strict';
// Reference 1.6, 5.3: listen() on a listening server throws
// ERR_SERVER_ALREADY_LISTEN; after close() it may listen again.
const {net, sst, L, port, tryLog, traceServer} = require('../h');

const srv = net.createServer();
traceServer(srv, 's');
srv.listen(0, () => {
  port(srv.address().port);
  tryLog('listen again', () => srv.listen(0) === srv);
  tryLog('listen again with host', () => srv.listen(0, '127.0.0.1') === srv);
  L('state', sst(srv));
  srv.close(() => {
    L('relisten returns self', srv.listen(0, '127.0.0.1', () => {
      port(srv.address().port, 'PORT2');
      L('relistening', sst(srv));
      srv.close();
    }) === srv);
  });
});
