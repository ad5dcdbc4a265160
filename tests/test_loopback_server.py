"""
Integration tests of nodenet over the real kernel: the server's life
(``close()``, ``getConnections``, ``maxConnections``, ``pauseOnConnect``,
listening on descriptors).

Expected traces are Node v20's, measured by running the same scenarios
under ``node``.
"""

from __future__ import annotations

import errno
import os
import shutil
import socket as stdsocket
import tempfile
from typing import Any

from twisted.internet.defer import Deferred, DeferredList

import nodenet as net
from nodenet._listen import leanAccept
from nodenet.errors import NodeError

from .test_loopback import LoopbackTestCase, connectionCount, errorFields, nextEvent


class ServerCloseTests(LoopbackTestCase):
    """``server.close()`` and ``getConnections``."""

    async def test_closeWithOpenConnection(self) -> None:
        """
        ``close()`` stops accepting at once (a new client is refused) while
        the open connection goes on; ``'close'`` comes once it is gone, then
        the callback (no arguments), then that socket's own ``'close'``.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        order: list[Any] = []
        server.on("close", lambda *a: order.append(("server close", a)))
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        sock = serverTrace.emitter
        for name in ("end", "finish", "close"):
            sock.on(name, lambda *a, name=name: order.append(("socket " + name, a)))
        result = server.close(lambda *a: order.append(("close callback", a)))
        now = (result is server, server.listening, server.address())
        count = await connectionCount(server)
        late, lateTrace = self.connect(port, "127.0.0.1")
        await lateTrace.closed()
        stillOpen = (client.readyState, sock.readyState, list(order))
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])

        self.assertEqual(now, (True, False, None))
        self.assertEqual(count, (None, 1))
        self.assertEqual(
            lateTrace.names(), ["connectionAttempt", "connectionAttemptFailed", "error", "close"]
        )
        self.assertEqual(lateTrace.events[2][1][0].code, "ECONNREFUSED")
        self.assertEqual(stillOpen, ("open", "open", []))
        self.assertEqual(
            order,
            [
                ("socket end", ()),
                ("socket finish", ()),
                ("server close", ()),
                ("close callback", ()),
                ("socket close", (False,)),
            ],
        )

    async def test_closeNotListening(self) -> None:
        """
        ``close(cb)`` on a server that never listened: ``'close'`` is still
        emitted (asynchronously), and ``cb`` gets ``ERR_SERVER_NOT_RUNNING``.
        """
        server, trace, _ = self.server()
        calls: list[Any] = []
        closed = nextEvent(server, "close")
        result = server.close(lambda *a: calls.append(a))
        now = (result is server, trace.names(), list(calls))
        await closed
        await connectionCount(server)

        self.assertEqual(now, (True, [], []))
        self.assertEqual(trace.events, [("close", ())])
        self.assertEqual(len(calls), 1)
        (err,) = calls[0]
        self.assertEqual(
            (isinstance(err, NodeError), err.code, str(err)),
            (True, "ERR_SERVER_NOT_RUNNING", "Server is not running."),
        )

    async def test_closeTwice(self) -> None:
        """
        Two ``close(cb)`` calls on a listening server: one ``'close'`` with
        both callbacks (the second with ``ERR_SERVER_NOT_RUNNING``), then a
        second ``'close'``.
        """
        server, _, _ = await self.listening(0, "127.0.0.1")
        order: list[Any] = []
        server.on("close", lambda *a: order.append(("close", a)))
        server.close(lambda *a: order.append(("cb1", a)))
        server.close(lambda *a: order.append(("cb2", tuple(getattr(e, "code", e) for e in a))))
        while len(order) < 4:
            await nextEvent(server, "close")
        await connectionCount(server)
        self.assertEqual(
            order,
            [("close", ()), ("cb1", ()), ("cb2", ("ERR_SERVER_NOT_RUNNING",)), ("close", ())],
        )

    async def test_closeBeforeListening(self) -> None:
        """
        ``close()`` right after ``listen(0, host)`` (before ``'listening'``):
        ``'listening'`` never comes, ``'close'`` does, and (as the server had
        no handle yet) the callback gets ``ERR_SERVER_NOT_RUNNING``.
        """
        ping = await self.pinger()
        server, trace, _ = self.server()
        calls: list[Any] = []
        server.listen(0, "127.0.0.1", lambda: calls.append("listen cb"))
        server.close(
            lambda *a: calls.append(("close cb", tuple(getattr(e, "code", e) for e in a)))
        )
        await nextEvent(server, "close")
        await ping(3)
        self.assertEqual(trace.names(), ["close"])
        self.assertEqual(calls, [("close cb", ("ERR_SERVER_NOT_RUNNING",))])
        self.assertEqual((server.listening, server.address()), (False, None))

    async def test_getConnections(self) -> None:
        """
        ``getConnections`` counts accepted sockets that are not destroyed:
        0, then 2, then 1 right after one is destroyed, then 0.
        """
        server, _, accepted = self.server()
        counts = [await connectionCount(server)]
        d = net.once(server, "listening")
        server.listen(0, "127.0.0.1")
        await d
        port = server.address()["port"]
        a, aTrace = await self.connected(port, "127.0.0.1")
        b, bTrace = await self.connected(port, "127.0.0.1")
        first = await accepted.get(0)
        second = await accepted.get(1)
        counts.append(await connectionCount(server))
        first.emitter.destroy()
        counts.append(await connectionCount(server))
        second.emitter.destroy()
        await DeferredList([t.closed() for t in (aTrace, bTrace, first, second)])
        counts.append(await connectionCount(server))
        await self.closeServer(server)
        self.assertEqual(counts, [(None, 0), (None, 2), (None, 1), (None, 0)])


class MaxConnectionsTests(LoopbackTestCase):
    """``server.maxConnections`` and the ``'drop'`` event."""

    async def test_dropOverLimit(self) -> None:
        """
        Over the limit the server emits ``'drop'`` (Node's six keys) instead
        of ``'connection'``, and the client sees ``connect, ready, end,
        finish, close(False)``.
        """
        server, serverTrace, accepted = self.server()
        defaultLimit = server.maxConnections
        server.maxConnections = 1
        d = net.once(server, "listening")
        server.listen(0, "127.0.0.1")
        await d
        port = server.address()["port"]
        first, firstTrace = await self.connected(port, "127.0.0.1")
        kept = await accepted.get(0)
        dropped = nextEvent(server, "drop")
        rejected, rejectedTrace = self.connect(port, "127.0.0.1")
        clientPort: list[int] = []
        rejected.on("connect", lambda: clientPort.append(rejected.localPort))
        (data,) = await dropped
        await rejectedTrace.closed()
        first.end()
        await DeferredList([firstTrace.closed(), kept.closed()])
        await self.closeServer(server)

        self.assertIsNone(defaultLimit)
        self.assertEqual(
            rejectedTrace.events,
            [
                ("connectionAttempt", ("127.0.0.1", port, 4)),
                ("connect", ()),
                ("ready", ()),
                ("end", ()),
                ("finish", ()),
                ("close", (False,)),
            ],
        )
        self.assertEqual(
            rejectedTrace.states,
            [
                ("connectionAttempt", "opening"),
                ("connect", "open"),
                ("ready", "open"),
                ("end", "writeOnly"),
                ("finish", "closed"),
                ("close", "closed"),
            ],
        )
        self.assertEqual(
            list(data),
            ["localAddress", "localPort", "localFamily", "remoteAddress", "remotePort",
             "remoteFamily"],
        )
        self.assertEqual(
            data,
            {
                "localAddress": "127.0.0.1",
                "localPort": port,
                "localFamily": "IPv4",
                "remoteAddress": "127.0.0.1",
                "remotePort": clientPort[0],
                "remoteFamily": "IPv4",
            },
        )
        self.assertEqual(
            serverTrace.names(), ["listening", "connection", "drop", "close"]
        )
        self.assertEqual(len(accepted.traces), 1)

    async def test_zeroMeansUnlimited(self) -> None:
        """``maxConnections = 0`` limits nothing, as in Node."""
        server, serverTrace, accepted = await self.listening(0, "127.0.0.1")
        server.maxConnections = 0
        port = server.address()["port"]
        a, aTrace = await self.connected(port, "127.0.0.1")
        b, bTrace = await self.connected(port, "127.0.0.1")
        first = await accepted.get(0)
        second = await accepted.get(1)
        a.end()
        b.end()
        await DeferredList([t.closed() for t in (aTrace, bTrace, first, second)])
        await self.closeServer(server)
        self.assertEqual(
            serverTrace.names(), ["listening", "connection", "connection", "close"]
        )


    async def test_destroyFreesSlot(self) -> None:
        """Destroying an accepted socket frees its slot: the next client is accepted."""
        server, serverTrace, accepted = await self.listening(0, "127.0.0.1")
        server.maxConnections = 1
        port = server.address()["port"]
        first, firstTrace = await self.connected(port, "127.0.0.1")
        kept = await accepted.get(0)
        kept.emitter.destroy()
        await DeferredList([firstTrace.closed(), kept.closed()])
        second, secondTrace = await self.connected(port, "127.0.0.1")
        accepted2 = await accepted.get(1)
        second.end()
        await DeferredList([secondTrace.closed(), accepted2.closed()])
        await self.closeServer(server)
        self.assertEqual(
            serverTrace.names(), ["listening", "connection", "connection", "close"]
        )


class PauseOnConnectTests(LoopbackTestCase):
    """``createServer({'pauseOnConnect': True})``."""

    async def test_pauseOnConnect(self) -> None:
        """
        An accepted socket starts paused and reads nothing from the kernel
        (``bytesRead`` stays 0 while the client's data waits) until
        ``resume()``; then every byte and the FIN arrive.
        """
        ping = await self.pinger()
        server, _, accepted = await self.listening(0, "127.0.0.1", pauseOnConnect=True)
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        payload = os.urandom(100_000)
        client.end(payload)
        serverTrace = await accepted.get(0)
        sock = serverTrace.emitter
        await ping(5)
        held = (sock.bytesRead, sock.isPaused(), sock.readableFlowing, serverTrace.names())
        sock.resume()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(held, (0, True, False, []))
        self.assertEqual(serverTrace.data(), payload)
        self.assertEqual(sock.bytesRead, len(payload))
        self.assertEqual(serverTrace.names()[-3:], ["end", "finish", "close"])


class ListenHandleTests(LoopbackTestCase):
    """``listen({'fd': n})``, ``listen(socket)`` and the legacy ``listenFD(fd)``."""

    def boundSocket(self) -> stdsocket.socket:
        """A TCP socket bound to 127.0.0.1 (not listening), closed at clean-up."""
        sock = stdsocket.socket(stdsocket.AF_INET, stdsocket.SOCK_STREAM)
        self.addCleanup(sock.close)
        sock.bind(("127.0.0.1", 0))
        return sock

    async def listenOn(self, how: Any) -> None:
        """Listen with ``how(server, boundSocket)`` and check a round trip."""
        bound = self.boundSocket()
        port = bound.getsockname()[1]
        server, serverTrace, accepted = self.server()
        server.on("connection", lambda s: s.end("hi"))
        listening = net.once(server, "listening")
        result = how(server, bound)
        await listening
        address = server.address()
        client, clientTrace = self.connect(port, "127.0.0.1")
        sockTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), sockTrace.closed()])
        await self.closeServer(server)

        self.assertIs(result, server)
        self.assertEqual(address, {"address": "127.0.0.1", "family": "IPv4", "port": port})
        self.assertEqual(clientTrace.data(), b"hi")
        self.assertEqual(serverTrace.names(), ["listening", "connection", "close"])

    def test_listenFdOption(self) -> Deferred[None]:
        """``listen({'fd': n})`` listens on a bound descriptor, at its address."""
        return Deferred.fromCoroutine(
            self.listenOn(lambda server, sock: server.listen({"fd": sock.fileno()}))
        )

    def test_listenSocketObject(self) -> Deferred[None]:
        """``listen(sock)`` with a bound Python socket listens there."""
        return Deferred.fromCoroutine(self.listenOn(lambda server, sock: server.listen(sock)))

    async def test_listenOnRegularFileFd(self) -> None:
        """
        ``listen({'fd': n})`` with a regular file: asynchronous ``'error'``
        ``listen EINVAL: invalid argument`` with no address, no ``'close'``.
        """
        fd = os.open(__file__, os.O_RDONLY)
        self.addCleanup(os.close, fd)
        server, trace, _ = self.server()
        server.listen({"fd": fd})
        now = trace.names()
        (err,) = await nextEvent(server, "error")
        await connectionCount(server)

        self.assertEqual(now, [])
        self.assertEqual(trace.names(), ["error"])
        self.assertEqual((server.listening, server.address()), (False, None))
        self.assertEqual(
            errorFields(err),
            {
                "message": "listen EINVAL: invalid argument",
                "code": "EINVAL",
                "errno": errno.EINVAL,
                "syscall": "listen",
                "address": None,
                "port": None,
            },
        )

    def test_listenFD(self) -> Deferred[None]:
        """The legacy ``listenFD(fd)`` listens on a bound descriptor."""
        return Deferred.fromCoroutine(
            self.listenOn(lambda server, sock: server.listenFD(sock.fileno()))
        )


class LeanAcceptTests(LoopbackTestCase):
    """
    nodenet's listening sockets accept without the standard library's enum
    conversions (:func:`nodenet._listen.leanAccept`), and give the same
    sockets.
    """

    def accepted(self, family: int, address: Any, lean: bool, blocking: bool) -> tuple[Any, ...]:
        """What ``accept()`` gives for one client of a fresh listener, lean or standard."""
        listener = stdsocket.socket(family, stdsocket.SOCK_STREAM)
        self.addCleanup(listener.close)
        listener.bind(address)
        listener.listen(1)
        listener.setblocking(blocking)
        if lean:
            leanAccept(type("Port", (), {"socket": listener})())
        client = stdsocket.socket(family, stdsocket.SOCK_STREAM)
        self.addCleanup(client.close)
        client.connect(listener.getsockname())
        sock, peer = listener.accept()
        self.addCleanup(sock.close)
        return (
            type(listener).__name__ == "_ListeningSocket",
            type(sock),
            sock.family,
            sock.type,
            sock.proto,
            sock.gettimeout(),
            peer == client.getsockname(),
        )

    def test_sameSockets(self) -> None:
        """
        TCP and unix, blocking or not: the lean ``accept()`` gives a socket
        of the same class, family, type, protocol and timeout, and the same
        peer address, as the standard library's.
        """
        directory = tempfile.mkdtemp(prefix="nn", dir="/tmp")
        self.addCleanup(shutil.rmtree, directory)
        cases = [
            (stdsocket.AF_INET, ("127.0.0.1", 0)),
            (stdsocket.AF_UNIX, None),
        ]
        seen = []
        for n, (family, address) in enumerate(cases):
            for blocking in (False, True):
                where = address or os.path.join(directory, f"s{n}{blocking:d}")
                standard = self.accepted(family, where, False, blocking)
                where = address or where + "l"
                lean = self.accepted(family, where, True, blocking)
                seen.append((standard[1:], lean[1:], standard[0], lean[0]))

        self.assertEqual(seen, [(s, s, False, True) for s, _, _, _ in seen])
        self.assertEqual(
            [s[:5] for s, _, _, _ in seen],
            [
                (stdsocket.socket, stdsocket.AF_INET, stdsocket.SOCK_STREAM, 0, None),
                (stdsocket.socket, stdsocket.AF_INET, stdsocket.SOCK_STREAM, 0, None),
                (stdsocket.socket, stdsocket.AF_UNIX, stdsocket.SOCK_STREAM, 0, None),
                (stdsocket.socket, stdsocket.AF_UNIX, stdsocket.SOCK_STREAM, 0, None),
            ],
        )

    def test_otherSocketsLeftAlone(self) -> None:
        """A port without a standard library socket (a subclass, or none) is left as it is."""

        class Mine(stdsocket.socket):
            pass

        mine = Mine()
        self.addCleanup(mine.close)
        port = type("Port", (), {"socket": mine})()
        leanAccept(port)
        leanAccept(object())

        self.assertIs(type(mine), Mine)

    async def test_serversListenLean(self) -> None:
        """Every way a server listens (port, path, descriptor) accepts through the lean socket."""
        directory = tempfile.mkdtemp(prefix="nn", dir="/tmp")
        self.addCleanup(shutil.rmtree, directory)
        bound = stdsocket.socket(stdsocket.AF_INET, stdsocket.SOCK_STREAM)
        self.addCleanup(bound.close)
        bound.bind(("127.0.0.1", 0))
        kinds = []
        for args in ((0, "127.0.0.1"), (os.path.join(directory, "s"),), ({"fd": bound.fileno()},)):
            server, _, accepted = await self.listening(*args)
            address = server.address()
            client, clientTrace = self.connect(
                *((address,) if isinstance(address, str) else (address["port"], "127.0.0.1"))
            )
            sockTrace = await accepted.get(0)
            client.destroy()
            await DeferredList([clientTrace.closed(), sockTrace.closed()])
            kinds.append(type(server._port.socket).__name__)
            await self.closeServer(server)

        self.assertEqual(kinds, ["_ListeningSocket"] * 3)
