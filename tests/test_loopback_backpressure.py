"""
Integration tests of nodenet over the real kernel: ``write()``'s return
value, ``'drain'``, and ``pause()`` against full kernel buffers.

Expected behaviour is Node v20's, measured by running the same scenarios
under ``node``.
"""

from __future__ import annotations

import hashlib
from functools import partial
from typing import Any

from twisted.internet.defer import Deferred, DeferredList

from .test_loopback import LoopbackTestCase, nextEvent

_CHUNK = bytes(range(256)) * 256  # 64 KiB, not all alike
_FLOOD_LIMIT = 256 * 1024 * 1024


class BackpressureTests(LoopbackTestCase):
    """``write()``'s return value, ``'drain'``, and ``pause()`` against the kernel."""

    async def flood(self, writer: Any, ping: Any) -> tuple[int, Any]:
        """
        Write to ``writer`` until ``write()`` returns C{False} and no
        ``'drain'`` follows within ten round trips of ``ping``: the kernel's
        buffers are full.  Returns the byte count and a sha256 of
        what was written.
        """
        total = 0
        digest = hashlib.sha256()
        while total < _FLOOD_LIMIT:
            ok = writer.write(_CHUNK)
            total += len(_CHUNK)
            digest.update(_CHUNK)
            if not ok:
                drained: list[bool] = []
                writer.once("drain", partial(drained.append, True))
                await ping(10)
                if not drained:
                    return total, digest
        self.fail(f"write() never stalled after {total} bytes")

    async def test_idleWriteReturnsTrue(self) -> None:
        """
        On an idle connected socket the kernel takes a 16384-byte write at
        once: ``write()`` returns C{True}, ``writableLength`` is 0 right after,
        and no ``'drain'`` follows.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        ok = client.write(b"x" * 16384)
        after = (ok, client.writableLength, client.bufferSize, client.bytesWritten)
        client.end()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(after, (True, 0, 0, 16384))
        self.assertNotIn("drain", clientTrace.names())
        self.assertEqual(len(serverTrace.data()), 16384)

    async def test_destroyStalledWriter(self) -> None:
        """
        ``destroy()`` on a writer whose bytes back up against a paused peer
        drops what is still queued and emits ``close(False)`` at once (not
        after the peer reads); the peer then gets what the kernel already
        held, an unbroken prefix of the stream, and a clean ``'end'``.
        """
        ping = await self.pinger()
        server, _, accepted = await self.listening(0, "127.0.0.1")
        server.on("connection", lambda s: s.pause())
        port = server.address()["port"]
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        peer = serverTrace.emitter
        total, _ = await self.flood(client, ping)
        queued = client.writableLength
        mark = len(clientTrace.events)
        client.destroy()
        await ping(5)
        closedBeforePeerRead = clientTrace.events[mark:]
        peer.resume()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertGreater(queued, 0)
        self.assertEqual(closedBeforePeerRead, [("close", (False,))])
        received = serverTrace.data()
        self.assertTrue(total - queued <= len(received) <= total, (total, queued, len(received)))
        stream = _CHUNK * (len(received) // len(_CHUNK) + 1)
        self.assertTrue(received == stream[: len(received)])
        self.assertEqual(
            [event for event in serverTrace.events if event[0] != "data"],
            [("end", ()), ("finish", ()), ("close", (False,))],
        )

    async def test_writesQueuedWhileConnecting(self) -> None:
        """
        Writes before ``'connect'`` are queued and counted: ``write()``
        returns C{False} once 16384 bytes wait; after ``'connect'`` they are
        sent, ``'drain'`` follows once, and the queue is empty by ``'ready'``.
        """
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        client, clientTrace = self.connect(port, "127.0.0.1")
        first = (client.write("abc"), client.writableLength)
        second = (
            client.write(b"z" * 16381),
            client.writableLength,
            client.writableNeedDrain,
            client.bufferSize,
            client.bytesWritten,
        )
        atReady: list[int] = []
        client.on("ready", lambda: atReady.append(client.writableLength))
        await nextEvent(client, "drain")
        client.end()
        serverTrace = await accepted.get(0)
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(first, (True, 3))
        self.assertEqual(second, (False, 16384, True, 16384, 16384))
        self.assertEqual(atReady, [0])
        names = clientTrace.names()
        self.assertEqual(names.count("drain"), 1)
        self.assertGreater(names.index("drain"), names.index("connect"))
        self.assertEqual(
            [n for n in names if n != "drain"],
            ["connectionAttempt", "connect", "ready", "finish", "end", "close"],
        )
        self.assertEqual(len(serverTrace.data()), 16384)

    async def floodPausedPeer(self, pauseAfterFirstData: bool) -> None:
        """
        Flood a peer that paused (at once, or after its first ``'data'``):
        the writer stalls with queued bytes, the paused side stops reading
        from the kernel, and after ``resume()`` ``'drain'`` fires and every
        byte arrives intact.
        """
        ping = await self.pinger()
        server, _, accepted = await self.listening(0, "127.0.0.1")
        port = server.address()["port"]
        received = hashlib.sha256()
        count = [0]

        def onConnection(sock: Any) -> None:
            def onData(chunk: bytes) -> None:
                received.update(chunk)
                count[0] += len(chunk)
                if pauseAfterFirstData and count[0] == len(chunk):
                    sock.pause()

            if pauseAfterFirstData:
                sock.on("data", onData)
            else:
                sock.pause()
                sock.on("data", onData)

        server.on("connection", onConnection)
        client, clientTrace = await self.connected(port, "127.0.0.1")
        serverTrace = await accepted.get(0)
        peer = serverTrace.emitter
        if pauseAfterFirstData:
            client.write(b"first")
            await nextEvent(peer, "data")
        total, sent = await self.flood(client, ping)
        if pauseAfterFirstData:
            total += 5
            sent = hashlib.sha256(b"first")
            for _ in range((total - 5) // len(_CHUNK)):
                sent.update(_CHUNK)
        stalled = (
            client.writableLength > 0,
            client.bufferSize == client.writableLength,
            client.writableNeedDrain,
            peer.isPaused(),
        )
        readBefore = peer.bytesRead
        mark = len(clientTrace.events)
        # The kernel may still take a little more with time (its buffers
        # grow), so 'drain' may come before the peer resumes; the writer
        # ends at 'drain', whenever it comes.
        client.once("drain", lambda: client.end())
        await ping(5)
        readAfter = peer.bytesRead
        peer.resume()
        await DeferredList([clientTrace.closed(), serverTrace.closed()])
        await self.closeServer(server)

        self.assertEqual(stalled, (True, True, True, True))
        # The paused side reads nothing more from the kernel, however long
        # the writer's bytes wait (Node reads at most one chunk past its
        # high-water mark before it stops).
        self.assertEqual(readAfter, readBefore)
        self.assertLess(readAfter, 256 * 1024)
        self.assertEqual(clientTrace.names()[mark:], ["drain", "finish", "end", "close"])
        self.assertEqual((count[0], peer.bytesRead, client.bytesWritten), (total, total, total))
        self.assertEqual(received.hexdigest(), sent.hexdigest())
        self.assertEqual(serverTrace.names()[-3:], ["end", "finish", "close"])

    def test_floodPeerPausedAtConnection(self) -> Deferred[None]:
        """
        A peer paused at ``'connection'`` reads nothing more from the
        kernel; the writer stalls; ``resume()`` brings ``'drain'`` and all
        the bytes.
        """
        return Deferred.fromCoroutine(self.floodPausedPeer(False))

    def test_floodPeerPausedMidStream(self) -> Deferred[None]:
        """
        A peer that pauses after its first ``'data'`` stops reading from
        the kernel: its ``bytesRead`` stays put while the writer's bytes
        back up; ``resume()`` brings ``'drain'`` and all the bytes.
        """
        return Deferred.fromCoroutine(self.floodPausedPeer(True))
