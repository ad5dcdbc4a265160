"""
TLS against real Node: the same scenarios, the same certificates, the same traces.

Every scenario of :data:`SCENARIOS` is a TLS server and a client (or a
plain TCP peer misbehaving), each logging its events as JSON lines together
with ``authorized``/``authorizationError``, ``getPeerCertificate(true)``,
``getProtocol()``, ``getCipher()``, ``alpnProtocol`` and ``servername``.
Each scenario runs four times: Node against Node (the reference), nodenet
against nodenet, a nodenet client against a Node server and a Node client
against a nodenet server; the traces of each side must equal the
reference's.  The certificates are made by ``test_tls`` and written to a
temporary directory for both.

Further tests compare with Node: Node's certificate objects for many
certificates, ``checkServerIdentity`` on a corpus of names, the errors of
bad credentials, and the legacy upgrade of a live connection
(``setSecure`` against Node's ``tls.connect({socket})`` and
``new tls.TLSSocket(socket, {isServer: true})``), in both directions.

The nodenet halves run in this process, on the reactor; Node's are
programs written to a temporary directory.  Skipped when ``node`` is not
installed.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.protocol import ProcessProtocol
from twisted.internet.task import deferLater
from twisted.trial.unittest import SynchronousTestCase, TestCase

NODE = shutil.which("node")
TIMEOUT = 30.0

# ---------------------------------------------------------------------------
# The scenarios: the server's and the client's configuration.  Certificates
# are named as in test_tls (NAME-key, NAME-cert).  ``onConnection`` is what
# the server does with each secure connection; the client writes "ping"
# when secure unless ``action`` says otherwise.  ``compare`` lists the runs
# compared with Node's (default: all three).

_SERVER = {"key": "server-key", "cert": "server-cert"}
_CA = {"ca": "ca-cert"}

SCENARIOS: dict[str, dict[str, Any]] = {
    "ok": {"server": {"opts": _SERVER, "onConnection": "echo", "info": True},
           "client": {"opts": _CA, "info": True, "peer": True}},
    "selfSigned": {"server": {"opts": {"key": "self-key", "cert": "self-cert"}}, "client": {}},
    "unknownCA": {"server": {"opts": {"key": "rogueserver-key", "cert": "rogueserver-cert"}},
                  "client": {"opts": _CA}},
    "expired": {"server": {"opts": {"key": "expired-key", "cert": "expired-cert"}}, "client": {"opts": _CA}},
    "notYetValid": {"server": {"opts": {"key": "future-key", "cert": "future-cert"}},
                    "client": {"opts": _CA}},
    "wrongHost": {"server": {"opts": {"key": "wrong-key", "cert": "wrong-cert"}}, "client": {"opts": _CA}},
    "wrongServername": {"server": {"opts": _SERVER},
                        "client": {"opts": {**_CA, "servername": "foo.example"}}},
    "lenient": {"server": {"opts": {"key": "self-key", "cert": "self-cert"}, "onConnection": "echo"},
                "client": {"opts": {"rejectUnauthorized": False}, "peer": True}},
    "chainWithoutCA": {"server": {"opts": {**_SERVER, "ca": "ca-cert"}, "onConnection": "echo"},
                       "client": {"opts": {"rejectUnauthorized": False}, "info": True, "peer": True}},
    "fancy": {"server": {"opts": {"key": "fancy-key", "cert": "fancy-cert"}, "onConnection": "echo"},
              "client": {"opts": {"rejectUnauthorized": False, "servername": "x.fancy.example"},
                         "peer": True}},
    "rsa": {"server": {"opts": {"key": "rsa-key", "cert": "rsa-cert"}, "onConnection": "echo"},
            "client": {"opts": _CA, "peer": True}},
    "mutual": {"server": {"opts": {**_SERVER, "ca": "ca-cert", "requestCert": True},
                          "onConnection": "echo", "info": True, "peer": True},
               "client": {"opts": {**_CA, "key": "client-key", "cert": "client-cert"}}},
    "mutualRogue": {"server": {"opts": {**_SERVER, "ca": "ca-cert", "requestCert": True},
                               "onConnection": "echo"},
                    "client": {"opts": {**_CA, "key": "rogueclient-key", "cert": "rogueclient-cert"}}},
    "mutualLenient": {"server": {"opts": {**_SERVER, "ca": "ca-cert", "requestCert": True,
                                          "rejectUnauthorized": False},
                                 "onConnection": "echo", "info": True, "peer": True},
                      "client": {"opts": {**_CA, "key": "rogueclient-key", "cert": "rogueclient-cert"}}},
    "noClientCertLenient": {"server": {"opts": {**_SERVER, "ca": "ca-cert", "requestCert": True,
                                                "rejectUnauthorized": False},
                                       "onConnection": "echo", "info": True, "peer": True},
                            "client": {"opts": _CA}},
    "noClientCertRequired": {"server": {"opts": {**_SERVER, "ca": "ca-cert", "requestCert": True},
                                        "onConnection": "echo"},
                             "client": {"opts": _CA, "action": "none"}},
    "alpn": {"server": {"opts": {**_SERVER, "ALPNProtocols": ["h2", "http/1.1"]},
                        "onConnection": "echo", "info": True},
             "client": {"opts": {**_CA, "ALPNProtocols": ["http/1.1", "h2"]}, "info": True}},
    "alpnNoMatch": {"server": {"opts": {**_SERVER, "ALPNProtocols": ["h2"]}, "onConnection": "echo"},
                    "client": {"opts": {**_CA, "ALPNProtocols": ["x"]}}},
    "tls12": {"server": {"opts": {**_SERVER, "maxVersion": "TLSv1.2"}, "onConnection": "echo", "info": True},
              "client": {"opts": _CA, "info": True}},
    "tls12rsa": {"server": {"opts": {"key": "rsa-key", "cert": "rsa-cert", "maxVersion": "TLSv1.2"},
                            "onConnection": "echo", "info": True},
                 "client": {"opts": _CA, "info": True}},
    "noCommonVersion": {"server": {"opts": {**_SERVER, "maxVersion": "TLSv1.2"}},
                        "client": {"opts": {**_CA, "minVersion": "TLSv1.3"}}},
    "sni": {"server": {"opts": {"key": "self-key", "cert": "self-cert", "SNICallback": "wrong"},
                       "onConnection": "echo", "info": True},
            "client": {"opts": {**_CA, "servername": "wrong.example"}, "info": True}},
    "pfx": {"server": {"opts": {"pfx": "server.pfx", "passphrase": "secret"}, "onConnection": "echo"},
            "client": {"opts": _CA}},
    "serverEnds": {"server": {"opts": _SERVER, "onConnection": "end"}, "client": {"opts": _CA, "action": "none"}},
    "serverDestroys": {"server": {"opts": _SERVER, "onConnection": "destroyOnData"}, "client": {"opts": _CA}},
    # A client that destroys right after the handshake may leave the
    # server's session tickets unread, so its kernel resets: a race of the
    # wire that Node's own server does not always see.
    "clientDestroys": {"server": {"opts": _SERVER}, "client": {"opts": _CA, "action": "destroy"},
                       "compare": ["both", "client"]},
    "pausedServer": {"server": {"opts": _SERVER, "onConnection": "pause"},
                     "client": {"opts": _CA, "action": "end"}},
    "plainClientGarbage": {"server": {"opts": _SERVER}, "client": {"kind": "net-garbage"}},
    "plainClientTruncated": {"server": {"opts": _SERVER}, "client": {"kind": "net-truncated"}},
    "plainClientEnds": {"server": {"opts": _SERVER}, "client": {"kind": "net-close"}},
    "plainClientResets": {"server": {"opts": _SERVER}, "client": {"kind": "net-reset"}},
    "silentClient": {"server": {"opts": {**_SERVER, "handshakeTimeout": 300}},
                     "client": {"kind": "net-silent"}},
    "plainServerCloses": {"server": {"kind": "net-close"}, "client": {"opts": _CA}},
    "plainServerGarbage": {"server": {"kind": "net-garbage"}, "client": {"opts": _CA}},
    "plainServerClosesAfterHello": {"server": {"kind": "net-afterhello"}, "client": {"opts": _CA}},
}

# ---------------------------------------------------------------------------
# The JavaScript half of a scenario (argv: certificate directory, scenario
# JSON, role 'both'|'server'|'client', port for a client).

SCENARIO_JS = r"""
'use strict';
const tls = require('tls'), net = require('net'), fs = require('fs'), path = require('path');
const dir = process.argv[2], sc = JSON.parse(process.argv[3]);
const role = process.argv[4] || 'both', givenPort = +process.argv[5];
const pem = n => fs.readFileSync(path.join(dir, n + '.pem'));
function material(o) {
  const out = {...o};
  for (const k of ['key', 'cert', 'ca']) if (typeof out[k] === 'string') out[k] = pem(out[k]);
  if (out.pfx) out.pfx = fs.readFileSync(path.join(dir, out.pfx));
  if (out.SNICallback) {
    const name = out.SNICallback;
    out.SNICallback = (servername, cb) => {
      L('server', 'SNICallback', servername);
      cb(null, tls.createSecureContext({key: pem(name + '-key'), cert: pem(name + '-cert')}));
    };
  }
  return out;
}
function plainCert(c, seen = new Map()) {
  if (!c || typeof c !== 'object') return c;
  if (seen.has(c)) return '[Circular]';
  seen.set(c, true);
  const o = {};
  for (const k of Object.keys(c)) {
    const v = c[k];
    if (Buffer.isBuffer(v)) o[k] = v.toString('hex');
    else if (v && typeof v === 'object' && !Array.isArray(v)) o[k] = plainCert(v, seen);
    else o[k] = v;
  }
  return o;
}
function fmt(x) {
  if (x === undefined || x === null) return null;
  if (x instanceof Error) {
    const o = {code: x.code === undefined ? null : x.code};
    if (x.library !== undefined) { o.library = x.library; o.reason = x.reason; } else o.message = x.message;
    for (const k of ['host', 'port', 'path', 'localAddress', 'syscall', 'reason'])
      if (k in x && !(k in o) && x[k] !== undefined && x[k] !== null) o[k] = fmt(x[k]);
    return o;
  }
  if (Buffer.isBuffer(x)) return x.toString('latin1');
  if (x instanceof tls.TLSSocket) return '<TLSSocket>';
  if (x instanceof net.Socket) return '<Socket>';
  if (Array.isArray(x)) return x.map(fmt);
  if (typeof x === 'object') { const o = {}; for (const k of Object.keys(x)) o[k] = fmt(x[k]); return o; }
  return x;
}
function L(...a) { process.stdout.write(JSON.stringify(a.map(fmt)) + '\n'); }
const st = s => ({authorized: s.authorized, authorizationError: s.authorizationError});
const EVENTS = ['connect', 'ready', 'secureConnect', 'secure', 'data', 'end', 'finish', 'drain',
  'timeout', 'error', 'close'];
function trace(s, name) { for (const e of EVENTS) s.on(e, (...a) => L(name, e, ...a, st(s))); }
function info(s, name, side) {
  if (side.info) L(name, 'info', {alpn: s.alpnProtocol, servername: s.servername,
    protocol: s.getProtocol(), cipher: s.getCipher() || null});
  if (side.peer) L(name, 'peer', plainCert(s.getPeerCertificate(true)));
}
setTimeout(() => { L('WATCHDOG'); process.exit(3); }, 8000).unref();
const S = sc.server || {}, C = sc.client || {};
let server = null, open = role === 'both' ? 2 : 1;
function done() { if (--open === 0 && server) server.close(); }
function serverSide(s) {
  if (S.onConnection === 'pause') { s.pause(); setTimeout(() => s.resume(), 200); }
  if (S.onConnection === 'end') s.end('pong');
  if (S.onConnection === 'destroyOnData') s.on('data', () => { s.write('abc'); s.destroy(); });
  if (S.onConnection === 'echo') s.on('data', d => s.end(d));
}
function startClient(port) {
  if (!C.kind) {
    const c = tls.connect({port, host: '127.0.0.1', ...material(C.opts || {})});
    trace(c, 'C');
    c.on('secureConnect', () => {
      info(c, 'C', C);
      if (C.action === 'destroy') { c.write('xyz'); c.destroy(); }
      else if (C.action === 'end') c.end('bye');
      else if (C.action !== 'none') c.write('ping');
    });
    c.on('close', done);
  } else {
    const c = net.connect(port, '127.0.0.1', () => {
      if (C.kind === 'net-garbage') c.write('GET / HTTP/1.1\r\n\r\n');
      if (C.kind === 'net-truncated') c.end(Buffer.from('16030100c4010000c00303', 'hex'));
      if (C.kind === 'net-close') c.end();
      if (C.kind === 'net-reset') c.resetAndDestroy();
    });
    c.on('error', e => L('C', 'error', e));
    c.on('end', () => L('C', 'end'));
    c.on('close', () => { L('C', 'close'); done(); });
  }
}
if (role === 'client') {
  L('#port', givenPort);
  startClient(givenPort);
} else if (!S.kind) {
  server = tls.createServer(material(S.opts || {}));
  server.on('connection', s => s.on('close', done));
  server.on('secureConnection', s => {
    L('server', 'secureConnection'); trace(s, 'S'); info(s, 'S', S); serverSide(s);
  });
  server.on('tlsClientError', (e, s) => {
    L('server', 'tlsClientError', e, s.destroyed);
    if (!s.destroyed) s.destroy();
  });
} else {
  server = net.createServer(s => {
    s.on('error', () => {});
    s.on('close', done);
    s.resume();
    if (S.kind === 'net-close') s.end();
    if (S.kind === 'net-garbage') s.write('HTTP/1.1 400 Bad Request\r\n\r\n');
    if (S.kind === 'net-afterhello') s.once('data', () => s.end());
  });
}
if (server) server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  L('#port', port);
  if (role === 'both') startClient(port);
});
"""


# ---------------------------------------------------------------------------
# The nodenet half of a scenario: the same program, run on this process's
# reactor (so no Python process is started per run).


def _plainCert(cert: Any, seen: set[int] | None = None) -> Any:
    if not isinstance(cert, dict):
        return cert
    seen = set() if seen is None else seen
    if id(cert) in seen:
        return "[Circular]"
    seen.add(id(cert))
    out: dict[str, Any] = {}
    for key, value in cert.items():
        if isinstance(value, bytes):
            out[key] = value.hex()
        elif isinstance(value, dict):
            out[key] = _plainCert(value, seen)
        else:
            out[key] = value
    return out


def _fmt(x: Any) -> Any:
    from nodenet import net, tls

    if x is None:
        return None
    if isinstance(x, BaseException):
        o: dict[str, Any] = {"code": getattr(x, "code", None)}
        if getattr(x, "library", None) is not None:
            o["library"] = x.library  # type: ignore[attr-defined]
            o["reason"] = x.reason  # type: ignore[attr-defined]
        else:
            o["message"] = str(x)
        for key in ("host", "port", "path", "localAddress", "syscall", "reason"):
            if key not in o and getattr(x, key, None) is not None:
                o[key] = _fmt(getattr(x, key))
        return o
    if isinstance(x, (bytes, bytearray)):
        return bytes(x).decode("latin-1")
    if isinstance(x, tls.TLSSocket):
        return "<TLSSocket>"
    if isinstance(x, net.Socket):
        return "<Socket>"
    if isinstance(x, dict):
        return {k: _fmt(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_fmt(v) for v in x]
    return x


class Log:
    """The JSON lines of one program, and the port it registered."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, *args: Any) -> None:
        self.lines.append(json.dumps([_fmt(a) for a in args], separators=(",", ":"), ensure_ascii=False))

    def parsed(self) -> list[Any]:
        """Every line, decoded."""
        result = []
        for raw in self.lines:
            try:
                result.append(json.loads(raw))
            except ValueError:
                result.append(["<not JSON>", raw])
        return result

    def port(self) -> int | None:
        """The port registered with ``["#port", n]``."""
        for line in self.parsed():
            if isinstance(line, list) and line[:1] == ["#port"]:
                return int(line[1])
        return None


def nodenetScenario(certDir: str, scenario: dict[str, Any], role: str, givenPort: int,
                    L: Log) -> Deferred[None]:
    """
    Run one scenario's nodenet half (see :data:`SCENARIO_JS`) on the reactor;
    fires once it is over, every socket and the server closed.
    """
    import nodenet as net
    from nodenet import tls

    finished: Deferred[None] = Deferred()
    sockets: list[Any] = []

    def pem(name: str) -> bytes:
        with open(os.path.join(certDir, name + ".pem"), "rb") as f:
            return f.read()

    def material(options: dict[str, Any]) -> dict[str, Any]:
        out = dict(options)
        for key in ("key", "cert", "ca"):
            if isinstance(out.get(key), str):
                out[key] = pem(out[key])
        if out.get("pfx"):
            with open(os.path.join(certDir, out["pfx"]), "rb") as f:
                out["pfx"] = f.read()
        if out.get("SNICallback"):
            name = out["SNICallback"]

            def sni(servername: str, cb: Any) -> None:
                L("server", "SNICallback", servername)
                cb(None, tls.createSecureContext({"key": pem(name + "-key"), "cert": pem(name + "-cert")}))

            out["SNICallback"] = sni
        return out

    def st(s: Any) -> dict[str, Any]:
        return {"authorized": s.authorized, "authorizationError": s.authorizationError}

    events = ["connect", "ready", "secureConnect", "secure", "data", "end", "finish", "drain",
              "timeout", "error", "close"]

    def trace(s: Any, name: str) -> None:
        for event in events:
            s.on(event, lambda *a, e=event: L(name, e, *a, st(s)))

    def info(s: Any, name: str, side: dict[str, Any]) -> None:
        if side.get("info"):
            L(name, "info", {"alpn": s.alpnProtocol, "servername": s.servername,
                             "protocol": s.getProtocol(), "cipher": s.getCipher()})
        if side.get("peer"):
            L(name, "peer", _plainCert(s.getPeerCertificate(True)))

    S = scenario.get("server") or {}
    C = scenario.get("client") or {}
    state: dict[str, Any] = {"open": 2 if role == "both" else 1, "server": None}

    def finish(*_: Any) -> None:
        watchdog.cancel() if watchdog.active() else None
        if not finished.called:
            finished.callback(None)

    def bark() -> None:
        L("WATCHDOG")
        for s in sockets:
            s.destroy()
        if state["server"] is not None:
            state["server"].close()
        reactor.callLater(0.5, finish)

    watchdog = reactor.callLater(8, bark)

    def done(*_: Any) -> None:
        state["open"] -= 1
        if state["open"] == 0:
            if state["server"] is not None:
                state["server"].close()
            else:
                finish()

    def serverSide(s: Any) -> None:
        action = S.get("onConnection")
        if action == "pause":
            s.pause()
            net.timers.setTimeout(s.resume, 200)
        elif action == "end":
            s.end("pong")
        elif action == "destroyOnData":
            s.on("data", lambda d: (s.write("abc"), s.destroy()))
        elif action == "echo":
            s.on("data", lambda d: s.end(d))

    def startClient(port: int) -> None:
        kind = C.get("kind")
        if not kind:
            c = tls.connect({"port": port, "host": "127.0.0.1", **material(C.get("opts") or {})})
            sockets.append(c)
            trace(c, "C")

            def onSecure() -> None:
                info(c, "C", C)
                action = C.get("action")
                if action == "destroy":
                    c.write("xyz")
                    c.destroy()
                elif action == "end":
                    c.end("bye")
                elif action != "none":
                    c.write("ping")

            c.on("secureConnect", onSecure)
            c.on("close", done)
            return

        def onConnect() -> None:
            if kind == "net-garbage":
                p.write("GET / HTTP/1.1\r\n\r\n")
            elif kind == "net-truncated":
                p.end(bytes.fromhex("16030100c4010000c00303"))
            elif kind == "net-close":
                p.end()
            elif kind == "net-reset":
                p.resetAndDestroy()

        p = net.connect(port, "127.0.0.1", onConnect)
        sockets.append(p)
        p.on("error", lambda e: L("C", "error", e))
        p.on("end", lambda: L("C", "end"))
        p.on("close", lambda h: (L("C", "close"), done()))

    if role == "client":
        L("#port", givenPort)
        startClient(givenPort)
        return finished
    server: Any
    if not S.get("kind"):
        server = tls.createServer(material(S.get("opts") or {}))

        def onSecure(s: Any) -> None:
            L("server", "secureConnection")
            trace(s, "S")
            info(s, "S", S)
            serverSide(s)

        def onClientError(e: Any, s: Any) -> None:
            L("server", "tlsClientError", e, s.destroyed)
            if not s.destroyed:
                s.destroy()

        server.on("secureConnection", onSecure)
        server.on("tlsClientError", onClientError)
    else:
        def onPlain(s: Any) -> None:
            s.on("error", lambda e: None)
            s.resume()
            if S["kind"] == "net-close":
                s.end()
            elif S["kind"] == "net-garbage":
                s.write("HTTP/1.1 400 Bad Request\r\n\r\n")
            elif S["kind"] == "net-afterhello":
                s.once("data", lambda d: s.end())

        server = net.createServer(onPlain)

    def onConnection(s: Any) -> None:
        sockets.append(s)
        s.on("close", done)

    server.on("connection", onConnection)
    server.on("close", finish)
    state["server"] = server

    def listening() -> None:
        port = server.address()["port"]
        L("#port", port)
        if role == "both":
            startClient(port)

    server.listen(0, "127.0.0.1", listening)
    return finished


# ---------------------------------------------------------------------------
# The legacy upgrade: plaintext "STARTTLS", then TLS on the same connection.

LEGACY_JS = r"""
'use strict';
const tls = require('tls'), net = require('net'), fs = require('fs'), path = require('path');
const dir = process.argv[2], role = process.argv[3];
const pem = n => fs.readFileSync(path.join(dir, n + '.pem'));
const L = (...a) => process.stdout.write(JSON.stringify(a) + '\n');
const plainCert = c => { const o = {...c}; for (const k of ['raw', 'pubkey']) if (o[k]) o[k] = o[k].toString('hex');
  delete o.issuerCertificate; return o; };
setTimeout(() => { L('WATCHDOG'); process.exit(3); }, 8000).unref();
if (role === 'client') {
  const port = +process.argv[4], who = process.argv[5];
  L('#port', port);
  const sock = net.connect(port, '127.0.0.1', () => sock.write('STARTTLS\r\n'));
  sock.once('data', d => {
    L('plain', d.toString());
    const opts = {socket: sock, ca: pem('ca-cert'), servername: 'localhost'};
    if (who !== '-') { opts.key = pem(who + '-key'); opts.cert = pem(who + '-cert'); }
    const t = tls.connect(opts, () => { L('secure', t.authorized, plainCert(t.getPeerCertificate())); t.write('ping'); });
    t.on('data', d => { L('data', d.toString()); t.end(); });
    t.on('end', () => L('end'));
    t.on('close', () => L('close'));
  });
} else {
  const srv = net.createServer(sock => {
    sock.once('data', d => {
      L('plain', d.toString());
      sock.write('OK\r\n');
      const t = new tls.TLSSocket(sock, {isServer: true, requestCert: true, rejectUnauthorized: false,
        secureContext: tls.createSecureContext({key: pem('server-key'), cert: pem('server-cert'), ca: pem('ca-cert')})});
      t.on('secure', () => {
        const err = t.ssl.verifyError();
        L('secure', !err && Object.keys(t.getPeerCertificate()).length > 0, plainCert(t.getPeerCertificate()));
      });
      t.on('data', d => { L('data', d.toString()); t.end('pong:' + d); });
      t.on('end', () => L('end'));
      t.on('close', () => { L('close'); srv.close(); });
    });
  });
  srv.listen(0, '127.0.0.1', () => L('#port', srv.address().port));
}
"""


def nodenetLegacy(certDir: str, role: str, port: int, who: str, L: Log) -> Deferred[None]:
    """The nodenet half of the legacy upgrade (``setSecure``), see :data:`LEGACY_JS`."""
    import nodenet as net

    finished: Deferred[None] = Deferred()

    def pem(name: str) -> bytes:
        with open(os.path.join(certDir, name + ".pem"), "rb") as f:
            return f.read()

    def plainCert(cert: dict[str, Any] | None) -> dict[str, Any]:
        out = dict(cert or {})
        out.pop("issuerCertificate", None)
        return {k: (v.hex() if isinstance(v, bytes) else v) for k, v in out.items()}

    if role == "server":
        creds = net.createCredentials(key=pem("server-key"), cert=pem("server-cert"), ca=pem("ca-cert"))

        def onConnection(s: Any) -> None:
            def first(data: bytes) -> None:
                L("plain", data.decode())
                s.write("OK\r\n")
                s.setSecure(creds)
                s.on("data", lambda d: (L("data", d.decode()), s.end(b"pong:" + d)))

            s.once("data", first)
            s.on("secure", lambda: L("secure", s.verifyPeer(), plainCert(s.getPeerCertificate())))
            s.on("end", lambda: L("end"))
            s.on("close", lambda h: (L("close"), server.close()))

        server = net.createServer(onConnection)
        server.on("close", lambda: finished.callback(None))
        server.listen(0, "127.0.0.1", lambda: L("#port", server.address()["port"]))
        return finished
    L("#port", port)
    options: dict[str, Any] = {"ca": pem("ca-cert")}
    if who != "-":
        options.update(key=pem(who + "-key"), cert=pem(who + "-cert"))
    creds = net.createCredentials(options)
    client = net.connect(port, "localhost", lambda: client.write("STARTTLS\r\n"))

    def first(data: bytes) -> None:
        L("plain", data.decode())
        client.setSecure(creds)
        client.on("data", lambda d: (L("data", d.decode()), client.end()))

    client.once("data", first)

    def secure() -> None:
        L("secure", client.verifyPeer(), plainCert(client.getPeerCertificate()))
        client.write("ping")

    client.on("secure", secure)
    client.on("end", lambda: L("end"))
    client.on("close", lambda h: (L("close"), finished.callback(None)))
    return finished


# ---------------------------------------------------------------------------
# Running Node

_tmp: tempfile.TemporaryDirectory[str] | None = None


_scriptsLock = threading.Lock()


def _scripts() -> dict[str, str]:
    """
    The JavaScript programs, written once to a temporary directory.

    Scenarios run in a thread pool: without the lock two threads could each
    make a directory, and the one whose directory object was dropped would
    find its files deleted under it.
    """
    global _tmp
    with _scriptsLock:
        if _tmp is None:
            _tmp = tempfile.TemporaryDirectory(prefix="nodenet-tls-js-")
            for name, text in (("scenario", SCENARIO_JS), ("legacy", LEGACY_JS),
                               ("credentials", CREDENTIALS_JS), ("identity", IDENTITY_JS)):
                with open(os.path.join(_tmp.name, f"{name}.js"), "w") as f:
                    f.write(text)
        return {name: os.path.join(_tmp.name, f"{name}.js")
                for name in ("scenario", "legacy", "credentials", "identity")}


def _certDir() -> str:
    from .test_tls import certificates

    return certificates().directory()


def _nodeEnv() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("NODE_TLS_REJECT_UNAUTHORIZED", None)
    return env


def runNode(program: str, args: list[str], stdin: str | None = None) -> Log:
    """Run a Node program to its end (outside the reactor), collecting its lines."""
    assert NODE is not None
    log = Log()
    try:
        done = subprocess.run([NODE, _scripts()[program], *args], env=_nodeEnv(), input=stdin,
                              capture_output=True, text=True, timeout=TIMEOUT)
        log.lines = done.stdout.splitlines()
        if done.stderr.strip():
            log.lines.append(json.dumps(["#stderr", done.stderr.strip()[-2000:]]))
    except subprocess.TimeoutExpired:
        log.lines = [json.dumps(["#timeout"])]
    return log


class NodeProcess(ProcessProtocol):
    """A Node program run on the reactor: its lines, the first of them, its end."""

    def __init__(self) -> None:
        self.log = Log()
        self.firstLine: Deferred[Any] = Deferred()
        self.ended: Deferred[Log] = Deferred()
        self._buffer = b""
        self._err = b""

    @classmethod
    def start(cls, program: str, args: list[str]) -> NodeProcess:
        """Spawn ``node program args``."""
        assert NODE is not None
        process = cls()
        reactor.spawnProcess(process, NODE, [NODE, _scripts()[program], *args], env=_nodeEnv())
        return process

    def outReceived(self, data: bytes) -> None:
        self._buffer += data
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            self.log.lines.append(line.decode("utf-8", "replace"))
            if not self.firstLine.called:
                self.firstLine.callback(json.loads(line))

    def errReceived(self, data: bytes) -> None:
        self._err += data

    def processEnded(self, reason: Any) -> None:
        if self._err.strip():
            self.log.lines.append(json.dumps(["#stderr", self._err.decode("utf-8", "replace")[-2000:]]))
        if not self.firstLine.called:
            self.firstLine.callback(None)
        self.ended.callback(self.log)


_references: dict[str, Log] = {}


def reference(name: str) -> Log:
    """Node's trace of scenario ``name`` (Node against Node; all run at once the first time)."""
    if not _references:
        certDir = _certDir()

        def run(item: tuple[str, dict[str, Any]]) -> Log:
            return runNode("scenario", [certDir, json.dumps(item[1]), "both"])

        with ThreadPoolExecutor(max_workers=4) as pool:
            for key, log in zip(SCENARIOS, pool.map(run, SCENARIOS.items()), strict=True):
                _references[key] = log
    return _references[name]


def sideTrace(log: Log, side: str) -> list[str]:
    """One side's lines of a trace, normalised: the port is ``PORT``."""
    port = log.port()
    lines = []
    for line in log.parsed():
        if not isinstance(line, list) or not line or line[0] not in (side, "WATCHDOG", "#stderr"):
            continue
        text = json.dumps(line, separators=(",", ":"), ensure_ascii=False)
        if port is not None:
            text = re.sub(rf"(?<![0-9]){port}(?![0-9])", "PORT", text)
        lines.append(text)
    return lines


class ScenarioTests(TestCase):
    """Each scenario's traces under nodenet equal Node's, side by side."""

    if NODE is None:
        skip = "node is not installed: TLS is compared with Node, the reference"

    timeout = 60
    longMessage = False

    async def runs(self, name: str) -> list[tuple[str, Log, tuple[str, ...]]]:
        """The runs of scenario ``name`` to compare with Node's, and their sides."""
        certDir = _certDir()
        scenario = SCENARIOS[name]
        text = json.dumps(scenario)
        compare = scenario.get("compare", ["both", "client", "server"])
        runs: list[tuple[str, Log, tuple[str, ...]]] = []
        both = Log()
        await nodenetScenario(certDir, scenario, "both", 0, both)
        runs.append(("nodenet with nodenet", both, ("C", "S", "server")))
        if "client" in compare:
            node = NodeProcess.start("scenario", [certDir, text, "server"])
            first = await node.firstLine
            ours = Log()
            if first is not None:
                await nodenetScenario(certDir, scenario, "client", int(first[1]), ours)
            await node.ended
            runs.append(("nodenet client with a Node server", ours, ("C",)))
        if "server" in compare:
            ours = Log()
            listening: Deferred[None] = nodenetScenario(certDir, scenario, "server", 0, ours)
            await _until(lambda: ours.port() is not None)
            node = NodeProcess.start("scenario", [certDir, text, "client", str(ours.port())])
            await node.ended
            await listening
            runs.append(("nodenet server with a Node client", ours, ("S", "server")))
        return runs

    async def check(self, name: str) -> None:
        """Compare each side of each run of scenario ``name`` with Node's."""
        expected = reference(name)
        self.assertTrue(expected.lines, f"node printed nothing for {name}")
        problems = []
        for label, log, sides in await self.runs(name):
            for side in sides:
                want, got = sideTrace(expected, side), sideTrace(log, side)
                if want != got:
                    diff = "\n".join(difflib.unified_diff(want, got, "node", label, lineterm=""))
                    problems.append(f"{label}, side {side}:\n{diff}")
        self.assertEqual([], problems, "\n\n".join(problems))


async def _until(condition: Any) -> None:
    """Wait (a reactor turn at a time, at most 5 s) until ``condition()``."""
    for _ in range(500):
        if condition():
            return
        await deferLater(reactor, 0.01, lambda: None)
    raise AssertionError("timed out")


def _addScenarioTests() -> None:
    for name in SCENARIOS:
        async def test(self: ScenarioTests, name: str = name) -> None:
            await self.check(name)

        test.__name__ = f"test_{name}"
        test.__doc__ = f"Scenario {name}: nodenet's traces equal Node's."
        setattr(ScenarioTests, test.__name__, test)


_addScenarioTests()


class LegacyUpgradeTests(TestCase):
    """``setSecure()`` upgrades a live connection to and from Node's upgraded sockets."""

    if NODE is None:
        skip = "node is not installed: TLS is compared with Node, the reference"

    timeout = 60

    async def withNodeServer(self, who: str, ours: bool) -> tuple[list[Any], list[Any]]:
        """A Node server upgrading with ``new tls.TLSSocket``; a Node or nodenet client."""
        certDir = _certDir()
        server = NodeProcess.start("legacy", [certDir, "server"])
        first = await server.firstLine
        port = str(first[1])
        if ours:
            client = Log()
            await nodenetLegacy(certDir, "client", int(port), who, client)
        else:
            client = await NodeProcess.start("legacy", [certDir, "client", port, who]).ended
        return (await server.ended).parsed(), client.parsed()

    async def withNodeClient(self, who: str) -> tuple[list[Any], list[Any]]:
        """A nodenet server upgrading with ``setSecure()``; a Node client."""
        certDir = _certDir()
        server = Log()
        done = nodenetLegacy(certDir, "server", 0, "-", server)
        await _until(lambda: server.port() is not None)
        client = await NodeProcess.start("legacy", [certDir, "client", str(server.port()), who]).ended
        await done
        return server.parsed(), client.parsed()

    async def test_nodeClientNodenetServer(self) -> None:
        """
        A Node client upgrading with ``tls.connect({socket})``: the nodenet
        server's ``verifyPeer()`` and ``getPeerCertificate()`` equal what a
        Node server reports for the same client certificate, and data flows.
        """
        for who in ("client", "rogueclient", "-"):
            nodeServer, nodeClient = await self.withNodeServer(who, ours=False)
            ourServer, theirClient = await self.withNodeClient(who)
            self.assertEqual(nodeServer[1:], ourServer[1:], who)
            self.assertEqual(nodeClient[1:], theirClient[1:], who)
            self.assertEqual(["plain", "STARTTLS\r\n"], ourServer[1])
            self.assertEqual(["data", "pong:ping"], theirClient[3])

    async def test_nodenetClientNodeServer(self) -> None:
        """
        A nodenet client upgrading with ``setSecure()`` against Node's
        ``new tls.TLSSocket(socket, {isServer: true})``: its ``verifyPeer()``
        and ``getPeerCertificate()`` equal a Node client's ``authorized`` and
        certificate, and the Node server sees the same as with a Node client.
        """
        for who in ("client", "rogueclient", "-"):
            nodeServer, nodeClient = await self.withNodeServer(who, ours=False)
            theirServer, ourClient = await self.withNodeServer(who, ours=True)
            self.assertEqual(nodeClient[1:], ourClient[1:], who)
            self.assertEqual(nodeServer[1:], theirServer[1:], who)
            self.assertEqual(["secure", True], ourClient[2][:2])


# ---------------------------------------------------------------------------
# checkServerIdentity and credentials errors, case by case

IDENTITY_JS = r"""
'use strict';
const tls = require('tls');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(([host, cert]) => {
  const err = tls.checkServerIdentity(host, cert);
  return err ? [err.code, err.message, err.reason, err.host] : null;
});
process.stdout.write(JSON.stringify(out));
"""

_NAMES = ["localhost", "LOCALHOST", "localhost.", "a.example.org", "A.Example.ORG", "example.org",
          "b.a.example.org", "foo.example", "xn--bcher-kva.example", "f.bar.example", "fb.bar.example",
          "fbaz.bar.example", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1", "10.0.0.1",
          "fe80::abcd:1", "FE80::ABCD:1", "1.2.3.4", "", "com", "a.b", "*.example.org", "a..example.org"]
_CERTS: list[dict[str, Any]] = [
    {"subject": {"CN": "localhost"},
     "subjectaltname": "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"},
    {"subject": {}, "subjectaltname": "DNS:*.example.org"},
    {"subject": {}, "subjectaltname": "DNS:*.org"},
    {"subject": {}, "subjectaltname": "DNS:f*.bar.example, DNS:xn--*.example"},
    {"subject": {}, "subjectaltname": "DNS:*b*.bar.example"},
    {"subject": {}, "subjectaltname": 'DNS:"a\\u002c b.example", DNS:b.example'},
    {"subject": {}, "subjectaltname": "IP Address:FE80:0:0:0:0:0:ABCD:1, IP Address:10.0.0.1"},
    {"subject": {"CN": "*.example.org"}},
    {"subject": {"CN": ["a.example.org", "localhost"]}},
    {"subject": {"CN": "127.0.0.1"}},
    {"subject": {}, "subjectaltname": "email:a@b.example, URI:http://localhost/"},
    {"subject": {}},
    {"subject": {"CN": "Localhost"}, "subjectaltname": "URI:http://x/"},
]


class CheckServerIdentityNodeTests(SynchronousTestCase):
    """``tls.checkServerIdentity`` gives Node's answer on every case of a corpus."""

    if NODE is None:
        skip = "node is not installed: TLS is compared with Node, the reference"

    def test_corpus(self) -> None:
        """Every host name against every certificate: the same errors and reasons."""
        from nodenet import tls

        cases = [[host, cert] for host in _NAMES for cert in _CERTS]
        expected = json.loads(runNode("identity", [], json.dumps(cases)).lines[0])
        actual = []
        for host, cert in cases:
            err = tls.checkServerIdentity(host, cert)
            actual.append(None if err is None else [err.code, str(err), getattr(err, "reason", None),
                                                    getattr(err, "host", None)])
        mismatches = [(case, e, a) for case, e, a in zip(cases, expected, actual, strict=True) if e != a]
        self.assertEqual([], mismatches)


CREDENTIALS_JS = r"""
const tls = require('tls'), fs = require('fs'), path = require('path');
const dir = process.argv[2];
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const load = v => typeof v === 'string' && v.startsWith('@') ? fs.readFileSync(path.join(dir, v.slice(1))) : v;
const out = cases.map(options => {
  const o = {};
  for (const [k, v] of Object.entries(options)) o[k] = Array.isArray(v) ? v.map(load) : load(v);
  try { tls.createSecureContext(o); return 'ok'; }
  catch (e) { return {name: e.name, code: e.code === undefined ? null : e.code, message: e.message}; }
});
process.stdout.write(JSON.stringify(out));
"""

_CREDENTIALS: list[dict[str, Any]] = [
    {"key": "@server-key.pem", "cert": "@server-cert.pem", "ca": "@ca-cert.pem"},
    {"key": "garbage", "cert": "@server-cert.pem"},
    {"key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "cert": "@server-cert.pem"},
    {"key": "@server-key.pem", "cert": "garbage"},
    {"key": "garbage", "cert": "garbage"},
    {"key": "@client-key.pem", "cert": "@server-cert.pem"},
    {"key": "@server-key-enc.pem", "cert": "@server-cert.pem"},
    {"key": "@server-key-enc.pem", "cert": "@server-cert.pem", "passphrase": "nope"},
    {"key": "@server-key-enc.pem", "cert": "@server-cert.pem", "passphrase": "secret"},
    {"pfx": "@server.pfx", "passphrase": "secret"},
    {"pfx": "@server.pfx", "passphrase": "wrong"},
    {"ca": "garbage"},
    {"ca": ["@ca-cert.pem", "@rogue-cert.pem"]},
    {"key": 5},
    {"cert": 5},
    {"ca": 5},
    {"passphrase": 5},
    {"key": "@server-key.pem", "cert": "@server-cert.pem", "passphrase": 5},
    {"minVersion": "TLSv1.9"},
    {"maxVersion": "foo"},
    {"ciphers": "nonsense"},
]


class CredentialsNodeTests(SynchronousTestCase):
    """Bad credentials raise Node's error (name, code, message) at once."""

    if NODE is None:
        skip = "node is not installed: TLS is compared with Node, the reference"

    def test_sameErrorsAsNode(self) -> None:
        """``createCredentials`` fails, or not, exactly as ``tls.createSecureContext`` in Node."""
        import nodenet as net

        certDir = _certDir()
        expected = json.loads(runNode("credentials", [certDir], json.dumps(_CREDENTIALS)).lines[0])

        def load(value: Any) -> Any:
            if isinstance(value, str) and value.startswith("@"):
                with open(os.path.join(certDir, value[1:]), "rb") as f:
                    return f.read()
            return value

        actual: list[Any] = []
        for options in _CREDENTIALS:
            given = {k: [load(x) for x in v] if isinstance(v, list) else load(v) for k, v in options.items()}
            try:
                net.createCredentials(given)
            except Exception as e:
                actual.append({"name": getattr(e, "name", type(e).__name__), "code": getattr(e, "code", None),
                               "message": str(e)})
            else:
                actual.append("ok")
        self.assertEqual(list(zip(_CREDENTIALS, expected, strict=True)), list(zip(_CREDENTIALS, actual, strict=True)))
