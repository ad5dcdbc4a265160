'use strict';
// Reference 6.1: an unref'd listening server does not keep the process
// alive ('listening' still comes first).
const {net, L} = require('../h');

const srv = net.createServer();
srv.listen(0, (...a) => L('listening', a, srv.listening));
L('unref returns self', srv.unref() === srv);
L('unref again returns self', srv.unref() === srv);
