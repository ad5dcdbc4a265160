'use strict';
// Reference 4: net.isIP / isIPv4 / isIPv6 on a few values.
const {net, L} = require('../h');

const values = ['127.0.0.1', '255.255.255.255', '01.2.3.4', '1.2.3.4\n', '::1', '::', 'fe80::1%eth0',
  'fe80::1%', '::ffff:1.2.3.4', '1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:8::', '[::1]', '', 'localhost',
  '\uff11.\uff12.\uff13.\uff14', null, 123, {}];
for (const v of values) L(v, net.isIP(v), net.isIPv4(v), net.isIPv6(v));
