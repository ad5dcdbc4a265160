// Prints, for each call, the error node v20 throws synchronously (name, code,
// message), or "ok". tests/test_validation.py makes the same calls in nodenet.
const net = require('net');
function t(label, f) { try { const r = f(); if (r && r.destroy) { r.on('error',()=>{}); r.destroy(); } if (r && r.close) { r.on('error',()=>{}); try{r.close()}catch(e){} } console.log(JSON.stringify([label, 'ok'])); } catch (e) { console.log(JSON.stringify([label, e.name, e.code, e.message])); } }
const vals = {'-1':-1,'65536':65536,'NaN':NaN,'Infinity':Infinity,'1.5':1.5,'2**32':2**32,"''":'',"' '":' ',"'abc'":'abc',"'1e3'":'1e3',"'0x10'":'0x10','true':true,'null':null,'[]':[],'{}':{}};
for (const [k,v] of Object.entries(vals)) {
  t('connect({port:'+k+'})', () => net.connect({port:v, host:'127.0.0.1'}));
  t('connect('+k+')', () => net.connect(v, '127.0.0.1'));
  t('listen({port:'+k+'})', () => net.createServer().listen({port:v, host:'127.0.0.1'}));
}
t('connect()', () => net.connect());
t('connect({})', () => net.connect({}));
t('localAddress', () => net.connect({port:80, localAddress:'notanip'}));
t('localPort', () => net.connect({port:80, localPort:'x'}));
t('lookup', () => net.connect({port:80, host:'localhost', lookup:'notfn'}));
t('path42', () => net.connect({path:42}));
t('host42', () => net.connect({port:80, host:42}));
t('autoSelect', () => net.connect({port:80, autoSelectFamily:'yes'}));
t('timeout-1', () => net.connect({port:80, timeout:-1}));
t('objectMode', () => new net.Socket({objectMode:true}));
t('listen({})', () => net.createServer().listen({}));
t('listen({host})', () => net.createServer().listen({host:'localhost'}));
t('listen(true)', () => net.createServer().listen(true));
t('listen({path:-1})', () => net.createServer().listen({path:-1}));
t('createServer(str)', () => net.createServer('str'));
t('createServer(42)', () => net.createServer(42));
t('getConnections()', () => net.createServer().getConnections());
t('listen(4294967295)', () => net.createServer().listen(4294967295, '0.0.0.0'));
