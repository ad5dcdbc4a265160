"""
Integration tests of nodenet over the real kernel: half-close (FIN) and
reset (RST).

Expected traces are Node v20's, measured by running the same scenarios
under ``node``.
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import DeferredList

from .test_loopback import SOCKET_EVENTS, LoopbackTestCase, errorFields, nextEvent


class HalfCloseTests(LoopbackTestCase):
    """FIN handling, with and without ``allowHalfOpen``."""

    async def test_peerEndsWithoutHalfOpen(self) -> None:
        """
        The server ends with data; the client (``allowHalfOpen`` false) sees
        ``data, end, finish, close(False)`` with Node's readyState in each,
        and ends its own side one tick after ``'end'``.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end("from-server"))
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1")
        inside: list[Any] = []
        client.on(
            "end",
            lambda: inside.append(
                ("end", client.readable, client.writable, client.writableEnded, client.destroyed)
            ),
        )
        client.on(
            "finish", lambda: inside.append(("finish", client.destroyed, client.writableFinished))
        )
        client.on("close", lambda _: inside.append(("close", client.destroyed, client.pending)))
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(
            clientTrace.events,
            [
                ("connectionAttempt", ("127.0.0.1", port, 4)),
                ("connect", ()),
                ("ready", ()),
                ("data", (b"from-server",)),
                ("end", ()),
                ("finish", ()),
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
                ("end", "writeOnly"),
                ("finish", "closed"),
                ("close", "closed"),
            ],
        )
        self.assertEqual(
            inside,
            [("end", False, True, False, False), ("finish", False, True), ("close", True, True)],
        )
        self.assertEqual(
            serverTrace.events, [("finish", ()), ("end", ()), ("close", (False,))]
        )
        self.assertEqual(
            serverTrace.states, [("finish", "readOnly"), ("end", "closed"), ("close", "closed")]
        )

    async def test_peerEndsWithHalfOpen(self) -> None:
        """
        With ``allowHalfOpen`` the client stays writable after ``'end'``:
        a later ``write()`` returns C{True} and reaches the server, and only
        the client's own ``end()`` closes the connection.
        """
        ping = await self.pinger()
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end("from-server"))
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1", options={"allowHalfOpen": True})
        serverTrace = await accepted.get(0)
        await nextEvent(client, "end")
        await ping(2)
        later = (client.readyState, client.readable, client.writable, client.destroyed)
        wrote = client.write("late")
        await nextEvent(serverTrace.emitter, "data")
        beforeEnd = clientTrace.names()
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(later, ("writeOnly", False, True, False))
        self.assertTrue(wrote)
        self.assertEqual(beforeEnd, ["connectionAttempt", "connect", "ready", "data", "end"])
        self.assertEqual(
            clientTrace.events[3:],
            [("data", (b"from-server",)), ("end", ()), ("finish", ()), ("close", (False,))],
        )
        self.assertEqual(
            clientTrace.states[3:],
            [("data", "open"), ("end", "writeOnly"), ("finish", "closed"), ("close", "closed")],
        )
        self.assertEqual(
            serverTrace.events,
            [("finish", ()), ("data", (b"late",)), ("end", ()), ("close", (False,))],
        )
        self.assertEqual(
            serverTrace.states,
            [("finish", "readOnly"), ("data", "readOnly"), ("end", "closed"), ("close", "closed")],
        )

    async def test_ownEndFirst(self) -> None:
        """
        The side that ends first sees ``finish`` (readOnly), then the peer's
        FIN as ``end`` (closed), then ``close(False)``.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        result = client.end()
        after = (
            result is client,
            client.readyState,
            client.writable,
            client.writableEnded,
            client.writableFinished,
        )
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(after, (True, "readOnly", False, True, False))
        self.assertEqual(
            clientTrace.events[1:],
            [("connect", ()), ("ready", ()), ("finish", ()), ("end", ()), ("close", (False,))],
        )
        self.assertEqual(
            clientTrace.states[1:],
            [
                ("connect", "open"),
                ("ready", "open"),
                ("finish", "readOnly"),
                ("end", "closed"),
                ("close", "closed"),
            ],
        )
        self.assertEqual(
            serverTrace.events, [("end", ()), ("finish", ()), ("close", (False,))]
        )
        self.assertEqual(
            serverTrace.states, [("end", "writeOnly"), ("finish", "closed"), ("close", "closed")]
        )

    async def test_writeInsideEndListener(self) -> None:
        """
        With ``allowHalfOpen`` false, a write inside the ``'end'`` listener
        (before the automatic ``end()``) is accepted and reaches the peer.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end("from-server"))
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1")
        wrote: list[bool] = []
        client.on("end", lambda: wrote.append(client.write("bye")))
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(wrote, [True])
        self.assertEqual(
            clientTrace.names(),
            ["connectionAttempt", "connect", "ready", "data", "end", "finish", "close"],
        )
        self.assertEqual(
            serverTrace.events,
            [("finish", ()), ("data", (b"bye",)), ("end", ()), ("close", (False,))],
        )


    async def test_endWhileConnecting(self) -> None:
        """
        ``write()`` and ``end(data)`` before ``'connect'`` are queued (and
        counted); after ``'connect'`` (readyState ``'readOnly'``) they go out
        with the FIN: ``finish``, then the server's reply, ``end`` and
        ``close(False)``; both callbacks get C{None}.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.on("end", lambda: s.end("xy")))
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1")
        calls: list[Any] = []
        wrote = client.write("abc", lambda *a: calls.append(("write", a)))
        afterWrite = (wrote, client.writableLength, client.bufferSize, client.bytesWritten)
        result = client.end("foobar", lambda *a: calls.append(("end", a)))
        afterEnd = (
            result is client,
            client.readyState,
            client.writable,
            client.writableLength,
            client.bytesWritten,
        )
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(afterWrite, (True, 3, 3, 3))
        self.assertEqual(afterEnd, (True, "opening", False, 9, 9))
        self.assertEqual(calls, [("write", (None,)), ("end", (None,))])
        self.assertEqual(
            clientTrace.events,
            [
                ("connectionAttempt", ("127.0.0.1", port, 4)),
                ("connect", ()),
                ("ready", ()),
                ("finish", ()),
                ("data", (b"xy",)),
                ("end", ()),
                ("close", (False,)),
            ],
        )
        self.assertEqual(
            clientTrace.states,
            [
                ("connectionAttempt", "opening"),
                ("connect", "readOnly"),
                ("ready", "readOnly"),
                ("finish", "readOnly"),
                ("data", "readOnly"),
                ("end", "closed"),
                ("close", "closed"),
            ],
        )
        self.assertEqual((client.bytesRead, client.bytesWritten), (2, 9))
        self.assertEqual(
            serverTrace.events,
            [("data", (b"abcfoobar",)), ("end", ()), ("finish", ()), ("close", (False,))],
        )

    async def test_unreadDataWithholdsEnd(self) -> None:
        """
        Data nobody reads (no ``'data'`` listener, never resumed) holds back
        the peer's FIN: no ``'end'``, the socket stays ``'open'``; a later
        ``resume()`` gives ``end, finish, close(False)``.
        """
        ping = await self.pinger()
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end("x"))
        port = server.address()["port"]
        events = [name for name in SOCKET_EVENTS if name != "data"]
        client, clientTrace = self.connect(port, "127.0.0.1", events=events)
        serverTrace = await accepted.get(0)
        await nextEvent(serverTrace.emitter, "finish")
        await ping(5)
        held = (
            client.readyState,
            client.readableLength,
            client.readableFlowing,
            client.bytesRead,
            clientTrace.names(),
        )
        client.resume()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(held, ("open", 1, None, 1, ["connectionAttempt", "connect", "ready"]))
        self.assertEqual(
            clientTrace.names()[3:], ["end", "finish", "close"]
        )
        self.assertEqual(clientTrace.states[3:], [("end", "writeOnly"), ("finish", "closed"),
                                                  ("close", "closed")])


    async def test_serverAllowHalfOpen(self) -> None:
        """
        A server with ``allowHalfOpen`` stays writable after the client's
        FIN: it replies later, then ends; the client sees ``finish``, the
        reply, ``end`` and ``close(False)``.
        """
        ping = await self.pinger()
        server, _, accepted = await self.listening(0, "127.0.0.1", allowHalfOpen=True)
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        client.end("req")
        serverTrace = await accepted.get(0)
        sock = serverTrace.emitter
        await nextEvent(sock, "end")
        await ping(2)
        later = (sock.readyState, sock.allowHalfOpen, sock.write("reply"))
        sock.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(later, ("writeOnly", True, True))
        self.assertEqual(
            serverTrace.events,
            [("data", (b"req",)), ("end", ()), ("finish", ()), ("close", (False,))],
        )
        self.assertEqual(
            serverTrace.states,
            [("data", "open"), ("end", "writeOnly"), ("finish", "closed"), ("close", "closed")],
        )
        self.assertEqual(
            clientTrace.events[3:],
            [("finish", ()), ("data", (b"reply",)), ("end", ()), ("close", (False,))],
        )
        self.assertEqual(
            clientTrace.states[3:],
            [("finish", "readOnly"), ("data", "readOnly"), ("end", "closed"),
             ("close", "closed")],
        )

    async def test_endWaitsForQueuedData(self) -> None:
        """
        ``end(data)`` with more data than the kernel holds, to a paused
        peer: ``'finish'`` waits until everything went out; after the peer
        resumes it gets every byte, then ``'end'``.
        """
        ping = await self.pinger()
        payload = bytes(range(256)) * 4096 * 8  # 8 MiB
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end(payload))
        port = server.address()["port"]
        client, clientTrace = self.socket()
        client.pause()
        client.connect(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        await ping(5)
        whilePaused = (serverTrace.names(), client.isPaused())
        client.resume()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(whilePaused, ([], True))
        self.assertEqual(len(clientTrace.data()), len(payload))
        self.assertTrue(clientTrace.data() == payload)
        self.assertEqual(
            [n for n in clientTrace.names() if n != "data"],
            ["connectionAttempt", "connect", "ready", "end", "finish", "close"],
        )
        self.assertEqual(serverTrace.names(), ["finish", "end", "close"])

    async def test_destroySoon(self) -> None:
        """
        ``destroySoon()`` ends the socket (readyState ``'readOnly'``) and
        destroys it at ``'finish'``: ``finish, close(False)``; the peer gets
        the data and a clean end.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        client.write("abc")
        result = client.destroySoon()
        state = client.readyState
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual((result, state), (None, "readOnly"))
        self.assertEqual(clientTrace.events[3:], [("finish", ()), ("close", (False,))])
        self.assertEqual(clientTrace.states[3:], [("finish", "readOnly"), ("close", "closed")])
        self.assertEqual(
            serverTrace.events,
            [("data", (b"abc",)), ("end", ()), ("finish", ()), ("close", (False,))],
        )


    async def test_writeAfterOwnEndFollowingPeerEnd(self) -> None:
        """
        With ``allowHalfOpen`` false, ``end()`` then ``write()`` inside
        ``'end'``: ``write()`` returns C{False} and destroys the socket; the
        callback, then ``'error'``, get EPIPE ``This socket has been ended by
        the other party`` (no errno); then ``close(True)``.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.end("x"))
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1")
        order: list[Any] = []
        now: list[Any] = []

        def onEnd() -> None:
            client.end()
            result = client.write("x", lambda *a: order.append(("cb", a)))
            now.append((result, client.readyState, client.destroyed))

        client.on("end", onEnd)
        client.on("error", lambda err: order.append(("error", (err,))))
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(now, [(False, "closed", True)])
        self.assertEqual(
            clientTrace.names(),
            ["connectionAttempt", "connect", "ready", "data", "end", "error", "close"],
        )
        self.assertEqual(clientTrace.events[-1], ("close", (True,)))
        err = clientTrace.events[-2][1][0]
        self.assertEqual(order, [("cb", (err,)), ("error", (err,))])
        self.assertIsInstance(err, BrokenPipeError)
        self.assertEqual(
            (str(err), err.code, err.errno, err.syscall),
            ("This socket has been ended by the other party", "EPIPE", None, None),
        )
        self.assertEqual(serverTrace.events, [("finish", ()), ("end", ()), ("close", (False,))])

    async def test_endHeldWhilePaused(self) -> None:
        """
        The peer's data and FIN that arrive while the socket is paused are
        held: nothing is emitted until ``resume()``, which delivers the data
        and then ``end, finish, close(False)``.
        """
        ping = await self.pinger()
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.write("a"))
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1")
        client.once("data", lambda chunk: client.pause())
        serverTrace = await accepted.get(0)
        await nextEvent(client, "data")
        serverTrace.emitter.end("b")
        await nextEvent(serverTrace.emitter, "finish")
        await ping(5)
        held = (clientTrace.names(), client.readyState, client.isPaused())
        client.resume()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(
            held, (["connectionAttempt", "connect", "ready", "data"], "open", True)
        )
        self.assertEqual(
            clientTrace.events[3:],
            [("data", (b"a",)), ("data", (b"b",)), ("end", ()), ("finish", ()),
             ("close", (False,))],
        )
        self.assertEqual(serverTrace.names(), ["finish", "end", "close"])


class ResetTests(LoopbackTestCase):
    """``resetAndDestroy()``: a TCP RST instead of a FIN."""

    async def test_resetAndDestroy(self) -> None:
        """
        The resetting side sees only ``close(False)``; the peer gets
        ``'error'`` ``read ECONNRESET`` then ``close(True)`` and no ``'end'``.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        result = client.resetAndDestroy()
        after = (result is client, client.readyState, client.destroyed)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(after, (True, "closed", True))
        self.assertEqual(
            clientTrace.events[1:], [("connect", ()), ("ready", ()), ("close", (False,))]
        )
        self.assertEqual(serverTrace.names(), ["error", "close"])
        self.assertEqual(serverTrace.events[1], ("close", (True,)))
        self.assertEqual(serverTrace.states, [("error", "closed"), ("close", "closed")])
        err = serverTrace.events[0][1][0]
        self.assertIsInstance(err, ConnectionResetError)
        self.assertEqual(
            errorFields(err),
            {
                "message": "read ECONNRESET",
                "code": "ECONNRESET",
                "errno": 104,
                "syscall": "read",
                "address": None,
                "port": None,
            },
        )
