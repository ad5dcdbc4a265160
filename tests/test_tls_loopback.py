"""
TLS over the real kernel, nodenet on both ends: the legacy upgrade
(``setSecure``/``verifyPeer``), flow control, closing, misbehaving clients.

Expected behaviour is Node v20's, measured with the same scenarios under
``node`` (``test_tls_node`` compares event traces with Node directly; the
tests here also run where Node is not installed).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import warnings
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred, DeferredList

import nodenet as net
from nodenet import _tls, tls
from nodenet.errors import NodeError

from .reactors import UVLOOP_MISSES_RESETS, runningOnUvloop
from .test_loopback import HAS_IPV6, LoopbackTestCase, Trace, nextEvent
from .test_tls import certificates

TLS_EVENTS = ("connect", "ready", "secureConnect", "secure", "data", "end", "finish", "drain",
              "timeout", "error", "close")


def serverOptions(**extra: Any) -> dict[str, Any]:
    """A TLS server's options: the ``localhost`` certificate, and ``extra``."""
    certs = certificates()
    return {"key": certs.server.keyPEM, "cert": certs.server.certPEM, **extra}


class TLSTestCase(LoopbackTestCase):
    """Loopback helpers for TLS servers and clients."""

    async def tlsServer(self, options: dict[str, Any], host: str = "127.0.0.1") -> tuple[Any, list[Trace]]:
        """A listening ``tls.Server``; the traces of its secure connections."""
        server = tls.createServer(options)
        secured: list[Trace] = []
        server.on("secureConnection", lambda s: secured.append(self.track(s, TLS_EVENTS)))
        server.on("connection", lambda s: self.traces.append(Trace(s, ["close"])))
        self.servers.append((server, Trace(server, ["close"])))
        listening = net.once(server, "listening")
        server.listen(0, host)
        await listening
        return server, secured

    async def secured(self, server: Any, secured: list[Trace], count: int = 1) -> Trace:
        """The trace of the ``count``-th secure connection, once it is there."""
        while len(secured) < count:
            await nextEvent(server, "secureConnection")
        return secured[count - 1]

    def tlsClient(self, port: int, host: str = "127.0.0.1", **options: Any) -> tuple[Any, Trace]:
        """A traced ``tls.connect()`` client trusting the test CA."""
        client = tls.connect({"port": port, "host": host, "ca": certificates().ca.certPEM, **options})
        return client, self.track(client, TLS_EVENTS)

    async def pinger(self) -> Any:
        """A function waiting ``n`` round trips of the reactor."""

        async def ping(n: int = 1) -> None:
            for _ in range(n):
                d: Deferred[None] = Deferred()
                reactor.callLater(0.01, d.callback, None)
                await d

        return ping


class LegacyTests(TLSTestCase):
    """``net.createCredentials``, ``socket.setSecure()``, ``'secure'``, ``verifyPeer()``."""

    async def upgraded(
        self,
        serverCreds: Any,
        clientCreds: Any,
        host: str = "127.0.0.1",
        relay: list[bytes] | None = None,
    ) -> tuple[Any, Any, Trace, Trace]:
        """
        A plain connection upgraded by both ends: the server writes ``GO``
        (in clear) and upgrades; the client upgrades once it read ``GO``.
        ``relay`` collects what travels from the server to the client.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]

        def onConnection(socket: Any) -> None:
            socket.on("data", lambda data: None)
            socket.cork()
            socket.write(b"GO")
            socket.setSecure(serverCreds)
            socket.write(b"after the upgrade")
            socket.uncork()

        server.on("connection", onConnection)
        if relay is not None:
            port = await self.relay(port, relay)
        client, clientTrace = self.connect(port, host, events=TLS_EVENTS)
        client.once("data", lambda data: client.setSecure(clientCreds))
        serverTrace = await accepted.get(0)
        await DeferredList([net.once(client, "secure"), net.once(serverTrace.emitter, "secure")])
        return client, serverTrace.emitter, clientTrace, serverTrace

    async def relay(self, port: int, capture: list[bytes]) -> int:
        """A plain TCP relay to ``port`` keeping what the server sends; its port."""
        relay, _, accepted = await self.listening(0, "127.0.0.1")

        def onConnection(inbound: Any) -> None:
            outbound = net.connect(port, "127.0.0.1")
            self.track(outbound, ["close"])
            outbound.on("data", lambda data: (capture.append(data), inbound.write(data)))
            inbound.on("data", outbound.write)
            inbound.on("end", outbound.end)
            outbound.on("end", inbound.end)
            inbound.on("close", lambda *a: outbound.destroy())
            outbound.on("close", lambda *a: inbound.destroy())

        relay.on("connection", onConnection)
        return int(relay.address()["port"])

    def creds(self, name: str, withCA: bool = True, ca: str = "ca") -> Any:
        certs = certificates()
        options: dict[str, Any] = {}
        if name:
            options.update(key=certs.pair(name).keyPEM, cert=certs.pair(name).certPEM)
        if withCA:
            options["ca"] = certs.pair(ca).certPEM
        return net.createCredentials(options)

    async def test_upgradeSendsClearThenEncrypted(self) -> None:
        """
        What was written before ``setSecure()`` goes out in clear, what is
        written after is encrypted; ``'secure'`` is emitted once on each end
        and both verify each other.
        """
        seen: list[bytes] = []
        client, server, clientTrace, serverTrace = await self.upgraded(
            self.creds("server"), self.creds("client"), relay=seen
        )
        await nextEvent(client, "data")
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        wire = b"".join(seen)
        self.assertTrue(wire.startswith(b"GO\x16\x03"), wire[:8])
        self.assertNotIn(b"after the upgrade", wire)
        data = [args[0] for name, args in clientTrace.events if name == "data"]
        self.assertEqual([b"GO", b"after the upgrade"], data)
        self.assertEqual(1, clientTrace.names().count("secure"))
        self.assertEqual(1, serverTrace.names().count("secure"))
        self.assertEqual((True, True), (client.verifyPeer(), server.verifyPeer()))

    async def test_verifyPeer(self) -> None:
        """
        The handshake never fails on the peer's certificate: ``verifyPeer()``
        says whether it verified against the credentials' CA certificates
        (and, for the client, names the host).
        """
        cases = [
            # (server creds, client creds, host) -> (server verifies, client verifies)
            (self.creds("server"), self.creds("client"), "127.0.0.1", (True, True)),
            (self.creds("server"), self.creds("client"), "localhost", (True, True)),
            (self.creds("server"), self.creds("rogueclient"), "localhost", (False, True)),
            (self.creds("server"), self.creds("client", withCA=False), "localhost", (True, False)),
            (self.creds("server"), self.creds("", withCA=True), "localhost", (False, True)),
            (self.creds("wrong"), self.creds("client"), "localhost", (True, False)),
            (self.creds("self", ca="self"), self.creds("client", ca="self"), "localhost", (False, True)),
            (self.creds("server", withCA=False), self.creds("client"), "localhost", (False, True)),
        ]
        results = []
        for serverCreds, clientCreds, host, _ in cases:
            client, server, clientTrace, serverTrace = await self.upgraded(serverCreds, clientCreds, host)
            results.append((server.verifyPeer(), client.verifyPeer()))
            client.destroy()
            await DeferredList([clientTrace.closed(), serverTrace.closed()])
        self.assertEqual([expected for *_, expected in cases], results)

    async def test_secureOnlyOnce(self) -> None:
        """A second handshake notification (a renegotiation) emits no second ``'secure'``."""
        client, server, clientTrace, serverTrace = await self.upgraded(
            self.creds("server"), self.creds("client")
        )
        client._handle.handshakeCompleted()
        server._handle.handshakeCompleted()
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        self.assertEqual((1, 1), (clientTrace.names().count("secure"), serverTrace.names().count("secure")))

    async def test_peerCertificate(self) -> None:
        """``None`` without TLS and once destroyed; Node's object once the handshake is done."""
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.setSecure(self.creds("server")))
        client, clientTrace = self.connect(server.address()["port"], "127.0.0.1", events=TLS_EVENTS)
        before = client.getPeerCertificate()
        await net.once(client, "connect")
        client.setSecure(self.creds("", withCA=True))
        await net.once(client, "secure")
        cert = client.getPeerCertificate(True)
        client.destroy()
        await clientTrace.closed()
        self.assertIsNone(before)
        self.assertEqual({"O": "nodenet-test", "CN": "localhost"}, cert["subject"])
        self.assertEqual({"O": "nodenet-test", "CN": "nodenet test CA"}, cert["issuerCertificate"]["subject"])
        self.assertIsNone(client.getPeerCertificate())
        await (await accepted.get(0)).closed()

    async def test_setSecureWhileConnecting(self) -> None:
        """``setSecure()`` before the connection is up starts TLS once it is: ``'connect'``, then ``'secure'``."""
        server, secured = await self.tlsServer(serverOptions())
        client, trace = self.connect(server.address()["port"], "localhost", events=TLS_EVENTS)
        client.setSecure({"ca": certificates().ca.certPEM})
        client.write(b"ping")
        await net.once(client, "secure")
        self.assertTrue(client.verifyPeer())
        while not secured:
            await nextEvent(server, "secureConnection")
        data = await nextEvent(secured[0].emitter, "data")
        client.end()
        await trace.closed()
        self.assertEqual((b"ping",), data)
        self.assertEqual(["connect", "ready", "secure", "finish", "end", "close"], trace.names())


class FlowControlTests(TLSTestCase):
    """``write()``'s return value, ``'drain'`` and ``pause()`` over TLS."""

    async def test_smallWrites(self) -> None:
        """
        20 writes of 1000 bytes right after the handshake: ``True`` until the
        high-water mark, then ``False``, and ``'drain'`` follows (as Node:
        ``11111111111111110000``).
        """
        server, secured = await self.tlsServer(serverOptions())
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        results = "".join("1" if client.write(b"x" * 1000) else "0" for _ in range(20))
        queued = client.writableLength
        await net.once(client, "drain")
        client.end()
        peer = await self.secured(server, secured)
        await DeferredList([trace.closed(), peer.closed()])
        # writableLength counts the encrypted bytes Twisted holds (a little
        # more than Node's plaintext), so False may come one write earlier.
        self.assertRegex(results, "^1{15,16}0+$")
        self.assertGreaterEqual(queued, 16384)
        self.assertEqual(["drain"], [n for n in trace.names() if n == "drain"])
        self.assertEqual(20000, len(peer.data()))

    async def test_writesDuringHandshake(self) -> None:
        """Writes before the handshake are held: ``True`` up to the high-water mark, and one ``'drain'``."""
        server, secured = await self.tlsServer(serverOptions())
        client, trace = self.tlsClient(server.address()["port"])
        results = "".join("1" if client.write(b"y" * 1000) else "0" for _ in range(20))
        await net.once(client, "drain")
        client.end()
        peer = await self.secured(server, secured)
        await DeferredList([trace.closed(), peer.closed()])
        self.assertEqual("11111111111111110000", results)
        self.assertEqual(["connect", "ready", "secureConnect", "secure", "drain"], trace.names()[:5])
        self.assertEqual(1, trace.names().count("drain"))
        self.assertEqual(b"y" * 20000, peer.data())

    async def test_bulkToPausedPeer(self) -> None:
        """
        Against a peer that reads nothing, ``write()`` returns ``False`` and
        no ``'drain'`` comes; once the peer reads, ``'drain'`` follows and
        every byte arrives, in order.
        """
        ping = await self.pinger()
        server, secured = await self.tlsServer(serverOptions())
        server.on("secureConnection", lambda s: s.pause())
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        chunk = bytes(range(256)) * 256
        digest = hashlib.sha256()
        total = 0
        while True:
            ok = client.write(chunk)
            digest.update(chunk)
            total += len(chunk)
            if not ok:
                drained = nextEvent(client, "drain")
                await ping(10)
                if not drained.called:
                    break
            self.assertLess(total, 256 * 1024 * 1024, "write() never stalled")
        drain = nextEvent(client, "drain")
        peer = await self.secured(server, secured)
        peer.emitter.resume()
        await drain
        client.end()
        await DeferredList([trace.closed(), peer.closed()])
        received = peer.data()
        self.assertEqual((total, digest.hexdigest()), (len(received), hashlib.sha256(received).hexdigest()))

    async def test_pauseHoldsDecryptedData(self) -> None:
        """
        ``pause()`` inside the first ``'data'``: nothing more is emitted,
        although Twisted decrypts every record of what it read; it all
        comes, in order, after ``resume()``.
        """
        ping = await self.pinger()
        server, secured = await self.tlsServer(serverOptions())
        chunks: list[bytes] = []

        def onSecure(socket: Any) -> None:
            def onData(data: bytes) -> None:
                chunks.append(data)
                if len(chunks) == 1:
                    socket.pause()

            socket.on("data", onData)

        server.on("secureConnection", onSecure)
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        payload = os.urandom(200000)
        client.end(payload)
        while not chunks:
            await ping()
        await ping(20)
        held = len(chunks)
        peer = await self.secured(server, secured)
        peer.emitter.resume()
        await DeferredList([trace.closed(), peer.closed()])
        self.assertEqual(1, held)
        self.assertEqual(payload, b"".join(chunks))


class CloseTests(TLSTestCase):
    """``end()`` is a TLS close (close_notify), bounded in time; ``destroy()`` and errors."""

    async def test_endIsAFullClose(self) -> None:
        """
        ``end()``: ``'finish'`` once close_notify is out, the peer's ``'end'``
        and ``'finish'``, then ours; even with ``allowHalfOpen`` on the server
        (TLS has no half-close), which never calls ``end()`` itself.
        """
        server, secured = await self.tlsServer(serverOptions(allowHalfOpen=True))
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        client.end(b"bye")
        peer = await self.secured(server, secured)
        await DeferredList([trace.closed(), peer.closed()])
        self.assertEqual(
            ["connect", "ready", "secureConnect", "secure", "finish", "end", "close"], trace.names()
        )
        self.assertEqual([("data", (b"bye",)), ("end", ()), ("finish", ()), ("close", (False,))],
                         peer.events)

    async def test_peerNeverAnswers(self) -> None:
        """
        A peer that never reads our close_notify (it stopped reading, full):
        the connection is aborted after ``closeNotifyTimeout`` and closes.
        """
        ping = await self.pinger()
        self.patch(_tls, "closeNotifyTimeout", 0.3)
        server, secured = await self.tlsServer(serverOptions())
        server.on("secureConnection", lambda s: (s.pause(), s.on("error", lambda e: None)))
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        while client.write(b"z" * 65536):
            pass
        await ping(10)
        started = time.monotonic()
        client.end()
        closed = await trace.closed()
        elapsed = time.monotonic() - started
        self.assertEqual((False,), closed)
        self.assertGreaterEqual(elapsed, 0.3)
        self.assertNotIn("end", trace.names())
        peer = await self.secured(server, secured)
        peer.emitter.destroy()
        await peer.closed()

    async def test_destroyDuringHandshake(self) -> None:
        """``destroy()`` before the handshake completes: ``'close'``; the server's ``tlsClientError``."""
        server, _ = await self.tlsServer(serverOptions())
        errors: list[Any] = []
        server.on("tlsClientError", lambda err, s: errors.append((err.code, str(err))))
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "connect")
        client.destroy()
        await trace.closed()
        if not errors:
            await nextEvent(server, "tlsClientError")
        # destroy() ran inside the 'connect' listener (net.once fired there).
        self.assertEqual(["connect", "close"], trace.names())
        self.assertEqual([("ECONNRESET", "socket hang up")], errors)

    async def test_destroyInsideData(self) -> None:
        """``destroy()`` inside a ``'data'`` listener (inside the TLS layer): the peer sees an end."""
        server, secured = await self.tlsServer(serverOptions())
        server.on("secureConnection", lambda s: s.on("data", lambda d: s.destroy()))
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        client.write(b"ping")
        peer = await self.secured(server, secured)
        await DeferredList([trace.closed(), peer.closed()])
        self.assertEqual(["end", "finish", "close"], trace.names()[-3:])
        self.assertEqual([("data", (b"ping",)), ("close", (False,))], peer.events)

    async def test_writeAfterPeerClosed(self) -> None:
        """Writing in the ``'end'`` listener of a closed TLS connection raises nothing, errors nothing."""
        server, secured = await self.tlsServer(serverOptions())
        written: list[Any] = []
        server.on("secureConnection", lambda s: s.on("end", lambda: s.write(b"late", written.append)))
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        client.end()
        peer = await self.secured(server, secured)
        await DeferredList([trace.closed(), peer.closed()])
        self.assertEqual([None], written)
        self.assertNotIn("error", peer.names())

    async def test_resetAndDestroy(self) -> None:
        """As Node: a TLS socket cannot be reset (``ERR_INVALID_HANDLE_TYPE``)."""
        server, _ = await self.tlsServer(serverOptions())
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        err = self.assertRaises(NodeError, client.resetAndDestroy)
        self.assertEqual("ERR_INVALID_HANDLE_TYPE", err.code)
        client.destroy()
        await trace.closed()


class BadClientTests(TLSTestCase):
    """Clients that do not speak TLS: ``'tlsClientError'``, and the server keeps serving."""

    async def rawClient(self, port: int, send: bytes | None, end: bool = False) -> Trace:
        client, trace = self.connect(port, "127.0.0.1", events=("data", "end", "error", "close"))
        await net.once(client, "connect")
        if send is not None:
            client.write(send)
        if end:
            client.end()
        return trace

    async def goodClientWorks(self, server: Any) -> None:
        client, trace = self.tlsClient(server.address()["port"])
        await net.once(client, "secureConnect")
        self.assertTrue(client.authorized)
        client.end()
        await trace.closed()

    async def test_misbehavingClients(self) -> None:
        """
        Garbage, a plain HTTP request, a truncated handshake, an oversized
        handshake record, a reset: each a ``'tlsClientError'`` with Node's
        error, the socket closed; then a good client is served.  (For the
        oversized record Node v20 reports OpenSSL 3.0's "packet length too
        long" and leaves the connection open; nodenet reports what its
        OpenSSL says and closes it.)
        """
        if runningOnUvloop():
            self.skipTest(UVLOOP_MISSES_RESETS)
        server, _ = await self.tlsServer(serverOptions())
        errors: list[tuple[Any, ...]] = []
        server.on("tlsClientError", lambda err, s: errors.append(
            (err.code, getattr(err, "reason", None), getattr(err, "syscall", None))))
        cases = [
            (b"GET / HTTP/1.1\r\n\r\n", False),
            (bytes(range(1, 13)), False),
            (bytes.fromhex("16030100c4010000c00303"), True),
            (bytes.fromhex("160301ffff") + b"\x01" * 65535, False),
            (None, True),
        ]
        for send, end in cases:
            trace = await self.rawClient(server.address()["port"], send, end)
            await trace.closed()
        reset = await self.rawClient(server.address()["port"], None)
        reset.emitter.resetAndDestroy()
        await reset.closed()
        while len(errors) < 6:
            await nextEvent(server, "tlsClientError")
        self.assertEqual(
            [("ERR_SSL_HTTP_REQUEST", "http request", None),
             ("ERR_SSL_WRONG_VERSION_NUMBER", "wrong version number", None),
             ("ECONNRESET", None, None),
             ("ERR_SSL_DATA_LENGTH_TOO_LONG", "data length too long", None),
             ("ECONNRESET", None, None),
             ("ECONNRESET", None, "read")],
            errors,
        )
        await self.goodClientWorks(server)

    async def test_silentClientTimesOut(self) -> None:
        """
        A client that connects and says nothing: ``'tlsClientError'``
        ``ERR_TLS_HANDSHAKE_TIMEOUT`` after ``handshakeTimeout``, and the
        connection is closed (Node v20 leaves it open).
        """
        server, _ = await self.tlsServer(serverOptions(handshakeTimeout=200))
        errors: list[Any] = []
        server.on("tlsClientError", lambda err, s: errors.append((err.code, str(err), s.destroyed)))
        started = time.monotonic()
        trace = await self.rawClient(server.address()["port"], None)
        await trace.closed()
        self.assertGreaterEqual(time.monotonic() - started, 0.2)
        self.assertEqual([("ERR_TLS_HANDSHAKE_TIMEOUT", "TLS handshake timeout", False)], errors)
        self.assertEqual(["end", "close"], trace.names())
        await self.goodClientWorks(server)

    async def test_noListener(self) -> None:
        """Without a ``'tlsClientError'`` listener a bad client is just closed."""
        server, _ = await self.tlsServer(serverOptions())
        trace = await self.rawClient(server.address()["port"], b"GET / HTTP/1.1\r\n\r\n")
        await trace.closed()
        await self.goodClientWorks(server)


class ModernTests(TLSTestCase):
    """``nodenet.tls`` beyond the scenarios compared with Node."""

    async def test_noDeprecationWarnings(self) -> None:
        """Mutual TLS and certificate objects: no warning from pyOpenSSL (``cryptography`` objects are used)."""
        certs = certificates()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            server, secured = await self.tlsServer(
                serverOptions(ca=certs.ca.certPEM, requestCert=True))
            client, trace = self.tlsClient(
                server.address()["port"], key=certs.client.keyPEM, cert=certs.client.certPEM)
            await net.once(client, "secureConnect")
            peer = client.getPeerCertificate(True)
            theirTrace = await self.secured(server, secured)
            theirs = theirTrace.emitter.getPeerCertificate(True)
            client.end()
            await DeferredList([trace.closed(), theirTrace.closed()])
        self.assertEqual(("localhost", "client"), (peer["subject"]["CN"], theirs["subject"]["CN"]))
        self.assertTrue(secured[0].emitter.authorized)
        found = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
        found += [str(w["message"]) for w in self.flushWarnings() if issubclass(w["category"], DeprecationWarning)]
        self.assertEqual([], found)

    async def test_ipv6(self) -> None:
        """``::1`` is in the certificate: authorized."""
        if not HAS_IPV6:
            raise self.skipTest("no IPv6")
        server, _ = await self.tlsServer(serverOptions(), host="::1")
        client, trace = self.tlsClient(server.address()["port"], host="::1")
        await net.once(client, "secureConnect")
        result = (client.authorized, client.authorizationError, client.remoteFamily)
        client.end()
        await trace.closed()
        self.assertEqual((True, None, "IPv6"), result)

    async def test_unixPath(self) -> None:
        """TLS over a unix socket closes cleanly on both ends."""
        directory = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "s")
        secured: list[Trace] = []
        server = tls.createServer(serverOptions(), lambda s: s.end(b"hi"))
        self.servers.append((server, Trace(server, ["close"])))
        server.on("secureConnection", lambda s: secured.append(self.track(s, TLS_EVENTS)))
        await net.once(server.listen(path), "listening")
        client = tls.connect({"path": path, "ca": certificates().ca.certPEM, "servername": "localhost"})
        trace = self.track(client, TLS_EVENTS)
        await DeferredList([trace.closed(), net.once(server, "secureConnection")])
        await secured[0].closed()
        self.assertEqual((b"hi", True), (trace.data(), client.authorized))
        self.assertEqual(("close", (False,)), secured[0].events[-1])
        self.assertEqual(("close", (False,)), trace.events[-1])

    async def test_upgradeWithTLSSocket(self) -> None:
        """
        The modern upgrade: ``tls.TLSSocket(socket, {'isServer': True})`` on
        the server and ``tls.connect({'socket': socket})`` on the client.
        """
        certs = certificates()
        server, _, accepted = await self.listening(0, "127.0.0.1")
        upgraded: list[Any] = []

        def onConnection(raw: Any) -> None:
            def onData(data: bytes) -> None:
                raw.write(b"OK")
                secure = tls.TLSSocket(raw, {"isServer": True, "secureContext": tls.createSecureContext(
                    {"key": certs.server.keyPEM, "cert": certs.server.certPEM})})
                upgraded.append(secure)
                secure.on("data", lambda d: secure.end(b"pong:" + d))

            raw.once("data", onData)

        server.on("connection", onConnection)
        raw, _ = self.connect(server.address()["port"], "127.0.0.1", events=("close",))
        await net.once(raw, "connect")
        raw.write(b"STARTTLS")
        self.assertEqual((b"OK",), await nextEvent(raw, "data"))
        client = tls.connect({"socket": raw, "ca": certs.ca.certPEM, "servername": "localhost"})
        trace = self.track(client, TLS_EVENTS)
        await net.once(client, "secureConnect")
        client.write(b"ping")
        await trace.closed()
        self.assertEqual((True, b"pong:ping"), (client.authorized, trace.data()))
        await (await accepted.get(0)).closed()

    async def test_addContext(self) -> None:
        """``server.addContext()`` picks the certificate by the client's SNI name."""
        certs = certificates()
        server, _ = await self.tlsServer(serverOptions())
        server.addContext("*.example", {"key": certs.wrong.keyPEM, "cert": certs.wrong.certPEM})
        client, trace = self.tlsClient(server.address()["port"], servername="wrong.example")
        await net.once(client, "secureConnect")
        result = (client.authorized, client.getPeerCertificate()["subject"]["CN"], client.servername)
        client.end()
        await trace.closed()
        self.assertEqual((True, "wrong.example", "wrong.example"), result)

    async def test_connectForms(self) -> None:
        """``tls.connect(port, host, options, cb)``: ``cb`` is a ``'secureConnect'`` listener."""
        server, _ = await self.tlsServer(serverOptions())
        called: list[bool] = []
        client = tls.connect(server.address()["port"], "127.0.0.1", {"ca": certificates().ca.certPEM},
                             lambda: called.append(client.authorized))
        trace = self.track(client, TLS_EVENTS)
        await net.once(client, "secureConnect")
        client.end()
        await trace.closed()
        self.assertEqual([True], called)

    async def test_checkServerIdentity(self) -> None:
        """A custom ``checkServerIdentity`` decides about the host: its error, or ``None`` to accept."""
        certs = certificates()
        server, _ = await self.tlsServer({"key": certs.wrong.keyPEM, "cert": certs.wrong.certPEM})
        seen: list[Any] = []

        def accept(host: str, cert: dict[str, Any]) -> None:
            seen.append((host, cert["subject"]["CN"], "issuerCertificate" in cert))

        client, trace = self.tlsClient(server.address()["port"], checkServerIdentity=accept)
        await net.once(client, "secureConnect")
        client.end()
        await trace.closed()
        self.assertEqual([("127.0.0.1", "wrong.example", True)], seen)
        self.assertEqual((True, None), (client.authorized, client.authorizationError))

        refusal = NodeError("not this one", "E_NOT_THIS_ONE")
        client, trace = self.tlsClient(server.address()["port"], checkServerIdentity=lambda h, c: refusal)
        await trace.closed()
        self.assertEqual([("error", (refusal,)), ("close", (True,))], trace.events[-2:])
        self.assertEqual("E_NOT_THIS_ONE", client.authorizationError)

    def test_getCiphers(self) -> None:
        """``tls.getCiphers()``: OpenSSL's names, lower-case, TLS 1.3 suites included."""
        ciphers = tls.getCiphers()
        self.assertIn("tls_aes_256_gcm_sha384", ciphers)
        self.assertIn("ecdhe-ecdsa-aes128-gcm-sha256", ciphers)
        self.assertEqual(ciphers, sorted(set(ciphers)))

