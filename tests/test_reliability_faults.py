"""
Faults and hostile peers over the real kernel (127.0.0.1 only).

Expected traces are Node v20's, measured by running the same scenarios
under ``node``; where Node's own outcome depends on timing (a reset that
libuv sometimes reports as an end of stream), the test accepts exactly the
outcomes Node shows and nothing else.

Connecting to a dead port and to a name that does not resolve are covered
by ``tests.test_loopback_errors`` (``test_refusedIPv4``,
``test_refusedIPv6``, ``test_unresolvableHost``); an address that never
answers is emulated here by a loopback port whose accept queue is full, so
that the kernel drops the SYN as a black hole would.
"""

from __future__ import annotations

import socket as stdsocket
from typing import Any

from twisted.internet import reactor
from twisted.internet.defer import DeferredList
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

import nodenet as net
from nodenet.testing import EventLog, flush, socketPair

from .reactors import UVLOOP_MISSES_RESETS, runningOnUvloop
from .test_loopback import LoopbackTestCase, errorFields

_CHUNK = bytes(range(256)) * 256  # 64 KiB, not all alike
MIB = 2**20


def isStreamPrefix(data: bytes) -> bool:
    """Whether ``data`` is a prefix of ``_CHUNK`` repeated."""
    stream = _CHUNK * (len(data) // len(_CHUNK) + 1)
    return data == stream[: len(data)]


def streamTo(sock: Any) -> None:
    """Write ``_CHUNK`` to ``sock`` forever, honouring ``'drain'``, until it is destroyed."""

    def pump(*_: Any) -> None:
        while not sock.destroyed and sock.writable:
            if not sock.write(_CHUNK):
                sock.once("drain", pump)
                return

    pump()


def withoutData(events: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, tuple[Any, ...]]]:
    """A trace without its ``'data'`` events."""
    return [event for event in events if event[0] != "data"]


class PeerResetTests(LoopbackTestCase):
    """The peer resets the connection in the middle of a transfer."""

    async def test_resetWhileReceiving(self) -> None:
        """
        A client receiving a stream when the server resets: ``'error'``
        ``read ECONNRESET`` then ``'close'(True)``, no ``'end'``, and what
        arrived is an unbroken prefix of the stream.
        """
        if runningOnUvloop():
            self.skipTest(UVLOOP_MISSES_RESETS)
        server, _, accepted = await self.listening(0, "127.0.0.1")

        def onConnection(sock: Any) -> None:
            sock.on("data", lambda data: sock.resetAndDestroy())
            streamTo(sock)

        server.on("connection", onConnection)
        client, clientTrace = self.connect(server.address()["port"], "127.0.0.1")
        received: list[int] = [0]

        def onData(chunk: bytes) -> None:
            before = received[0]
            received[0] += len(chunk)
            if before < MIB <= received[0]:
                client.write(b"!")  # the server resets when it reads this

        client.on("data", onData)
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertGreaterEqual(received[0], MIB)
        self.assertTrue(isStreamPrefix(clientTrace.data()))
        events = withoutData(clientTrace.events)
        self.assertEqual([name for name, _ in events],
                         ["connectionAttempt", "connect", "ready", "error", "close"])
        self.assertEqual(events[-1], ("close", (True,)))
        err = events[-2][1][0]
        self.assertIsInstance(err, ConnectionResetError)
        self.assertEqual(
            errorFields(err),
            {"message": "read ECONNRESET", "code": "ECONNRESET", "errno": 104,
             "syscall": "read", "address": None, "port": None},
        )
        # The streaming server may have waited for 'drain' on the way: how
        # often depends on how fast the client reads, not on the reset.
        serverEvents = [e for e in withoutData(serverTrace.events) if e[0] != "drain"]
        self.assertEqual(serverEvents, [("close", (False,))])

    async def test_resetWhileSending(self) -> None:
        """
        A client streaming to a server that resets: ``'error'`` (the reset
        seen by a read, ``ECONNRESET``, or by a write, ``EPIPE``) then
        ``'close'(True)``, and no ``'end'``.
        """
        if runningOnUvloop():
            self.skipTest(UVLOOP_MISSES_RESETS)
        server, _, accepted = await self.listening(0, "127.0.0.1")
        resetAfter = MIB

        def onConnection(sock: Any) -> None:
            got = [0]

            def onData(chunk: bytes) -> None:
                got[0] += len(chunk)
                if got[0] >= resetAfter and not sock.destroyed:
                    sock.resetAndDestroy()

            sock.on("data", onData)

        server.on("connection", onConnection)
        client, clientTrace = await self.connected(server.address()["port"], "127.0.0.1")
        streamTo(client)
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        names = [name for name in clientTrace.names() if name != "drain"]
        self.assertEqual(names, ["connectionAttempt", "connect", "ready", "error", "close"])
        self.assertEqual(clientTrace.events[-1], ("close", (True,)))
        err = [args[0] for name, args in clientTrace.events if name == "error"]
        self.assertEqual(len(err), 1)
        self.assertIn((err[0].code, err[0].syscall), [("ECONNRESET", "read"), ("EPIPE", "write")])


class PeerVanishesWhilePausedTests(LoopbackTestCase):
    """The peer goes away while our socket is paused."""

    async def vanish(self, size: int, how: str) -> tuple[Any, Any, list[str], int]:
        """
        A client paused from the start; the server writes ``size`` bytes and,
        once they are written, ``destroy()``-s (``how='destroy'``) or
        ``resetAndDestroy()``-s the connection.  Once the server end closed,
        the client resumes.  Returns the client, its trace, its event names
        before it resumed, and the byte count the server wrote.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        payload = (_CHUNK * (size // len(_CHUNK) + 1))[:size]

        def onConnection(sock: Any) -> None:
            def gone(err: Any) -> None:
                if how == "destroy":
                    sock.destroy()
                else:
                    sock.resetAndDestroy()

            sock.write(payload, gone)

        server.on("connection", onConnection)
        client, clientTrace = self.connect(server.address()["port"], "127.0.0.1")
        client.pause()
        serverTrace = await accepted.get(0)
        await serverTrace.closed()
        ping = await self.pinger()
        await ping(5)
        beforeResume = clientTrace.names()
        client.resume()
        await clientTrace.closed()
        await self.closeServer(server)
        return client, clientTrace, beforeResume, size

    async def test_peerClosesWhilePaused(self) -> None:
        """
        The peer writes 1 MiB and closes while we are paused: nothing is
        emitted while paused; on ``resume()`` all of it arrives, then
        ``'end'``, ``'finish'``, ``'close'(False)``, as in Node.
        """
        client, trace, beforeResume, size = await self.vanish(MIB, "destroy")
        self.assertEqual(beforeResume, ["connectionAttempt", "connect", "ready"])
        self.assertEqual(len(trace.data()), size)
        self.assertTrue(isStreamPrefix(trace.data()))
        self.assertEqual(
            withoutData(trace.events)[3:], [("end", ()), ("finish", ()), ("close", (False,))]
        )

    async def test_peerResetsWhilePaused(self) -> None:
        """
        The peer writes 100 bytes and resets while we are paused: nothing is
        emitted while paused; on ``resume()`` the 100 bytes arrive and the
        socket closes, either as Node reports a reset (``'error'``
        ``ECONNRESET``, ``'close'(True)``) or as libuv sometimes reports it
        (``'end'``, ``'finish'``, ``'close'(False)``).
        """
        if runningOnUvloop():
            self.skipTest(UVLOOP_MISSES_RESETS)
        client, trace, beforeResume, size = await self.vanish(100, "reset")
        self.assertEqual(beforeResume, ["connectionAttempt", "connect", "ready"])
        self.assertEqual(len(trace.data()), size)
        after = [name for name, _ in withoutData(trace.events)[3:]]
        self.assertIn(after, [["error", "close"], ["end", "finish", "close"]])
        if after[0] == "error":
            self.assertEqual(trace.events[-2][1][0].code, "ECONNRESET")
            self.assertEqual(trace.events[-1], ("close", (True,)))


class WriteToClosedPeerTests(LoopbackTestCase):
    """Writing to a peer that has half-closed, or closed, its end."""

    async def test_writeAfterPeerEnded(self) -> None:
        """
        The peer ends; our socket (no ``allowHalfOpen``) ends too; a
        ``write()`` after that returns C{False} and calls back with Node's
        ``EPIPE`` "This socket has been ended by the other party", with no
        ``'error'`` event: Node's trace.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda sock: (sock.resume(), sock.end()))
        client, trace = self.connect(server.address()["port"], "127.0.0.1")
        log: list[Any] = []

        def onEnd() -> None:
            def late() -> None:
                log.append(("write", client.write("x", lambda err: log.append(("cb", err)))))

            net.timers.setImmediate(late)

        client.on("end", onEnd)
        serverTrace = await accepted.get(0)
        await DeferredList([trace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(
            trace.names(), ["connectionAttempt", "connect", "ready", "end", "finish", "close"]
        )
        self.assertEqual(trace.events[-1], ("close", (False,)))
        self.assertEqual(log[0], ("write", False))
        err = log[1][1]
        self.assertIsInstance(err, BrokenPipeError)
        self.assertEqual(
            (err.code, str(err)), ("EPIPE", "This socket has been ended by the other party")
        )

    async def test_writeAfterPeerClosed(self) -> None:
        """
        With ``allowHalfOpen``, the peer closes (destroys) its end; our first
        write is taken by the kernel and answered with a reset; the next
        one fails as in Node: its callback gets ``EPIPE``, ``'error'``
        ``write EPIPE``, ``'close'(True)``, and a write after that gets
        ``ERR_STREAM_DESTROYED``.
        """
        if runningOnUvloop():
            self.skipTest(UVLOOP_MISSES_RESETS)
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda sock: sock.destroy())
        client, trace = self.connect(
            server.address()["port"], "127.0.0.1", options={"allowHalfOpen": True}
        )
        ping = await self.pinger()
        callbacks: list[Any] = []

        def write(index: int) -> None:
            client.write(b"\0" * 1000, lambda err: callbacks.append((index, getattr(err, "code", err))))

        await net.once(client, "end")
        write(1)
        await ping(5)  # the reset comes back
        write(2)
        await ping(5)
        write(3)
        await trace.closed()
        await ping(1)
        await self.closeServer(server)

        self.assertEqual(
            (trace.names(), callbacks),
            (["connectionAttempt", "connect", "ready", "end", "error", "close"],
             [(1, None), (2, "EPIPE"), (3, "ERR_STREAM_DESTROYED")]),
        )
        err = trace.events[-2][1][0]
        self.assertIsInstance(err, BrokenPipeError)
        self.assertEqual((err.code, err.syscall, str(err)), ("EPIPE", "write", "write EPIPE"))
        self.assertEqual(trace.events[-1], ("close", (True,)))


class WriteCallbackTests(LoopbackTestCase):
    """``write(data, cb)`` then ``destroy()`` in ``cb`` loses nothing, as in Node."""

    async def test_destroyInWriteCallback(self) -> None:
        """
        A server writes 8 MB with a callback that destroys the socket, to a
        client that reads only after a pause: Node calls the callback once
        the kernel took the last byte, so the client gets all 8 MB, then
        ``'end'`` and ``'close'(False)``.
        """
        size = 8_000_000
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on(
            "connection",
            lambda sock: sock.write((_CHUNK * (size // len(_CHUNK) + 1))[:size], lambda err: sock.destroy()),
        )
        client, trace = self.connect(server.address()["port"], "127.0.0.1")
        client.pause()
        ping = await self.pinger()
        await accepted.get(0)
        await ping(20)
        client.resume()
        await trace.closed()
        await self.closeServer(server)

        self.assertEqual(len(trace.data()), size)
        self.assertEqual(withoutData(trace.events)[-3:], [("end", ()), ("finish", ()), ("close", (False,))])


class BlackHoleTests(LoopbackTestCase):
    """Connecting to an address that never answers."""

    async def test_connectTimesOut(self) -> None:
        """
        With a timeout set, a connect that gets no answer emits
        ``'timeout'`` (and nothing else: no ``'connect'``, no ``'error'``)
        while ``connecting`` stays C{True}; ``destroy()`` in the listener
        then closes it with ``'close'(False)``.
        """
        listener = stdsocket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        self.addCleanup(listener.close)
        port = listener.getsockname()[1]
        fillers = []
        for _ in range(3):  # fill the accept queue: further SYNs are dropped
            filler = stdsocket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
            self.addCleanup(filler.close)
        ping = await self.pinger()
        await ping(3)
        client, trace = self.connect({"port": port, "host": "127.0.0.1"})
        client.setTimeout(150)  # Node's socket.connect() takes no timeout option
        states: list[Any] = []
        client.on("timeout", lambda: (states.append((client.connecting, client.readyState)), client.destroy()))
        await trace.closed()

        self.assertEqual(
            trace.events,
            [("connectionAttempt", ("127.0.0.1", port, 4)), ("timeout", ()), ("close", (False,))],
        )
        self.assertEqual(states, [(True, "opening")])


class SlowClientTests(SynchronousTestCase):
    """Hostile clients against a server that uses an idle timeout."""

    def test_tricklingClientIsCut(self) -> None:
        """
        A client sending one byte a second to a server whose idle timeout
        is 750 ms: the server's ``'timeout'`` comes 750 ms after the first
        byte, its listener destroys the socket, and the client sees the end;
        the server read exactly one byte.
        """
        clock = Clock()
        client, server = socketPair(clock)
        timeline: list[tuple[float, str]] = []
        server.setTimeout(750)
        server.on("timeout", lambda: (timeline.append((clock.seconds(), "timeout")), server.destroy()))
        received: list[bytes] = []
        server.on("data", received.append)
        client.on("end", lambda: timeline.append((clock.seconds(), "client end")))
        client.on("close", lambda hadError: timeline.append((clock.seconds(), f"client close {hadError}")))
        client.resume()
        flush(clock)

        def trickle() -> None:
            if client.writable and not client.destroyed:
                client.write(b"x")
                clock.callLater(1.0, trickle)

        trickle()
        for _ in range(40):  # five seconds, in steps a binary float holds exactly
            flush(clock)
            clock.advance(0.125)

        self.assertEqual(received, [b"x"])
        self.assertEqual(timeline,
                         [(0.75, "timeout"), (0.75, "client end"), (0.75, "client close False")])
        self.assertEqual(clock.getDelayedCalls(), [])

    def test_clientThatNeverReadsIsCut(self) -> None:
        """
        A client that never reads, against a server that honours ``'drain'``
        and has a 1 s idle timeout: once the buffers are full nothing moves,
        so ``'timeout'`` comes 1 s after the last write and the server's
        listener destroys the socket.
        """
        clock = Clock()
        client, server = socketPair(clock, bufferSize=65536)
        client.pause()
        flush(clock)
        server.setTimeout(1000)
        written: list[float] = []
        log = EventLog(server, ["timeout", "close"])
        server.on("timeout", lambda: server.destroy())

        def pump(*_: Any) -> None:
            while not server.destroyed:
                written.append(clock.seconds())
                if not server.write(_CHUNK):
                    server.once("drain", pump)
                    return

        pump()
        for _ in range(24):
            clock.advance(0.125)
            flush(clock)

        self.assertEqual(log.events, [("timeout", ()), ("close", (False,))])
        self.assertEqual(written[-1], 0.0)
        self.assertEqual(clock.getDelayedCalls(), [])


class TricklingLoopbackTests(LoopbackTestCase):
    """The idle timeout against a real client that sends one byte and goes quiet."""

    async def test_quietClientIsCut(self) -> None:
        """
        A client that connects, sends one byte and then nothing: the server's
        300 ms idle timeout fires and its listener destroys the socket; the
        client sees ``'end'`` and ``'close'(False)``.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        started: list[float] = []
        fired: list[float] = []

        def onConnection(sock: Any) -> None:
            started.append(reactor.seconds())
            sock.setTimeout(300, lambda: (fired.append(reactor.seconds()), sock.destroy()))

        server.on("connection", onConnection)
        client, trace = await self.connected(server.address()["port"], "127.0.0.1")
        client.write(b"x")
        serverTrace = await accepted.get(0)
        await DeferredList([trace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(serverTrace.names(), ["data", "timeout", "close"])
        self.assertGreaterEqual(fired[0] - started[0], 0.3)
        self.assertEqual(trace.names()[-3:], ["end", "finish", "close"])

