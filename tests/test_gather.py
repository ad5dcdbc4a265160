"""
What a socket's own listeners write is gathered and sent with one syscall
when they return: in ``'data'``, ``'connect'``, the server's
``'connection'`` and ``'drain'``, up to 128 KiB at a time.  The peer gets
the same bytes in the same order; ``write()`` returns what it would have
returned had each write gone to the kernel at once.

Over real loopback: the syscalls are counted by watching the transport's
``writeSomeData`` (which Twisted's own flushes go through too).
"""

from __future__ import annotations

from typing import Any

from twisted.internet.defer import Deferred

import nodenet as net
from nodenet.timers import nextTick

from .test_loopback import LoopbackTestCase, nextEvent

_CHUNK = 64 * 1024


def spy(socket: Any) -> list[Any]:
    """
    Record the size of every ``writeSomeData`` call on ``socket``'s
    transport that has something to send (Twisted's own flush, once the
    socket is ended, calls it with nothing).
    """
    transport = socket._transport
    real = transport.writeSomeData
    sizes: list[Any] = []

    def writeSomeData(data: bytes) -> Any:
        if data:
            sizes.append(len(data))
        return real(data)

    transport.writeSomeData = writeSomeData
    return sizes


def received(socket: Any) -> Deferred[bytes]:
    """Fire with everything ``socket`` receives, at its ``'end'``."""
    chunks: list[bytes] = []
    d: Deferred[bytes] = Deferred()
    socket.on("data", chunks.append)
    socket.on("end", lambda: d.callback(b"".join(chunks)))
    return d


class GatherTests(LoopbackTestCase):
    async def test_connection(self) -> None:
        """
        Three writes in a ``'connection'`` listener leave in one send; each
        returned ``True``, and their callbacks run in order, before a
        ``nextTick`` queued after them (as Node calls back writes the
        kernel took at once).
        """
        log: list[Any] = []

        def onConnection(socket: Any) -> None:
            sizes = spy(socket)
            log.append(sizes)
            for part in (b"one,", b"two,", b"three"):
                log.append(socket.write(part, lambda err, part=part: log.append((part, err))))
            log.append(list(sizes))  # nothing sent yet
            nextTick(log.append, "tick")
            socket.end()

        server, _, _ = await self.listening(0, "127.0.0.1")
        server.on("connection", onConnection)
        client, _ = self.connect(server.address()["port"], "127.0.0.1", events=())
        data = await received(client)
        sizes = log.pop(0)
        self.assertEqual(
            (
                b"one,two,three",
                [True, True, True, [], (b"one,", None), (b"two,", None), (b"three", None), "tick"],
                [13],
            ),
            (data, log, sizes),
        )

    async def test_data(self) -> None:
        """
        A reply made of three writes in a ``'data'`` listener leaves in one
        send; the callbacks run before a ``nextTick`` queued after them.
        """
        sent: list[Any] = []
        log: list[str] = []

        def onConnection(socket: Any) -> None:
            sent.append(spy(socket))

            def onData(chunk: bytes) -> None:
                socket.write(b"<", lambda err: log.append("<"))
                socket.write(chunk, lambda err: log.append("chunk"))
                socket.write(b">", lambda err: log.append(">"))
                nextTick(log.append, "tick")

            socket.on("data", onData)
            socket.on("end", socket.end)

        server, _, _ = await self.listening(0, "127.0.0.1")
        server.on("connection", onConnection)
        client, _ = self.connect(server.address()["port"], "127.0.0.1", events=())
        data = received(client)
        client.end(b"ping")
        self.assertEqual(
            (b"<ping>", [6], ["<", "chunk", ">", "tick"]), (await data, sent[0], log)
        )

    async def test_connect(self) -> None:
        """Writes in a client's ``'connect'`` listeners leave in one send."""
        server, _, accepted = await self.listening(0, "127.0.0.1")
        client, _ = self.connect(server.address()["port"], "127.0.0.1")
        sizes: list[Any] = []
        client.on("connect", lambda: sizes.extend([spy(client)]))
        client.on("connect", lambda: [client.write(b"hello, "), client.write(b"world")])
        client.on("connect", client.end)
        trace = await accepted.get(0)
        await trace.closed()
        self.assertEqual((b"hello, world", [12]), (trace.data(), sizes[0]))

    async def test_limit(self) -> None:
        """
        Gathered writes are sent once they reach 128 KiB, the rest when the
        listener returns; every byte arrives, in order.
        """
        sent: list[Any] = []

        def onConnection(socket: Any) -> None:
            sent.append(spy(socket))
            for n in range(5):
                socket.write(bytes([n]) * _CHUNK)
            socket.end()

        server, _, _ = await self.listening(0, "127.0.0.1")
        server.on("connection", onConnection)
        client, _ = self.connect(server.address()["port"], "127.0.0.1", events=())
        data = await received(client)
        self.assertEqual(
            (b"".join(bytes([n]) * _CHUNK for n in range(5)), 2 * _CHUNK),
            (data, sent[0][0]),
        )

    async def test_drain(self) -> None:
        """
        Writes in a ``'drain'`` listener leave in one send; the chunks
        written until ``write()`` said ``False`` and those after ``'drain'``
        arrive whole and in order.
        """
        log: list[Any] = []
        written: list[bytes] = []

        def onConnection(socket: Any) -> None:
            log.append(spy(socket))
            n = 0
            while True:
                chunk = bytes([n % 256]) * _CHUNK
                written.append(chunk)
                n += 1
                if not socket.write(chunk):
                    break

            def onDrain() -> None:
                log[0].append("drain")
                for part in (b"a" * 10, b"b" * 10, b"c" * 10):
                    written.append(part)
                    socket.write(part)
                socket.end()

            socket.once("drain", onDrain)
            client.resume()

        server, _, _ = await self.listening(0, "127.0.0.1")
        server.on("connection", onConnection)
        client, _ = self.connect(server.address()["port"], "127.0.0.1", events=())
        data = received(client)
        client.pause()  # the server's writes back up until the client reads
        got = await data
        sizes = log[0]
        self.assertEqual(
            (len(b"".join(written)), True, 30),
            (len(got), got == b"".join(written), sizes[sizes.index("drain") + 1]),
        )

    async def test_destroy(self) -> None:
        """A listener that writes then destroys the socket: what it wrote is sent first."""

        def onConnection(socket: Any) -> None:
            socket.write(b"last ")
            socket.write(b"words")
            socket.destroy()

        server, _, _ = await self.listening(0, "127.0.0.1")
        server.on("connection", onConnection)
        client, trace = self.connect(server.address()["port"], "127.0.0.1")
        await trace.closed()
        self.assertEqual(
            (b"last words", ["connect", "ready", "data", "end", "close"]),
            (trace.data(), [n for n in trace.names() if n in ("connect", "ready", "data", "end", "close")]),
        )

    async def test_listenerError(self) -> None:
        """
        A ``'connection'`` listener that raises after writing: the socket is
        destroyed (the error goes to the process's uncaught handler), what
        was written is sent first, and the server keeps serving.
        """
        errors: list[BaseException] = []
        self.patch(net._loop, "uncaught", errors.append)
        calls = 0

        def onConnection(socket: Any) -> None:
            nonlocal calls
            calls += 1
            socket.write(b"partial")
            if calls == 1:
                raise RuntimeError("listener failed")
            socket.end()

        server, _, _ = await self.listening(0, "127.0.0.1")
        server.on("connection", onConnection)
        first, firstTrace = self.connect(server.address()["port"], "127.0.0.1")
        await firstTrace.closed()
        second, secondTrace = self.connect(server.address()["port"], "127.0.0.1")
        await nextEvent(second, "end")
        self.assertEqual(
            (b"partial", b"partial", ["listener failed"]),
            (firstTrace.data(), secondTrace.data(), [str(e) for e in errors]),
        )
