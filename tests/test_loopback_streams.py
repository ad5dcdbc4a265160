"""
Integration tests of nodenet over the real kernel: timeouts, ``net.once``
and async iteration, and exceptions escaping listeners.

Expected traces are Node v20's, measured by running the same scenarios
under ``node``.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred, DeferredList

import nodenet as net

from .test_loopback import SOCKET_EVENTS, LoopbackTestCase, Trace, nextEvent


class TimeoutTests(LoopbackTestCase):
    """``setTimeout()`` and the ``timeout`` connect option on real sockets."""

    async def test_idleTimeoutFiresOnceAndKeepsSocketOpen(self) -> None:
        """
        An idle connected socket with ``setTimeout(50)`` emits ``'timeout'``
        once (it is not re-armed without activity) and stays open: seen when
        the peer's own ``setTimeout(300)`` fires.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        peer = serverTrace.emitter
        result = client.setTimeout(50)
        peer.setTimeout(300)
        await nextEvent(peer, "timeout")
        seen = (result is client, client.timeout, client.readyState, client.destroyed)
        names = clientTrace.names()
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(seen, (True, 50, "open", False))
        self.assertEqual(names, ["connectionAttempt", "connect", "ready", "timeout"])
        self.assertEqual(serverTrace.names(), ["timeout", "end", "finish", "close"])

    async def test_timeoutRearmedByActivity(self) -> None:
        """
        After ``'timeout'`` fired, activity (a write) re-arms it: a second
        ``'timeout'`` follows (seen before an idle reference socket's longer
        timeout fires).
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        reference, referenceTrace = await self.connected(port, "127.0.0.1")
        client.setTimeout(30)
        await nextEvent(client, "timeout")
        reference.setTimeout(250)
        client.write("x")
        await nextEvent(reference, "timeout")
        names = clientTrace.names()
        client.end()
        reference.end()
        peers = [await accepted.get(0), await accepted.get(1)]
        await DeferredList([t.closed() for t in [clientTrace, referenceTrace, *peers]])
        await self.closeServer(server)

        self.assertEqual(names, ["connectionAttempt", "connect", "ready", "timeout", "timeout"])

    async def test_connectTimeoutOption(self) -> None:
        """``net.connect({..., 'timeout': 50})`` sets ``timeout`` and arms the idle timer."""
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client = net.connect({"port": port, "host": "127.0.0.1", "timeout": 50})
        clientTrace = self.track(client)
        timeoutNow = client.timeout
        await nextEvent(client, "timeout")
        state = client.readyState
        serverTrace = await accepted.get(0)
        client.destroy()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual((timeoutNow, state), (50, "open"))
        self.assertEqual(
            clientTrace.events,
            [
                ("connectionAttempt", ("127.0.0.1", port, 4)),
                ("connect", ()),
                ("ready", ()),
                ("timeout", ()),
                ("close", (False,)),
            ],
        )


class AsyncTests(LoopbackTestCase):
    """``net.once`` and ``async for`` over real connections."""

    def test_asyncIterationCollectsAllData(self) -> Deferred[None]:
        """
        ``await net.once(sock, 'connect')`` gives C{[]}; ``async for chunk in
        sock`` yields every byte the server sent, ends at the server's FIN
        and then destroys the socket.
        """
        payload = b"".join(bytes([i]) * 1000 for i in range(200))

        async def run() -> None:
            server, _, accepted = await self.listening(0, "127.0.0.1")

            def onConnection(sock: Any) -> None:
                sock.write(payload[:50000])
                sock.end(payload[50000:])

            server.on("connection", onConnection)
            port = server.address()["port"]
            client, clientTrace = self.connect(port, "127.0.0.1")
            connectArgs = await net.once(client, "connect")
            chunks = []
            async for chunk in client:
                chunks.append(chunk)
            afterLoop = (client.readyState, client.destroyed)
            serverTrace = await accepted.get(0)
            await DeferredList([clientTrace.closed(), serverTrace.closed()])
            await self.closeServer(server)

            self.assertEqual(connectArgs, [])
            self.assertTrue(all(isinstance(c, bytes) for c in chunks))
            self.assertEqual(b"".join(chunks), payload)
            # As Node's readable iterator, finishing the loop destroys the
            # socket: no 'finish' after 'end'.
            self.assertEqual(afterLoop, ("closed", True))
            self.assertEqual(
                [event for event in clientTrace.events if event[0] != "data"],
                [
                    ("connectionAttempt", ("127.0.0.1", port, 4)),
                    ("connect", ()),
                    ("ready", ()),
                    ("end", ()),
                    ("close", (False,)),
                ],
            )
            self.assertEqual(serverTrace.names(), ["finish", "end", "close"])

        return Deferred.fromCoroutine(run())


class Boom(Exception):
    """Raised by a test listener."""


class ListenerErrorTests(LoopbackTestCase):
    """An exception escaping a listener inside a reactor callback."""

    async def test_dataListenerRaises(self) -> None:
        """
        A ``'data'`` listener that raises: the error is logged once, that
        socket is destroyed (its client sees the FIN), and the server goes on
        serving the next client.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]

        def boom(chunk: bytes) -> None:
            raise Boom(chunk)

        def onConnection(sock: Any) -> None:
            if len(accepted.traces) == 1:
                sock.on("data", boom)
            else:
                sock.on("data", sock.write)

        server.on("connection", onConnection)
        first, firstTrace = await self.connected(port, "127.0.0.1")
        first.write("x")
        broken: Trace = await accepted.get(0)
        await DeferredList([firstTrace.closed(), broken.closed()])
        logged = self.flushLoggedErrors(Boom)

        second, secondTrace = await self.connected(port, "127.0.0.1")
        echoed = nextEvent(second, "data")
        second.write("again")
        (echo,) = await echoed
        second.end()
        healthy = await accepted.get(1)
        await DeferredList([secondTrace.closed(), healthy.closed()])
        await self.closeServer(server)

        self.assertEqual(len(logged), 1)
        self.assertEqual(logged[0].value.args, (b"x",))
        self.assertEqual(broken.names(), ["data", "close"])
        self.assertTrue(broken.emitter.destroyed)
        self.assertEqual(
            firstTrace.names(),
            ["connectionAttempt", "connect", "ready", "end", "finish", "close"],
        )
        self.assertEqual(firstTrace.events[-1], ("close", (False,)))
        self.assertEqual(echo, b"again")
        self.assertEqual(
            secondTrace.names(),
            ["connectionAttempt", "connect", "ready", "data", "finish", "end", "close"],
        )
        self.assertEqual(healthy.names(), ["data", "end", "finish", "close"])

    async def test_unhandledSocketErrorIsLogged(self) -> None:
        """
        A refused connection with no ``'error'`` listener: the error is
        logged once as unhandled (not lost, not crashing the reactor) and the
        socket still closes with ``close(True)``.
        """
        port = await self.closedPort()
        events = [name for name in SOCKET_EVENTS if name != "error"]
        client, trace = self.connect(port, "127.0.0.1", events=events)
        await trace.closed()
        logged = self.flushLoggedErrors(ConnectionRefusedError)

        self.assertEqual(len(logged), 1)
        self.assertEqual(str(logged[0].value), f"connect ECONNREFUSED 127.0.0.1:{port}")
        self.assertEqual(
            trace.names(), ["connectionAttempt", "connectionAttemptFailed", "close"]
        )
        self.assertEqual(trace.events[-1], ("close", (True,)))

    async def test_unhandledServerErrorIsLogged(self) -> None:
        """A listen error with no ``'error'`` listener is logged once as unhandled."""
        ping = await self.pinger()
        busy, _, _ = await self.listening(0, "127.0.0.1")
        port = busy.address()["port"]
        server = net.createServer()
        server.listen(port, "127.0.0.1")
        await ping(3)
        logged = self.flushLoggedErrors(OSError)
        await self.closeServer(busy)

        self.assertEqual(
            [str(f.value) for f in logged],
            [f"listen EADDRINUSE: address already in use 127.0.0.1:{port}"],
        )
        self.assertFalse(server.listening)

    async def test_asyncDataListenerFails(self) -> None:
        """
        An ``async def`` ``'data'`` listener whose coroutine fails is treated
        like one that raised: logged once, that socket destroyed.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]

        async def boom(chunk: bytes) -> None:
            raise Boom(chunk)

        server.on("connection", lambda s: s.on("data", boom))
        client, clientTrace = await self.connected(port, "127.0.0.1")
        client.write("y")
        broken = await accepted.get(0)
        await DeferredList([clientTrace.closed(), broken.closed()])
        await self.closeServer(server)

        logged = self.flushLoggedErrors(Boom)
        self.assertEqual([f.value.args for f in logged], [(b"y",)])
        self.assertEqual(broken.names(), ["data", "close"])
        self.assertEqual(clientTrace.names()[-3:], ["end", "finish", "close"])

    async def test_connectionListenerRaises(self) -> None:
        """
        A ``'connection'`` listener that raises: logged once, that socket
        destroyed, the server still accepts the next client.
        """
        server, serverTrace, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]

        def onConnection(sock: Any) -> None:
            if len(accepted.traces) == 1:
                raise Boom("connection")
            sock.end("ok")

        server.on("connection", onConnection)
        first, firstTrace = self.connect(port, "127.0.0.1")
        broken = await accepted.get(0)
        await DeferredList([firstTrace.closed(), broken.closed()])
        logged = self.flushLoggedErrors(Boom)
        second, secondTrace = self.connect(port, "127.0.0.1")
        healthy = await accepted.get(1)
        await DeferredList([secondTrace.closed(), healthy.closed()])
        await self.closeServer(server)

        self.assertEqual(len(logged), 1)
        self.assertTrue(broken.emitter.destroyed)
        self.assertEqual(broken.names(), ["close"])
        self.assertEqual(
            firstTrace.names(),
            ["connectionAttempt", "connect", "ready", "end", "finish", "close"],
        )
        self.assertEqual(secondTrace.data(), b"ok")
        self.assertEqual(serverTrace.names(), ["listening", "connection", "connection", "close"])
