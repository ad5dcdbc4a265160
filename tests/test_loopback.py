"""
Integration tests of nodenet over the real kernel: echo and addresses.

These tests run on the global reactor with real sockets on 127.0.0.1, ::1
and unix paths.  They wait for events (never for time), compare whole event
traces with Node v20's (measured by running the same scenario under
``node``), and leave nothing behind: every server is closed and every socket
has emitted ``'close'`` before a test ends.

This module also holds the helpers the other ``test_loopback_*`` modules use.
"""

from __future__ import annotations

import hashlib
import socket as stdsocket
from collections.abc import Callable, Iterable
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import Deferred, DeferredList, succeed
from twisted.trial.unittest import TestCase

import nodenet as net
from nodenet.testing import SERVER_EVENTS, SOCKET_EVENTS, EventLog

#: How long the clean-up of a failed test waits for a ``'close'`` (seconds).
CLEANUP_WAIT = 2.0

HAS_IPV6 = stdsocket.has_ipv6


def nextEvent(emitter: Any, event: str) -> Deferred[tuple[Any, ...]]:
    """
    Fire with the arguments of ``emitter``'s next ``event``.

    Unlike ``net.once`` an ``'error'`` does not fail it: use it where an
    error is part of the expected trace.
    """
    d: Deferred[tuple[Any, ...]] = Deferred()
    emitter.once(event, lambda *args: d.callback(args))
    return d


def connectionCount(server: Any) -> Deferred[tuple[Any, ...]]:
    """Fire with the arguments ``getConnections`` gives its callback."""
    d: Deferred[tuple[Any, ...]] = Deferred()
    server.getConnections(lambda *args: d.callback(args))
    return d


class Trace:
    """
    The whole story of one socket or server: ``(event, args)`` through
    L{EventLog}, and ``(event, readyState)`` seen inside each listener.
    """

    def __init__(self, emitter: Any, events: Iterable[str]) -> None:
        events = tuple(events)
        self.emitter = emitter
        self.log = EventLog(emitter, events)
        self.states: list[tuple[str, str]] = []
        self.closeArgs: tuple[Any, ...] | None = None
        self._closeWaiters: list[Deferred[tuple[Any, ...]]] = []
        if hasattr(emitter, "readyState"):
            for name in events:
                emitter.on(name, self._stateRecorder(name))
        emitter.on("close", self._onClose)

    def _stateRecorder(self, name: str) -> Callable[..., None]:
        def record(*args: Any) -> None:
            self.states.append((name, self.emitter.readyState))

        return record

    def _onClose(self, *args: Any) -> None:
        self.closeArgs = args
        waiters, self._closeWaiters = self._closeWaiters, []
        for d in waiters:
            d.callback(args)

    @property
    def events(self) -> list[tuple[str, tuple[Any, ...]]]:
        """The ``(event, args)`` trace."""
        return self.log.events

    def names(self) -> list[str]:
        """The event names of the trace."""
        return self.log.names()

    def data(self) -> bytes:
        """Every ``'data'`` chunk joined."""
        return b"".join(args[0] for name, args in self.log.events if name == "data")

    def closed(self) -> Deferred[tuple[Any, ...]]:
        """Fire with the ``'close'`` arguments (at once if already closed)."""
        if self.closeArgs is not None:
            return succeed(self.closeArgs)
        d: Deferred[tuple[Any, ...]] = Deferred()
        self._closeWaiters.append(d)
        return d


class Accepted:
    """The sockets a server accepted, traced from their ``'connection'`` on."""

    def __init__(self, case: LoopbackTestCase, server: Any) -> None:
        self.case = case
        self.traces: list[Trace] = []
        self._waiters: list[Deferred[Trace]] = []
        server.on("connection", self._onConnection)

    def _onConnection(self, socket: Any) -> None:
        trace = self.case.track(socket)
        self.traces.append(trace)
        if len(self.traces) <= len(self._waiters):
            self._waiters[len(self.traces) - 1].callback(trace)

    def get(self, index: int) -> Deferred[Trace]:
        """Fire with the trace of the ``index``-th accepted socket (from 0)."""
        if index < len(self.traces):
            return succeed(self.traces[index])
        while len(self._waiters) <= index:
            self._waiters.append(Deferred())
        return self._waiters[index]


class LoopbackTestCase(TestCase):
    """
    Base of the loopback tests: tracks sockets and servers, and closes
    whatever a failed test left open.
    """

    timeout = 10

    def setUp(self) -> None:
        self.traces: list[Trace] = []
        self.servers: list[tuple[Any, Trace]] = []
        self.addCleanup(self._closeLeftovers)

    def track(self, socket: Any, events: Iterable[str] = SOCKET_EVENTS) -> Trace:
        """Trace ``socket`` from now on; it is destroyed at clean-up if still open."""
        trace = Trace(socket, events)
        self.traces.append(trace)
        return trace

    def socket(
        self, options: dict[str, Any] | None = None, events: Iterable[str] = SOCKET_EVENTS
    ) -> tuple[Any, Trace]:
        """A new, traced, unconnected ``net.Socket``."""
        sock = net.Socket(options)
        return sock, self.track(sock, events)

    def connect(
        self,
        *args: Any,
        options: dict[str, Any] | None = None,
        events: Iterable[str] = SOCKET_EVENTS,
    ) -> tuple[Any, Trace]:
        """
        A traced client socket, connecting with ``connect(*args)``.

        The trace is attached before ``connect()`` so that events emitted
        inside it are recorded too.  Leave ``'data'`` out of ``events`` to
        trace a socket that nobody reads.
        """
        sock, trace = self.socket(options, events)
        sock.connect(*args)
        return sock, trace

    def server(self, *args: Any, **kwargs: Any) -> tuple[Any, Trace, Accepted]:
        """A traced server (``net.createServer(*args, **kwargs)``) and its accepted sockets."""
        server = net.createServer(*args, **kwargs)
        trace = Trace(server, SERVER_EVENTS)
        accepted = Accepted(self, server)
        self.servers.append((server, trace))
        return server, trace, accepted

    async def listening(self, *args: Any, **kwargs: Any) -> tuple[Any, Trace, Accepted]:
        """A traced server listening with ``listen(*args)``, once ``'listening'`` fired."""
        server, trace, accepted = self.server(**kwargs)
        d = net.once(server, "listening")
        server.listen(*args)
        await d
        return server, trace, accepted

    async def closeServer(self, server: Any) -> None:
        """``server.close()`` and wait for its ``'close'``."""
        d = nextEvent(server, "close")
        server.close()
        await d

    async def connected(self, *args: Any, options: dict[str, Any] | None = None) -> tuple[Any, Trace]:
        """
        A traced client socket, once ``'ready'`` fired (so that what the
        caller does next happens after Node's ``connect``/``ready`` pair).
        """
        sock, trace = self.connect(*args, options=options)
        await net.once(sock, "ready")
        return sock, trace

    async def closedPort(self, host: str = "127.0.0.1") -> int:
        """A port on ``host`` that nothing listens on (it was just freed)."""
        server, _, _ = await self.listening(0, host)
        port: int = server.address()["port"]
        await self.closeServer(server)
        return port

    async def pinger(self) -> Callable[[int], Deferred[None]]:
        """
        An echo connection used as an event-driven wait: ``ping(n)`` fires
        after ``n`` round trips, i.e. after the reactor ran many iterations
        (and so had every chance to move other sockets' bytes).
        """
        server, _, _ = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.on("data", s.write))
        sock, _ = await self.connected(server.address()["port"], "127.0.0.1")

        async def pingAsync(n: int) -> None:
            for _ in range(n):
                d = nextEvent(sock, "data")
                sock.write(b"p")
                await d

        def ping(n: int) -> Deferred[None]:
            return Deferred.fromCoroutine(pingAsync(n))

        return ping

    async def within(self, d: Deferred[Any], ping: Callable[[int], Deferred[None]],
                     rounds: int = 20) -> bool:
        """
        Wait for ``d``, but only as long as ``rounds`` round trips of ``ping``
        take (an event-driven bound, so that a missing event fails the test
        quickly instead of hanging it); whether ``d`` fired.
        """
        fired: list[bool] = []
        d.addCallback(lambda result: fired.append(True) or result)
        await DeferredList([d, ping(rounds)], fireOnOneCallback=True, consumeErrors=True)
        return bool(fired)

    def _closeLeftovers(self) -> Deferred[Any]:
        return Deferred.fromCoroutine(self._closeLeftoversAsync())

    async def _closeLeftoversAsync(self) -> None:
        waits = []
        for trace in self.traces:
            if trace.closeArgs is None:
                d = trace.closed()
                trace.emitter.destroy()
                waits.append(d.addTimeout(CLEANUP_WAIT, reactor))
        if waits:
            await DeferredList(waits, consumeErrors=True)
        waits = []
        for server, _trace in self.servers:
            if server.listening:
                d = nextEvent(server, "close")
                server.close()
                waits.append(d.addTimeout(CLEANUP_WAIT, reactor))
        if waits:
            await DeferredList(waits, consumeErrors=True)


def errorFields(err: BaseException) -> dict[str, Any]:
    """An error's Node fields, as a dict to compare whole."""
    return {
        "message": str(err),
        "code": getattr(err, "code", None),
        "errno": getattr(err, "errno", None),
        "syscall": getattr(err, "syscall", None),
        "address": getattr(err, "address", None),
        "port": getattr(err, "port", None),
    }


class EchoTests(LoopbackTestCase):
    """A client and a server exchanging data over 127.0.0.1."""

    async def test_echoRoundTrip(self) -> None:
        """
        The client writes, the server echoes, the client ends after the echo:
        both traces are Node's, each event with Node's readyState.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        states: list[Any] = []

        def onConnection(sock: Any) -> None:
            states.append(
                (sock.readyState, sock.pending, sock.connecting, sock.destroyed, sock.bytesRead,
                 sock.bytesWritten, sock.server is server, sock.allowHalfOpen, sock.timeout)
            )
            sock.on("data", sock.write)

        server.on("connection", onConnection)
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1")
        client.on(
            "connect",
            lambda: states.append((client.readyState, client.pending, client.connecting)),
        )
        client.on("connect", lambda: client.write("hello"))
        client.on("data", lambda chunk: client.end())
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(
            clientTrace.events,
            [
                ("connectionAttempt", ("127.0.0.1", port, 4)),
                ("connect", ()),
                ("ready", ()),
                ("data", (b"hello",)),
                ("finish", ()),
                ("end", ()),
                ("close", (False,)),
            ],
        )
        self.assertEqual(
            clientTrace.states,
            [
                ("connectionAttempt", "opening"),
                ("connect", "open"),
                ("ready", "open"),
                ("data", "open"),
                ("finish", "readOnly"),
                ("end", "closed"),
                ("close", "closed"),
            ],
        )
        self.assertEqual(
            serverTrace.events,
            [("data", (b"hello",)), ("end", ()), ("finish", ()), ("close", (False,))],
        )
        self.assertEqual(
            serverTrace.states,
            [("data", "open"), ("end", "writeOnly"), ("finish", "closed"), ("close", "closed")],
        )
        self.assertEqual(
            states,
            [("open", False, False, False, 0, 0, True, False, None), ("open", False, False)],
        )
        self.assertEqual(
            (client.bytesRead, client.bytesWritten, serverTrace.emitter.bytesRead,
             serverTrace.emitter.bytesWritten),
            (5, 5, 5, 5),
        )


class AddressTests(LoopbackTestCase):
    """``server.address()`` and the address properties of connected sockets."""

    async def test_serverAddressForms(self) -> None:
        """
        ``address()`` is C{{'address', 'family', 'port'}} (in that key order)
        for every TCP form of ``listen()``; no host means dual-stack ``'::'``;
        C{None} once closed.
        """
        forms: list[tuple[tuple[Any, ...], str, str]] = [
            ((0, "127.0.0.1"), "127.0.0.1", "IPv4"),
            ((0, "0.0.0.0"), "0.0.0.0", "IPv4"),
            ((0, "localhost"), "127.0.0.1", "IPv4"),
            ((0,), "::", "IPv6"),
            ((), "::", "IPv6"),
            (({"port": 0},), "::", "IPv6"),
            (("0",), "::", "IPv6"),
        ]
        if HAS_IPV6:
            forms.append(((0, "::1"), "::1", "IPv6"))
        seen = []
        for args, _, _ in forms:
            server, _, _ = await self.listening(*args)
            address = server.address()
            seen.append(
                (args, list(address), address["address"], address["family"], address["port"] > 0)
            )
            await self.closeServer(server)
            seen.append((args, server.address()))
        expected: list[Any] = []
        for args, host, family in forms:
            expected.append((args, ["address", "family", "port"], host, family, True))
            expected.append((args, None))
        self.assertEqual(seen, expected)

    async def test_listenWithoutHostBindsAtOnce(self) -> None:
        """
        ``listen(0)`` binds synchronously (``listening`` and ``address()`` are
        set right after the call) but ``'listening'`` is still emitted later.
        """
        server, trace, _ = self.server()
        result = server.listen(0)
        now = (result is server, server.listening, server.address()["address"], trace.names())
        await net.once(server, "listening")
        await self.closeServer(server)
        self.assertEqual(now, (True, True, "::", []))
        self.assertEqual(trace.names(), ["listening", "close"])

    async def test_listenWithHostIsAsynchronous(self) -> None:
        """
        ``listen(0, host)`` goes through a lookup: right after the call the
        server is not listening and has no address; both are set at
        ``'listening'``.
        """
        server, trace, _ = self.server()
        inside: list[Any] = []
        server.on("listening", lambda: inside.append((server.listening, server.address()["address"])))
        server.listen(0, "127.0.0.1")
        now = (server.listening, server.address(), trace.names())
        await net.once(server, "listening")
        await self.closeServer(server)
        self.assertEqual(now, (False, None, []))
        self.assertEqual(inside, [(True, "127.0.0.1")])

    async def test_ipv6Only(self) -> None:
        """
        ``listen({'port': port, 'host': '::', 'ipv6Only': True})`` takes a
        port a server on 127.0.0.1 already listens on, where a dual-stack
        ``'::'`` gets ``EADDRINUSE`` (as in Node).

        The IPv4 server listens first, so the kernel picks a port that is
        free for IPv4: picked for an IPv6-only socket, the port could be
        one another process listens on over IPv4.
        """
        v4, _, _ = await self.listening(0, "127.0.0.1")
        port = v4.address()["port"]
        dual, dualTrace, _ = self.server()
        dual.listen({"port": port, "host": "::"})
        (error,) = await nextEvent(dual, "error")
        v6, _, _ = await self.listening({"port": port, "host": "::", "ipv6Only": True})
        v6address = v6.address()
        await self.closeServer(v6)
        await self.closeServer(v4)
        self.assertEqual((error.code, dualTrace.names(), dual.listening), ("EADDRINUSE", ["error"], False))
        self.assertEqual(v6address, {"address": "::", "family": "IPv6", "port": port})

    async def test_unconnectedSocketHasNoAddresses(self) -> None:
        """A socket that never connected has no addresses and ``address() == {}``."""
        sock = net.Socket()
        self.assertEqual(
            (sock.remoteAddress, sock.remotePort, sock.remoteFamily, sock.localAddress,
             sock.localPort, sock.localFamily, sock.address()),
            (None, None, None, None, None, None, {}),
        )

    async def test_dualStackServerSeesMappedIPv4(self) -> None:
        """
        A server listening with no host (``'::'``) sees an IPv4 client as
        ``::ffff:127.0.0.1``/``'IPv6'``; the client sees ``127.0.0.1``/``'IPv4'``.
        """
        server, _, accepted = await self.listening(0)
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        srv = serverTrace.emitter
        onServer = {
            "remoteAddress": srv.remoteAddress,
            "remoteFamily": srv.remoteFamily,
            "remotePort": srv.remotePort,
            "localAddress": srv.localAddress,
            "localFamily": srv.localFamily,
            "localPort": srv.localPort,
            "address": srv.address(),
        }
        onClient = {
            "remoteAddress": client.remoteAddress,
            "remoteFamily": client.remoteFamily,
            "remotePort": client.remotePort,
            "localAddress": client.localAddress,
            "localFamily": client.localFamily,
            "localPort": client.localPort,
            "address": client.address(),
        }
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)
        clientPort = onClient["localPort"]
        self.assertIsInstance(clientPort, int)
        self.assertEqual(
            onServer,
            {
                "remoteAddress": "::ffff:127.0.0.1",
                "remoteFamily": "IPv6",
                "remotePort": clientPort,
                "localAddress": "::ffff:127.0.0.1",
                "localFamily": "IPv6",
                "localPort": port,
                "address": {"address": "::ffff:127.0.0.1", "family": "IPv6", "port": port},
            },
        )
        self.assertEqual(
            onClient,
            {
                "remoteAddress": "127.0.0.1",
                "remoteFamily": "IPv4",
                "remotePort": port,
                "localAddress": "127.0.0.1",
                "localFamily": "IPv4",
                "localPort": clientPort,
                "address": {"address": "127.0.0.1", "family": "IPv4", "port": clientPort},
            },
        )
        self.assertEqual(list(onClient["address"]), ["address", "family", "port"])

    async def test_ipv6Loopback(self) -> None:
        """Over ``::1`` both ends see ``'::1'``/``'IPv6'`` and each other's ports."""
        if not HAS_IPV6:
            raise self.skipTest("no IPv6")
        server, _, accepted = await self.listening(0, "::1")
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "::1")
        serverTrace = await accepted.get(0)
        srv = serverTrace.emitter
        seen = (
            (srv.remoteAddress, srv.remoteFamily, srv.remotePort, srv.localAddress, srv.localPort),
            (client.remoteAddress, client.remoteFamily, client.remotePort, client.localAddress,
             client.localPort),
            client.address(),
            srv.address(),
        )
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)
        clientPort = seen[1][4]
        self.assertEqual(
            seen,
            (
                ("::1", "IPv6", clientPort, "::1", port),
                ("::1", "IPv6", port, "::1", clientPort),
                {"address": "::1", "family": "IPv6", "port": clientPort},
                {"address": "::1", "family": "IPv6", "port": port},
            ),
        )
        self.assertEqual(clientTrace.events[0], ("connectionAttempt", ("::1", port, 6)))

    async def test_addressesAfterClose(self) -> None:
        """
        After ``'close'`` the remote address is still known only if it was
        read while connected; the local address and ``address()`` are gone.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        readEarly, traceEarly = await self.connected(port, "127.0.0.1")
        readLate, traceLate = await self.connected(port, "127.0.0.1")
        early = (readEarly.remoteAddress, readEarly.remotePort, readEarly.remoteFamily)
        readEarly.end()
        readLate.end()
        await DeferredList([traceEarly.closed(), traceLate.closed()])
        for trace in await DeferredList([accepted.get(0), accepted.get(1)]):
            await trace[1].closed()
        await self.closeServer(server)
        self.assertEqual(early, ("127.0.0.1", port, "IPv4"))
        self.assertEqual(
            [
                (s.remoteAddress, s.remotePort, s.remoteFamily, s.localAddress, s.localPort,
                 s.localFamily, s.address())
                for s in (readEarly, readLate)
            ],
            [
                ("127.0.0.1", port, "IPv4", None, None, None, {}),
                (None, None, None, None, None, None, {}),
            ],
        )

    async def test_pipeEchoLargePayload(self) -> None:
        """
        An echo server built with ``pipe()`` returns 8 MiB intact while the
        client writes with backpressure (waiting for ``'drain'`` whenever
        ``write()`` returns C{False}) and reads at the same time.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.pipe(s))
        client, clientTrace = await self.connected(server.address()["port"], "127.0.0.1")
        chunk = bytes(range(256)) * 256
        sent = hashlib.sha256()
        received = hashlib.sha256()
        count = [0]

        def onData(data: bytes) -> None:
            received.update(data)
            count[0] += len(data)

        client.on("data", onData)
        for _ in range(128):
            sent.update(chunk)
            if not client.write(chunk):
                await nextEvent(client, "drain")
        client.end()
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(count[0], 128 * len(chunk))
        self.assertEqual(received.hexdigest(), sent.hexdigest())
        self.assertEqual(
            [n for n in clientTrace.names() if n not in ("data", "drain")],
            ["connectionAttempt", "connect", "ready", "finish", "end", "close"],
        )
        self.assertEqual(clientTrace.events[-1], ("close", (False,)))
        self.assertEqual(
            [n for n in serverTrace.names() if n not in ("data", "drain")],
            ["end", "finish", "close"],
        )
