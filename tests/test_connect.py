"""
Connecting: what nodenet asks of the reactor, family auto-selection,
adopted descriptors, socket options, and asynchronous listeners.
"""

from __future__ import annotations

import socket as stdsocket
from typing import Any

from twisted.internet import defer
from twisted.internet.error import ConnectionRefusedError
from twisted.internet.testing import MemoryReactorClock
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase, TestCase

import nodenet as net
from nodenet.errors import AggregateError
from nodenet.testing import EventLog, flush, socketPair


def staticLookup(addresses: list[tuple[str, int]]) -> Any:
    """A Node-style ``lookup`` option answering with fixed addresses."""

    def lookup(host: str, options: dict[str, Any], callback: Any) -> None:
        if options.get("all"):
            callback(None, [{"address": a, "family": f} for a, f in addresses])
        else:
            callback(None, addresses[0][0], addresses[0][1])

    return lookup


class ReactorUseTests(SynchronousTestCase):
    """The calls nodenet makes on the reactor."""

    def test_noConnectTimeout(self) -> None:
        """Node has no connect timeout: Twisted's default 30 s is not used."""
        reactor = MemoryReactorClock()
        net.connect(80, "127.0.0.1", reactor=reactor)
        reactor.advance(0)
        self.assertEqual(1, len(reactor.tcpClients))
        host, port, _factory, timeout, bindAddress = reactor.tcpClients[0]
        self.assertEqual(("127.0.0.1", 80, None, None), (host, port, timeout, bindAddress))

    def test_ipLiteralSkipsLookup(self) -> None:
        """An IP literal is connected to on the next tick, with no 'lookup'."""
        reactor = MemoryReactorClock()
        socket = net.connect(8124, "::1", reactor=reactor)
        log = EventLog(socket, ["lookup", "connectionAttempt"])
        self.assertEqual([], reactor.tcpClients)
        reactor.advance(0)
        self.assertEqual([("connectionAttempt", ("::1", 8124, 6))], log.events)


class AutoSelectFamilyTests(SynchronousTestCase):
    """Node v20's happy eyeballs: interleaved families, 250 ms per attempt."""

    def test_interleavedAttemptsAndAggregateError(self) -> None:
        """Addresses alternate by family; each attempt gets 250 ms; all failing is an AggregateError."""
        reactor = MemoryReactorClock()
        lookup = staticLookup([("::1", 6), ("::2", 6), ("127.0.0.1", 4), ("127.0.0.2", 4)])
        socket = net.connect({"port": 9, "host": "example.test", "lookup": lookup}, reactor=reactor)
        log = EventLog(
            socket,
            ["lookup", "connectionAttempt", "connectionAttemptTimeout", "connectionAttemptFailed", "error", "close"],
        )
        # the lookup answered synchronously, before the log was attached
        self.assertEqual(["::1"], [c[0] for c in reactor.tcpClients])
        reactor.advance(0.25)
        self.assertEqual(["::1", "127.0.0.1"], [c[0] for c in reactor.tcpClients])
        # the current attempt is refused: the next address is tried at once
        reactor.tcpClients[1][2].clientConnectionFailed(None, Failure(ConnectionRefusedError()))
        self.assertEqual(["::1", "127.0.0.1", "::2"], [c[0] for c in reactor.tcpClients])
        reactor.advance(0.25)
        self.assertEqual(["::1", "127.0.0.1", "::2", "127.0.0.2"], [c[0] for c in reactor.tcpClients])
        reactor.tcpClients[3][2].clientConnectionFailed(None, Failure(ConnectionRefusedError()))
        flush(reactor)
        self.assertEqual(
            [
                "connectionAttemptTimeout",
                "connectionAttempt",
                "connectionAttemptFailed",
                "connectionAttempt",
                "connectionAttemptTimeout",
                "connectionAttempt",
                "connectionAttemptFailed",
                "error",
                "close",
            ],
            log.names(),
        )
        err = log.events[-2][1][0]
        self.assertIsInstance(err, AggregateError)
        self.assertEqual(("", "ECONNREFUSED", 2), (str(err), err.code, len(err.errors)))
        self.assertEqual(
            ["::1:9", "127.0.0.1:9", "::2:9", "127.0.0.2:9"], socket.autoSelectFamilyAttemptedAddresses
        )
        self.assertEqual([], reactor.getDelayedCalls())

    def test_disabled(self) -> None:
        """autoSelectFamily false: one address, one attempt, no attempt timer."""
        reactor = MemoryReactorClock()
        lookup = staticLookup([("::1", 6), ("127.0.0.1", 4)])
        socket = net.connect(
            {"port": 9, "host": "example.test", "lookup": lookup, "autoSelectFamily": False},
            reactor=reactor,
        )
        self.assertEqual(["::1"], [c[0] for c in reactor.tcpClients])
        self.assertEqual([], reactor.getDelayedCalls())
        self.assertIsNone(socket.autoSelectFamilyAttemptedAddresses)
        socket.destroy()
        flush(reactor)

    def test_attemptedAddressesOnlyForSeveral(self) -> None:
        """
        As in Node, ``autoSelectFamilyAttemptedAddresses`` stays ``None``
        (``undefined``) before a connect and for a host with one address.
        """
        reactor = MemoryReactorClock()
        socket = net.Socket(reactor=reactor)
        self.assertIsNone(socket.autoSelectFamilyAttemptedAddresses)
        socket.connect({"port": 9, "host": "example.test", "lookup": staticLookup([("127.0.0.1", 4)])})
        self.assertEqual(["127.0.0.1"], [c[0] for c in reactor.tcpClients])
        self.assertIsNone(socket.autoSelectFamilyAttemptedAddresses)
        socket.destroy()
        flush(reactor)


class AsyncListenerTests(SynchronousTestCase):
    """Listeners may be async; their failures count as the listener's."""

    def test_failedAsyncListenerDestroysSocket(self) -> None:
        """An async 'data' listener that fails is logged and destroys its socket."""
        clock = MemoryReactorClock()
        client, server = socketPair(clock)
        waiting: defer.Deferred[None] = defer.Deferred()

        async def onData(data: bytes) -> None:
            await waiting
            raise ValueError("async listener bug")

        server.on("data", onData)
        client.write(b"x")
        flush(clock)
        self.assertFalse(server.destroyed)
        waiting.callback(None)
        flush(clock)
        self.assertTrue(server.destroyed)
        self.assertEqual(1, len(self.flushLoggedErrors(ValueError)))


class RealSocketTests(TestCase):
    """Descriptors and socket options on real sockets."""

    def test_adoptDescriptor(self) -> None:
        """Socket({'fd': n}) wraps a connected descriptor: open, readable and writable."""
        ours, peer = stdsocket.socketpair()
        self.addCleanup(peer.close)
        self.addCleanup(ours.close)
        socket = net.Socket({"fd": ours.fileno()})
        self.assertEqual(("open", False), (socket.readyState, socket.pending))
        received: list[bytes] = []
        socket.on("data", received.append)
        closed = net.once(socket, "close")
        peer.sendall(b"ping")
        peer.shutdown(stdsocket.SHUT_WR)
        socket.on("end", lambda: socket.end(b"pong"))

        def check(args: list[Any]) -> None:
            self.assertEqual(([b"ping"], [False]), (received, args))
            peer.setblocking(False)
            self.assertEqual(b"pong", peer.recv(10))

        return closed.addCallback(check)

    @defer.inlineCallbacks
    def test_socketOptionsFromTheConstructor(self) -> Any:
        """
        As Node, ``noDelay``/``keepAlive`` are options of the constructor (and
        so of ``net.connect()``), applied once connected; ``socket.connect()``
        does not read them.
        """
        if not hasattr(stdsocket, "TCP_KEEPIDLE"):
            self.skipTest("this platform has no TCP_KEEPIDLE")
        server = net.createServer(lambda s: s.end())
        yield net.once(server.listen(0, "127.0.0.1"), "listening")
        port = server.address()["port"]
        options = {"noDelay": True, "keepAlive": True, "keepAliveInitialDelay": 5000}
        clients = [
            net.Socket(options).connect(port, "127.0.0.1"),
            net.connect({"port": port, "host": "127.0.0.1", **options}),
            net.Socket().connect({"port": port, "host": "127.0.0.1", **options}),
        ]
        seen: dict[int, tuple[int, int, int]] = {}

        def onConnect(index: int, client: net.Socket) -> None:
            # Read at 'connect': the server ends each connection at once.
            handle = client._transport.getHandle()
            seen[index] = (
                handle.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_NODELAY),
                handle.getsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_KEEPALIVE),
                handle.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_KEEPIDLE),
            )

        closed = []
        for index, client in enumerate(clients):
            client.on("connect", lambda i=index, c=client: onConnect(i, c))
            client.on("data", lambda d: None)
            closed.append(net.once(client, "close"))
        yield defer.gatherResults(closed)
        serverClosed = net.once(server.close(), "close")
        yield serverClosed
        self.assertEqual({0: (1, 1, 5), 1: (1, 1, 5), 2: (0, 0, seen[2][2])}, seen)

    @defer.inlineCallbacks
    def test_keepAliveInitialDelay(self) -> Any:
        """
        setKeepAlive(True, ms) turns keep-alive on with TCP_KEEPIDLE in whole
        seconds, then (as Node's libuv does) a probe a second, ten at most.
        """
        if not hasattr(stdsocket, "TCP_KEEPIDLE"):
            self.skipTest("this platform has no TCP_KEEPIDLE")
        server = net.createServer(lambda s: s.end())
        yield net.once(server.listen(0, "127.0.0.1"), "listening")
        client = net.connect(server.address()["port"], "127.0.0.1")
        client.on("data", lambda d: None)
        yield net.once(client, "connect")
        self.assertIs(client, client.setKeepAlive(True, 7500))
        handle = client._transport.getHandle()
        self.assertEqual(
            (1, 7, 1, 10),
            (
                handle.getsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_KEEPALIVE),
                handle.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_KEEPIDLE),
                handle.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_KEEPINTVL),
                handle.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_KEEPCNT),
            ),
        )
        client.setNoDelay()
        self.assertEqual(1, handle.getsockopt(stdsocket.IPPROTO_TCP, stdsocket.TCP_NODELAY))
        closed = net.once(client, "close")
        serverClosed = net.once(server.close(), "close")
        yield closed
        yield serverClosed
