'use strict';
// Reference 1.5: connecting to a missing unix socket path; the
// 'connectionAttempt' event fires inside connect().
const path = require('path');
const os = require('os');
const {net, st, L, subst, trace} = require('../h');

const p = subst(path.join(os.tmpdir(), `nodenet-parity-missing-${process.pid}.sock`), 'PATH');
const s = new net.Socket();
s.on('connectionAttempt', (...a) => L('early connectionAttempt', a, st(s)));
L('connect returns self', s.connect(p) === s);
L('sync', st(s));
trace(s, 'c');
