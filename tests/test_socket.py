"""
Socket semantics over nodenet.testing's in-memory pair, driven by a Clock.

Each test compares whole event traces; the expected traces are Node v20's
(see the parity tests for the same scenarios run under node itself).
"""

from __future__ import annotations

from typing import Any

from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

import nodenet as net
from nodenet import errors
from nodenet.testing import EventLog, flush, socketPair


def stateLog(socket: net.Socket, log: list[Any], events: list[str]) -> None:
    """Record (event, args, readyState) for each of ``events``."""
    for name in events:

        def record(*args: Any, name: str = name) -> None:
            log.append((name, args, socket.readyState))

        socket.on(name, record)


class HalfCloseTests(SynchronousTestCase):
    """The half-close rules, with and without allowHalfOpen."""

    def test_peerEndsWithoutHalfOpen(self) -> None:
        """Peer FIN: 'data', 'end' (writeOnly), our FIN follows, 'finish', 'close'(False)."""
        clock = Clock()
        client, server = socketPair(clock)
        log: list[Any] = []
        stateLog(client, log, ["connect", "data", "end", "finish", "close"])
        server.end(b"from-server")
        flush(clock)
        self.assertEqual(
            [
                ("connect", (), "open"),
                ("data", (b"from-server",), "open"),
                ("end", (), "writeOnly"),
                ("finish", (), "closed"),
                ("close", (False,), "closed"),
            ],
            log,
        )
        self.assertTrue(client.destroyed)

    def test_writeInsideEndListenerStillSent(self) -> None:
        """With allowHalfOpen false, a write inside 'end' goes out before our FIN."""
        clock = Clock()
        client, server = socketPair(clock)
        received: list[bytes] = []
        server.on("data", received.append)
        client.on("end", lambda: client.write(b"last words"))
        server.end()
        flush(clock)
        self.assertEqual([b"last words"], received)

    def test_allowHalfOpenStaysWritable(self) -> None:
        """With allowHalfOpen, 'end' leaves the socket writable until end()."""
        clock = Clock()
        client, server = socketPair(clock, clientOptions={"allowHalfOpen": True})
        log: list[Any] = []
        stateLog(client, log, ["data", "end", "finish", "close"])
        received: list[bytes] = []
        server.on("data", received.append)
        server.end(b"x")
        flush(clock)
        self.assertEqual([("data", (b"x",), "open"), ("end", (), "writeOnly")], log)
        self.assertTrue(client.writable)
        self.assertFalse(client.readable)
        self.assertTrue(client.write(b"later"))
        client.end()
        flush(clock)
        self.assertEqual([b"later"], received)
        self.assertEqual(
            [
                ("data", (b"x",), "open"),
                ("end", (), "writeOnly"),
                ("finish", (), "closed"),
                ("close", (False,), "closed"),
            ],
            log,
        )

    def test_ownEndFirst(self) -> None:
        """Our end() first: 'finish' (readOnly), then the peer's 'end', then 'close'."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        log: list[Any] = []
        stateLog(client, log, ["finish", "end", "close"])
        self.assertIs(client, client.end())
        self.assertEqual("readOnly", client.readyState)
        self.assertTrue(client.writableEnded)
        self.assertFalse(client.writableFinished)
        flush(clock)
        self.assertEqual(
            [("finish", (), "readOnly"), ("end", (), "closed"), ("close", (False,), "closed")],
            log,
        )

    def test_endNotEmittedWhileDataUnread(self) -> None:
        """'end' waits until buffered data was consumed; resume() releases both."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        server.end(b"unread")
        flush(clock)
        log = EventLog(client, ["end", "close"])
        self.assertEqual([], log.events)
        self.assertEqual(6, client.readableLength)
        self.assertEqual("open", client.readyState)
        received: list[bytes] = []
        client.on("data", received.append)
        flush(clock)
        self.assertEqual([b"unread"], received)
        self.assertEqual([("end", ()), ("close", (False,))], log.events)

    def test_bareFinWithoutConsumer(self) -> None:
        """A FIN with no data is reported even without a 'data' listener."""
        clock = Clock()
        client, server = socketPair(clock)
        log = EventLog(client, ["end", "finish", "close"])
        server.end()
        flush(clock)
        self.assertEqual([("end", ()), ("finish", ()), ("close", (False,))], log.events)

    def test_endCallback(self) -> None:
        """end(cb) calls cb(None) once, at 'finish'; end(cb) afterwards gets ERR_STREAM_ALREADY_FINISHED."""
        clock = Clock()
        client, server = socketPair(clock, clientOptions={"allowHalfOpen": True})
        flush(clock)
        calls: list[Any] = []
        client.on("finish", lambda: calls.append("finish"))
        client.end(b"data", lambda *a: calls.append(("cb", a)))
        flush(clock)
        self.assertEqual([("cb", (None,)), "finish"], calls)
        client.end(lambda err: calls.append(err.code))
        flush(clock)
        self.assertEqual("ERR_STREAM_ALREADY_FINISHED", calls[-1])


class WriteTests(SynchronousTestCase):
    """write(): return value, 'drain', encodings, errors."""

    def test_queuedWhileConnecting(self) -> None:
        """Writes before 'connect' are queued, counted, and flushed at connect."""
        clock = Clock()
        client, server = socketPair(clock)
        self.assertEqual("opening", client.readyState)
        self.assertTrue(client.write("abc"))
        self.assertEqual(3, client.bufferSize)
        self.assertEqual(3, client.writableLength)
        self.assertEqual(3, client.bytesWritten)
        self.assertFalse(client.write(b"x" * 16381))
        self.assertTrue(client.writableNeedDrain)
        received: list[bytes] = []
        server.on("data", received.append)
        log = EventLog(client, ["connect", "drain", "ready"])
        flush(clock)
        self.assertEqual(b"abc" + b"x" * 16381, b"".join(received))
        self.assertEqual(["connect", "ready", "drain"], log.names())
        self.assertEqual(0, client.writableLength)

    def test_writeReturnsFalseUntilDrain(self) -> None:
        """Past the high-water mark write() returns False; 'drain' when the queue empties."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        self.assertTrue(client.write(b"a" * 100))
        self.assertFalse(client.write(b"b" * 16384))
        self.assertTrue(client.writableNeedDrain)
        self.assertFalse(client.write(b"c"))
        drains: list[int] = []
        client.on("drain", lambda: drains.append(client.writableLength))
        received: list[bytes] = []
        server.on("data", received.append)
        flush(clock)
        self.assertEqual([0], drains)
        self.assertEqual(100 + 16384 + 1, len(b"".join(received)))

    def test_drainAfterPeerResumes(self) -> None:
        """A paused peer holds the writer back; its resume() brings 'drain'."""
        clock = Clock()
        client, server = socketPair(clock, bufferSize=1024, readSize=4096)
        flush(clock)
        server.pause()
        results = [client.write(b"z" * 16384) for _ in range(3)]
        self.assertEqual([False, False, False], results)
        drains: list[str] = []
        client.on("drain", lambda: drains.append("drain"))
        flush(clock)
        # The paused side reads up to its high-water mark, then stops reading.
        self.assertEqual([], drains)
        self.assertEqual(16384, server.bytesRead)
        self.assertEqual(16384, server.readableLength)
        flush(clock)
        self.assertEqual(16384, server.bytesRead)
        chunks: list[bytes] = []
        server.on("data", chunks.append)
        server.resume()
        flush(clock)
        self.assertEqual(["drain"], drains)
        self.assertEqual(3 * 16384, len(b"".join(chunks)))

    def test_writeCallbacks(self) -> None:
        """write(data, cb) calls cb(None) asynchronously, never inside write()."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        calls: list[Any] = []
        client.write(b"x", lambda *a: calls.append(a))
        client.write("y", "utf8", lambda *a: calls.append(a))
        self.assertEqual([], calls)
        flush(clock)
        self.assertEqual([(None,), (None,)], calls)

    def test_stringEncodings(self) -> None:
        """Strings are encoded with Node's encodings (ascii on write is latin1)."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        received: list[bytes] = []
        server.on("data", received.append)
        for data, enc in [
            ("\u20ac\u00e9", None),
            ("\u20ac\u00e9", "latin1"),
            ("\u20ac\u00e9", "ascii"),
            ("\u20ac\u00e9", "ucs2"),
            ("4oKs", "base64"),
            ("e282ac", "hex"),
            ("e28", "hex"),
        ]:
            client.write(data, enc)
            flush(clock)
        self.assertEqual(
            [
                bytes.fromhex("e282acc3a9"),
                bytes.fromhex("ace9"),
                bytes.fromhex("ace9"),
                bytes.fromhex("ac20e900"),
                bytes.fromhex("e282ac"),
                bytes.fromhex("e282ac"),
                bytes.fromhex("e2"),
            ],
            received,
        )

    def test_badChunksRaise(self) -> None:
        """Wrong chunk types and encodings raise synchronously and leave the socket alone."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        e = self.assertRaises(TypeError, client.write, None)
        self.assertEqual("ERR_STREAM_NULL_VALUES", e.code)
        e = self.assertRaises(TypeError, client.write, 123)
        self.assertEqual(
            'The "chunk" argument must be of type string or an instance of Buffer, '
            "TypedArray, or DataView. Received type number (123)",
            str(e),
        )
        e = self.assertRaises(TypeError, client.write, "x", "bogus")
        self.assertEqual(("ERR_UNKNOWN_ENCODING", "Unknown encoding: bogus"), (e.code, str(e)))
        self.assertEqual("open", client.readyState)
        self.assertFalse(client.destroyed)

    def test_writeAfterEnd(self) -> None:
        """write() after end(): False, destroyed at once, cb(err), 'error', 'close'(True)."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        client.end()
        log: list[Any] = []
        client.on("error", lambda e: log.append(("error", e.code)))
        client.on("close", lambda h: log.append(("close", h)))
        self.assertFalse(client.write(b"more", lambda e: log.append(("cb", e.code))))
        self.assertTrue(client.destroyed)
        self.assertEqual("closed", client.readyState)
        flush(clock)
        self.assertEqual(
            [
                ("cb", "ERR_STREAM_WRITE_AFTER_END"),
                ("error", "ERR_STREAM_WRITE_AFTER_END"),
                ("close", True),
            ],
            log,
        )

    def test_writeAfterPeerEnded(self) -> None:
        """After 'end' and our automatic end, write() fails with Node's EPIPE wording."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        log: list[Any] = []

        def onEnd() -> None:
            client.end()
            client.write(b"x", lambda e: log.append(("cb", e.code, str(e))))

        client.on("end", onEnd)
        client.on("error", lambda e: log.append(("error", e.code, isinstance(e, BrokenPipeError))))
        client.on("close", lambda h: log.append(("close", h)))
        server.end()
        flush(clock)
        self.assertEqual(
            [
                ("cb", "EPIPE", "This socket has been ended by the other party"),
                ("error", "EPIPE", True),
                ("close", True),
            ],
            log,
        )

    def test_writeNeverConnected(self) -> None:
        """write() on a socket that never connected: ERR_SOCKET_CLOSED to cb and 'error'."""
        socket = net.Socket(reactor=Clock())
        clock = socket._reactor
        log: list[Any] = []
        socket.on("error", lambda e: log.append(("error", e.code)))
        socket.on("close", lambda *a: log.append(("close", a)))
        socket.write(b"x", lambda e: log.append(("cb", e.code)))
        flush(clock)
        self.assertEqual(
            [("cb", "ERR_SOCKET_CLOSED"), ("error", "ERR_SOCKET_CLOSED"), ("close", (True,))], log
        )

    def test_corkUncork(self) -> None:
        """Corked writes are held (and counted) until uncork() sends them as one."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        received: list[bytes] = []
        server.on("data", received.append)
        client.cork()
        self.assertTrue(client.write(b"a"))
        self.assertTrue(client.write(b"b"))
        self.assertEqual(1, client.writableCorked)
        self.assertEqual(2, client.writableLength)
        flush(clock)
        self.assertEqual([], received)
        client.uncork()
        flush(clock)
        self.assertEqual([b"ab"], received)


class ReadTests(SynchronousTestCase):
    """pause(), resume(), setEncoding(), pauseOnConnect."""

    def test_pauseHoldsData(self) -> None:
        """A paused socket holds data and a pending 'end'; resume() delivers both in order."""
        clock = Clock()
        client, server = socketPair(clock)
        log = EventLog(client, ["data", "end", "close"])
        flush(clock)
        server.write(b"a")
        flush(clock)
        self.assertIs(client, client.pause())
        self.assertTrue(client.isPaused())
        server.end(b"b")
        flush(clock)
        self.assertEqual([("data", (b"a",))], log.events)
        client.resume()
        flush(clock)
        self.assertEqual(
            [("data", (b"a",)), ("data", (b"b",)), ("end", ()), ("close", (False,))], log.events
        )

    def test_pauseOnConnect(self) -> None:
        """A pauseOnConnect socket reads nothing until resume()."""
        clock = Clock()
        client, server = socketPair(clock, serverOptions={"pauseOnConnect": True})
        self.assertTrue(server.isPaused())
        client.write(b"x" * 1000)
        flush(clock)
        self.assertEqual(0, server.bytesRead)
        received: list[bytes] = []
        server.on("data", received.append)
        flush(clock)
        self.assertEqual(0, server.bytesRead)
        server.resume()
        flush(clock)
        self.assertEqual(1000, server.bytesRead)
        self.assertEqual(1000, len(b"".join(received)))

    def test_setEncodingAcrossChunks(self) -> None:
        """A multi-byte character split over two reads is reassembled."""
        clock = Clock()
        client, server = socketPair(clock)
        self.assertIs(client, client.setEncoding("utf8"))
        self.assertEqual("utf8", client.readableEncoding)
        log = EventLog(client, ["data", "end"])
        for chunk in [b"\xe2\x82", b"\xacA\xe9\xff", b"\x00\x7f\x80", b"hello"]:
            server.write(chunk)
            flush(clock)
        server.end()
        flush(clock)
        self.assertEqual(
            [
                ("data", ("\u20acA\ufffd\ufffd",)),
                ("data", ("\x00\x7f\ufffd",)),
                ("data", ("hello",)),
                ("end", ()),
            ],
            log.events,
        )

    def test_base64FlushedAtEnd(self) -> None:
        """base64 holds back partial groups and flushes them, padded, before 'end'."""
        clock = Clock()
        client, server = socketPair(clock)
        client.setEncoding("base64")
        log = EventLog(client, ["data", "end"])
        for chunk in [b"\xe2\x82", b"\xacA\xe9\xff", b"\x00\x7f\x80", b"hello"]:
            server.write(chunk)
            flush(clock)
        server.end()
        flush(clock)
        self.assertEqual(
            [
                ("data", ("4oKsQen/",)),
                ("data", ("AH+A",)),
                ("data", ("aGVs",)),
                ("data", ("bG8=",)),
                ("end", ()),
            ],
            log.events,
        )

    def test_unknownEncoding(self) -> None:
        """setEncoding('bogus') raises ERR_UNKNOWN_ENCODING synchronously."""
        socket = net.Socket(reactor=Clock())
        e = self.assertRaises(TypeError, socket.setEncoding, "bogus")
        self.assertEqual(("ERR_UNKNOWN_ENCODING", "Unknown encoding: bogus"), (e.code, str(e)))

    def test_asyncIteration(self) -> None:
        """async for yields every chunk and stops at 'end'."""
        clock = Clock()
        client, server = socketPair(clock)

        async def collect() -> list[bytes]:
            return [chunk async for chunk in client]

        from twisted.internet.defer import Deferred

        d = Deferred.fromCoroutine(collect())
        flush(clock)
        server.write(b"one")
        flush(clock)
        server.write(b"two")
        flush(clock)
        server.end()
        flush(clock)
        self.assertEqual([b"one", b"two"], self.successResultOf(d))

    def test_pipeWithBackpressure(self) -> None:
        """pipe() pauses the source while the destination is full and ends it at 'end'."""
        clock = Clock()
        a, b = socketPair(clock, bufferSize=1024)
        c, d = socketPair(clock, bufferSize=1024)
        flush(clock)
        b.pipe(c)
        d.pause()
        for _ in range(20):
            a.write(b"q" * 4096)
        flush(clock)
        self.assertTrue(b.isPaused())
        received: list[bytes] = []
        d.on("data", received.append)
        d.resume()
        a.end()
        flush(clock)
        self.assertEqual(20 * 4096, len(b"".join(received)))
        self.assertTrue(c.writableEnded)

    def test_unpipe(self) -> None:
        """unpipe() stops the flow to that destination only."""
        clock = Clock()
        a, b = socketPair(clock)
        c, d = socketPair(clock)
        flush(clock)
        b.pipe(c)
        received: list[bytes] = []
        d.on("data", received.append)
        a.write(b"one")
        flush(clock)
        self.assertIs(b, b.unpipe(c))
        a.write(b"two")
        flush(clock)
        self.assertEqual([b"one"], received)
        self.assertEqual(0, b.listenerCount("end"))


class DestroyTests(SynchronousTestCase):
    """destroy() and error ordering."""

    def test_destroy(self) -> None:
        """destroy(): closed at once, then only 'close'(False); the peer sees a FIN."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        clog = EventLog(client, ["end", "finish", "error", "close"])
        slog = EventLog(server, ["end", "finish", "error", "close"])
        self.assertIs(client, client.destroy())
        self.assertEqual(("closed", True, True), (client.readyState, client.destroyed, client.pending))
        self.assertIsNone(client.bufferSize)
        flush(clock)
        self.assertEqual([("close", (False,))], clog.events)
        self.assertEqual([("end", ()), ("finish", ()), ("close", (False,))], slog.events)

    def test_destroyWithError(self) -> None:
        """destroy(err): 'error'(err) next tick, then 'close'(True); a second destroy does nothing."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        log = EventLog(client, ["error", "close"])
        e1, e2 = ValueError("one"), ValueError("two")
        client.destroy(e1)
        client.destroy(e2)
        self.assertIs(e1, client.errored)
        self.assertEqual([], log.events)
        flush(clock)
        self.assertEqual([("error", (e1,)), ("close", (True,))], log.events)

    def test_destroyNeverConnected(self) -> None:
        """A socket that never connected closes on the next tick."""
        clock = Clock()
        socket = net.Socket(reactor=clock)
        log = EventLog(socket, ["close"])
        socket.destroy()
        flush(clock)
        self.assertEqual([("close", (False,))], log.events)

    def test_peerReset(self) -> None:
        """The peer's RST: 'error' ECONNRESET, 'close'(True), no 'end'."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        log = EventLog(client, ["end", "error", "close"])
        server.resetAndDestroy()
        flush(clock)
        self.assertEqual(["error", "close"], log.names())
        err = log.events[0][1][0]
        self.assertIsInstance(err, ConnectionResetError)
        self.assertEqual(("ECONNRESET", "read", "read ECONNRESET"), (err.code, err.syscall, str(err)))
        self.assertEqual((True,), log.events[1][1])

    def test_listenerExceptionDestroysSocket(self) -> None:
        """An exception from a 'data' listener is logged and destroys that socket only."""
        clock = Clock()
        client, server = socketPair(clock)

        def boom(data: bytes) -> None:
            raise RuntimeError("listener bug")

        server.on("data", boom)
        log = EventLog(server, ["error", "close"])
        client.write(b"x")
        flush(clock)
        self.assertEqual(1, len(self.flushLoggedErrors(RuntimeError)))
        self.assertTrue(server.destroyed)
        self.assertEqual([("close", (False,))], log.events)


class TimeoutTests(SynchronousTestCase):
    """setTimeout(): Node's idle timer."""

    def test_idleTimeoutOneShotRearmed(self) -> None:
        """'timeout' fires after idleness, once, and again only after new activity."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        fired: list[float] = []
        self.assertIs(client, client.setTimeout(100, lambda: fired.append(clock.seconds())))
        self.assertEqual(100, client.timeout)
        client.on("timeout", lambda: fired.append(clock.seconds()))
        clock.advance(0.1)
        self.assertEqual([0.1], fired[:1])
        clock.advance(1)
        self.assertEqual(2, len(fired))
        client.write(b"activity")
        clock.advance(0.05)
        clock.advance(0.05)
        self.assertEqual(3, len(fired))
        self.assertEqual("open", client.readyState)
        client.setTimeout(0)
        client.destroy()
        flush(clock)

    def test_activityPostponesTimeout(self) -> None:
        """Data every 40 ms keeps a 100 ms timer from firing until 100 ms after the last."""
        clock = Clock()
        client, server = socketPair(clock)
        flush(clock)
        fired: list[float] = []
        client.setTimeout(100)
        client.on("timeout", lambda: fired.append(round(clock.seconds(), 3)))
        client.on("data", lambda d: None)
        for _ in range(5):
            clock.advance(0.04)
            server.write(b"x")
            clock.advance(0)
        for _ in range(20):
            clock.advance(0.01)
        self.assertEqual([0.3], fired)
        client.destroy()
        flush(clock)

    def test_validation(self) -> None:
        """setTimeout rejects non-numbers and negative values with Node's errors."""
        socket = net.Socket(reactor=Clock())
        e = self.assertRaises(TypeError, socket.setTimeout, "100")
        self.assertEqual(
            ("ERR_INVALID_ARG_TYPE", 'The "msecs" argument must be of type number. '
             "Received type string ('100')"),
            (e.code, str(e)),
        )
        e2 = self.assertRaises(ValueError, socket.setTimeout, -1)
        self.assertEqual(
            'The value of "msecs" is out of range. It must be a non-negative finite number. '
            "Received -1",
            str(e2),
        )
        self.assertIsInstance(e2, errors.NodeRangeError)


class PropertyTests(SynchronousTestCase):
    """A fresh socket's properties, as Node's."""

    def test_freshSocket(self) -> None:
        """new Socket(): open, pending, no addresses, Node's defaults."""
        socket = net.Socket(reactor=Clock())
        self.assertEqual(
            ("open", True, False, False, True, True, None, 0, 0, None, {}, 16384, False),
            (
                socket.readyState,
                socket.pending,
                socket.connecting,
                socket.destroyed,
                socket.readable,
                socket.writable,
                socket.bufferSize,
                socket.bytesRead,
                socket.bytesWritten,
                socket.remoteAddress,
                socket.address(),
                socket.writableHighWaterMark,
                socket.allowHalfOpen,
            ),
        )
        self.assertIs(net.Stream, net.Socket)

    def test_notReadableNotWritable(self) -> None:
        """Socket({'readable': False, 'writable': False}) is 'closed'."""
        socket = net.Socket({"readable": False, "writable": False}, reactor=Clock())
        self.assertEqual("closed", socket.readyState)

    def test_bytesCounters(self) -> None:
        """bytesWritten and bytesRead keep their values after close."""
        clock = Clock()
        client, server = socketPair(clock)
        server.on("data", lambda d: server.end(b"xy"))
        client.on("data", lambda d: None)
        client.end(b"foobar")
        flush(clock)
        self.assertEqual((6, 2), (client.bytesWritten, client.bytesRead))
        self.assertTrue(client.destroyed)

    def test_refUnrefReturnSelf(self) -> None:
        """ref(), unref(), setNoDelay(), setKeepAlive() return the socket."""
        socket = net.Socket(reactor=Clock())
        for method in (socket.ref, socket.unref, socket.setNoDelay, socket.setKeepAlive):
            self.assertIs(socket, method())
