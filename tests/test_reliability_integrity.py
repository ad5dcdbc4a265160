"""
No data lost, at CI size: echo connections over loopback with random chunk
sizes, ``pause()``/``resume()``, ``cork()`` and half-close timing, sha256
equal on both ends (the scenario is :mod:`tests.soak.integrity`; the soak
run sends 200 MiB each way).

Also in memory, property-based: the same kind of echo over
:func:`~nodenet.testing.socketPair`, with Hypothesis choosing every chunk,
pause, cork and the moment of the half-close.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase, TestCase

import nodenet as net
from nodenet.testing import flush, socketPair

from .soak import integrity

MIB = 2**20


class LoopbackEchoTests(TestCase):
    """Echo connections over 127.0.0.1 lose nothing (sha256 on both ends)."""

    timeout = 120

    async def echo(self, peer: str, size: int, connections: int) -> None:
        seed = random.SystemRandom().randrange(2**32)
        pairs, elapsed = await integrity.echoOverLoopback(
            size, seed, connections=connections, peer=peer, deadline=20
        )
        problems = integrity.verdict(size, pairs)
        self.assertEqual(problems, [], f"seed {seed}")

    def test_nodenetToNodenet(self) -> Deferred[None]:
        """Eight connections, 4 MiB each way each, nodenet at both ends."""
        return Deferred.fromCoroutine(self.echo("nodenet", 4 * MIB, 8))

    def test_nodenetToNodeServer(self) -> Deferred[None]:
        """Four nodenet clients against a ``node`` echo server, 8 MiB each way each."""
        if integrity.NODE is None:
            self.skipTest("node is not installed")
        return Deferred.fromCoroutine(self.echo("node-server", 8 * MIB, 4))

    def test_nodeClientsToNodenet(self) -> Deferred[None]:
        """Four ``node`` clients against a nodenet echo server, 8 MiB each way each."""
        if integrity.NODE is None:
            self.skipTest("node is not installed")
        return Deferred.fromCoroutine(self.echo("node-client", 8 * MIB, 4))


class EndWhileCorkedTests(TestCase):
    """``end()`` fully uncorks, as Node's ``Writable.end()`` does."""

    async def scenario(self) -> tuple[tuple[int, int], bytes, list[str]]:
        server = net.createServer()
        received: list[bytes] = []
        closed: Deferred[None] = Deferred()

        def onConnection(sock: Any) -> None:
            sock.on("data", received.append)
            sock.on("close", lambda *a: closed.callback(None))

        server.on("connection", onConnection)
        listening = net.once(server, "listening")
        server.listen(0, "127.0.0.1")
        await listening
        client = net.connect(server.address()["port"], "127.0.0.1")
        events: list[str] = []
        for name in ("finish", "close"):
            client.on(name, lambda *a, name=name: events.append(name))
        await net.once(client, "connect")
        await net.once(client, "ready")
        done = net.once(client, "close")
        client.cork()
        client.write(b"a")
        client.write(b"b")
        client.end(b"c")
        after = (client.writableCorked, client.writableLength)
        client.resume()
        ok = True
        try:
            await done.addTimeout(2, reactor)
            await closed.addTimeout(2, reactor)
        except Exception:
            ok = False
            client.destroy()
        finally:
            shut = net.once(server, "close")
            server.close()
            await shut
        if not ok:
            events.append("(hung: destroyed after 2 s)")
        return after, b"".join(received), events

    def test_endUncorks(self) -> Deferred[None]:
        """
        ``cork(); write('a'); write('b'); end('c')``: right after ``end()``
        nothing is corked or queued, the peer gets ``abc``, and the socket
        finishes and closes (Node v20's trace).
        """

        async def check() -> None:
            after, received, events = await self.scenario()
            self.assertEqual((after, received, events), ((0, 0), b"abc", ["finish", "close"]))

        return Deferred.fromCoroutine(check())


_CHUNKS = st.lists(st.integers(1, 70000), min_size=1, max_size=8)
_STEPS = st.lists(
    st.sampled_from(["write", "corkedWrites", "pause", "resume", "turn", "turns"]),
    min_size=1,
    max_size=30,
)


class MemoryEchoTests(SynchronousTestCase):
    """An echo over memory loses nothing, whatever Hypothesis does to it."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        chunks=_CHUNKS,
        steps=_STEPS,
        serverPauses=st.lists(st.booleans(), max_size=40),
        ending=st.sampled_from(integrity.ENDINGS),
        halfOpen=st.booleans(),
        bufferSize=st.sampled_from([1, 1024, 65536]),
        readSize=st.sampled_from([700, 65536]),
        seed=st.integers(0, 2**32 - 1),
    )
    def test_echo(
        self,
        chunks: list[int],
        steps: list[str],
        serverPauses: list[bool],
        ending: str,
        halfOpen: bool,
        bufferSize: int,
        readSize: int,
        seed: int,
    ) -> None:
        """Both directions arrive whole and in order; both ends close cleanly."""
        clock = Clock()
        client, server = socketPair(
            clock,
            clientOptions={"allowHalfOpen": halfOpen},
            serverOptions={"allowHalfOpen": not halfOpen},
            bufferSize=bufferSize,
            readSize=readSize,
        )
        data = random.Random(seed).randbytes(sum(chunks))
        echoed = bytearray()
        got = bytearray()
        pauses = iter(serverPauses)

        def onServerData(chunk: bytes) -> None:
            got.extend(chunk)
            if not server.write(chunk) or next(pauses, False):
                server.pause()
                clock.callLater(0, server.resume)

        server.on("data", onServerData)
        if server.allowHalfOpen:
            server.on("end", lambda: server.end())
        client.on("data", echoed.extend)
        closes: list[Any] = []
        client.on("close", lambda hadError: closes.append(("client", hadError)))
        server.on("close", lambda hadError: closes.append(("server", hadError)))
        flush(clock)
        offset = 0
        queue = list(chunks)

        def writeOne() -> None:
            nonlocal offset
            size = queue.pop(0)
            piece = data[offset : offset + size]
            offset += size
            if not queue and ending == "withLast":
                client.end(piece)
            else:
                client.write(piece)

        for step in steps:
            if step == "write" and queue:
                writeOne()
            elif step == "corkedWrites" and queue:
                client.cork()
                writeOne()
                if queue:
                    writeOne()
                if queue or ending != "withLast":
                    client.uncork()
            elif step == "pause":
                client.pause()
            elif step == "resume":
                client.resume()
            elif step == "turn":
                clock.advance(0)
            else:
                flush(clock)
        while queue:
            writeOne()
        client.resume()
        if ending != "withLast":
            if ending == "afterEcho":
                flush(clock)
            client.end()
        flush(clock)

        self.assertEqual(bytes(got), data)
        self.assertEqual(bytes(echoed), data)
        self.assertEqual(sorted(closes), [("client", False), ("server", False)])
        self.assertEqual(clock.getDelayedCalls(), [])
