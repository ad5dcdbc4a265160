"""
No data lost: echo connections over loopback, sha256 compared on both ends.

A client sends ``size`` pseudo-random bytes in chunks of random sizes (one
byte to 256 KiB), honouring ``write()``/``'drain'``, corking random groups
of writes; the server echoes every chunk back in random pieces, also
corking at random; both sides ``pause()`` their reading at random moments
for random lengths of time, and the client half-closes at a random moment
(with its last chunk, right after it, a little later, or only once the
whole echo is back).  Each end hashes what it sent and what it received;
the run passes when every hash matches its counterpart, every byte count is
``size``, both ends saw ``'end'`` and ``'close'(False)`` and no ``'error'``.

The peer is nodenet (both ends in this process) or ``node`` running
``echo_peer.js`` (the same behaviour, written for Node), as the server or
as the client.  Every run prints its seed; the same seed replays the same
choices (the timing of the network still varies).
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.internet.defer import Deferred

import nodenet as net

from ._common import JsonLinesProcess
from ._common import verdict as printVerdict

__all__ = [
    "ECHO_PEER",
    "NODE",
    "Tally",
    "echoOverLoopback",
    "main",
]

HERE = Path(__file__).resolve().parent
ECHO_PEER = HERE / "echo_peer.js"
NODE = shutil.which("node")

#: Probabilities and bounds of the random behaviour (the same in echo_peer.js).
PAUSE_CHANCE = 0.02
MAX_PAUSE_MS = 4.0
CORK_CHANCE = 0.1
ENDINGS = ("withLast", "now", "later", "afterEcho")


def _getReactor() -> Any:
    from twisted.internet import reactor

    return reactor


class Tally:
    """What one end sent and received: byte counts, sha256, and its events."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sent = hashlib.sha256()
        self.sentBytes = 0
        self.received = hashlib.sha256()
        self.receivedBytes = 0
        self.events: list[str] = []
        self.errors: list[str] = []
        self.closeArgs: tuple[Any, ...] | None = None

    def send(self, chunk: bytes) -> None:
        self.sent.update(chunk)
        self.sentBytes += len(chunk)

    def receive(self, chunk: bytes) -> None:
        self.received.update(chunk)
        self.receivedBytes += len(chunk)

    def summary(self) -> dict[str, Any]:
        """A JSON-able summary, in the shape ``echo_peer.js`` prints."""
        return {
            "name": self.name,
            "sent": self.sent.hexdigest(),
            "sentBytes": self.sentBytes,
            "received": self.received.hexdigest(),
            "receivedBytes": self.receivedBytes,
            "events": self.events,
            "errors": self.errors,
        }


def _trace(sock: Any, tally: Tally, done: Deferred[dict[str, Any]]) -> None:
    """Record ``sock``'s events other than data in ``tally``; fire ``done`` at close."""
    for name in ("end", "finish", "timeout"):
        sock.on(name, lambda name=name: tally.events.append(name))
    sock.on("error", lambda err: tally.errors.append(f"{getattr(err, 'code', None)}: {err}"))

    def onClose(hadError: bool) -> None:
        tally.events.append(f"close({str(hadError).lower()})")
        done.callback(tally.summary())

    sock.on("close", onClose)


class Holder:
    """
    Pauses a socket's reading while any reason holds it: waiting for
    ``'drain'`` (as ``pipe()`` does) or a random pause of random length.
    """

    def __init__(self, sock: Any, rng: random.Random, reactor: Any) -> None:
        self.sock = sock
        self.rng = rng
        self.reactor = reactor
        self.reasons = 0
        self.timers: set[Any] = set()
        sock.on("close", lambda *_: self.cancel())

    def hold(self) -> None:
        self.reasons += 1
        if self.reasons == 1:
            self.sock.pause()

    def release(self) -> None:
        self.reasons -= 1
        if self.reasons == 0 and not self.sock.destroyed:
            self.sock.resume()

    def maybePause(self) -> None:
        """Now and then, pause reading for up to ``MAX_PAUSE_MS``."""
        if self.rng.random() < PAUSE_CHANCE:
            self.hold()
            delay = self.rng.uniform(0, MAX_PAUSE_MS) / 1000.0

            def later() -> None:
                self.timers.discard(call)
                self.release()

            call = self.reactor.callLater(delay, later)
            self.timers.add(call)

    def cancel(self) -> None:
        for call in list(self.timers):
            if call.active():
                call.cancel()
        self.timers.clear()


def _pieces(chunk: bytes, rng: random.Random) -> list[bytes]:
    """``chunk`` cut at up to three random places."""
    if len(chunk) < 2 or rng.random() < 0.5:
        return [chunk]
    cuts = sorted(rng.randrange(1, len(chunk)) for _ in range(rng.randint(1, 3)))
    edges = [0, *cuts, len(chunk)]
    return [chunk[a:b] for a, b in pairwise(edges) if b > a]


def echoConnection(sock: Any, rng: random.Random, reactor: Any, name: str = "server") -> Deferred[dict[str, Any]]:
    """
    Echo everything ``sock`` receives, with random pieces, corks and pauses,
    ending once the peer ended; fire with the summary at ``'close'``.
    """
    tally = Tally(name)
    done: Deferred[dict[str, Any]] = Deferred()
    holder = Holder(sock, rng, reactor)
    _trace(sock, tally, done)

    def onData(chunk: bytes) -> None:
        tally.receive(chunk)
        corked = rng.random() < CORK_CHANCE
        if corked:
            sock.cork()
        ok = True
        for piece in _pieces(chunk, rng):
            tally.send(piece)
            ok = sock.write(piece) and ok
        if corked:
            sock.uncork()
        if not ok:
            holder.hold()
            sock.once("drain", holder.release)
        holder.maybePause()

    sock.on("data", onData)
    if sock.allowHalfOpen:
        sock.on("end", lambda: sock.end())
    return done


class Sender:
    """
    The client's part: send ``size`` random bytes in random chunks, honouring
    ``'drain'`` and corking random groups, then half-close as ``ending`` says;
    echo what comes back into the tally, pausing at random.
    """

    BLOCK = 1 << 20

    def __init__(self, sock: Any, size: int, rng: random.Random, reactor: Any, ending: str) -> None:
        self.sock = sock
        self.size = size
        self.rng = rng
        self.reactor = reactor
        self.ending = ending
        self.tally = Tally("client")
        self.done: Deferred[dict[str, Any]] = Deferred()
        self.block = rng.randbytes(self.BLOCK + 262144)
        self.offset = 0
        self.ended = False
        self.endTimer: Any = None
        self.holder = Holder(sock, rng, reactor)
        _trace(sock, self.tally, self.done)
        sock.on("data", self.onData)
        sock.on("close", lambda *_: self.cancel())

    def chunkSize(self) -> int:
        kind = self.rng.random()
        if kind < 0.3:
            n = self.rng.randint(1, 512)
        elif kind < 0.8:
            n = self.rng.randint(512, 65536)
        else:
            n = self.rng.randint(65536, 262144)
        return min(n, self.size - self.tally.sentBytes)

    def nextChunk(self) -> bytes:
        n = self.chunkSize()
        chunk = self.block[self.offset : self.offset + n]
        self.offset = (self.offset + n * 7 + 13) % self.BLOCK
        return chunk

    def start(self) -> None:
        self.pump()

    def pump(self) -> None:
        sock = self.sock
        while self.tally.sentBytes < self.size and not sock.destroyed:
            group = self.rng.randint(1, 6)
            corked = self.rng.random() < CORK_CHANCE
            if corked:
                sock.cork()
            ok = True
            for _ in range(group):
                if self.tally.sentBytes >= self.size:
                    break
                chunk = self.nextChunk()
                self.tally.send(chunk)
                if self.tally.sentBytes == self.size and self.ending == "withLast":
                    # end(last) inside the corked group: end() must uncork.
                    self.ended = True
                    sock.end(chunk)
                    return
                ok = sock.write(chunk) and ok
            if corked:
                sock.uncork()
            if not ok:
                sock.once("drain", self.pump)
                return
        if self.tally.sentBytes >= self.size:
            self.finishWriting()

    def finishWriting(self) -> None:
        if self.ending in ("now", "withLast"):
            self.end()
        elif self.ending == "later":
            self.endTimer = self.reactor.callLater(self.rng.uniform(0, 0.01), self.end)
        elif self.tally.receivedBytes >= self.size:
            self.end()

    def end(self) -> None:
        self.endTimer = None
        if not self.ended:
            self.ended = True
            self.sock.end()

    def onData(self, chunk: bytes) -> None:
        self.tally.receive(chunk)
        if (
            self.ending == "afterEcho"
            and self.tally.receivedBytes >= self.size
            and self.tally.sentBytes >= self.size
        ):
            self.end()
        self.holder.maybePause()

    def cancel(self) -> None:
        if self.endTimer is not None and self.endTimer.active():
            self.endTimer.cancel()
        self.endTimer = None


class _NodePeer(JsonLinesProcess):
    """``node echo_peer.js``: its JSON lines, its port line and its exit."""

    def __init__(self, expectPort: bool) -> None:
        super().__init__()
        self.expectPort = expectPort
        self.port: Deferred[int] = Deferred()

    def lineReceived(self, line: dict[str, Any]) -> None:
        if "port" in line and not self.port.called:
            self.port.callback(int(line["port"]))
        else:
            super().lineReceived(line)

    def processEnded(self, reason: Any) -> None:
        if self.expectPort and not self.port.called:
            self.port.errback(RuntimeError(f"node exited early: {self.stderr.decode(errors='replace')}"))
        super().processEnded(reason)


def _spawnNode(reactor: Any, args: list[str]) -> _NodePeer:
    assert NODE is not None
    peer = _NodePeer(expectPort=args[0] == "server")
    reactor.spawnProcess(peer, NODE, [NODE, str(ECHO_PEER), *args], env=None)
    return peer


def verdict(size: int, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    """Every problem with the ``(client, server)`` summaries; empty when all is well."""
    problems = []
    for index, (client, server) in enumerate(pairs):
        where = f"connection {index}"
        for side in (client, server):
            if side["errors"]:
                problems.append(f"{where}: {side['name']} errors {side['errors']}")
            for event in ("end", "finish", "close(false)"):
                if event not in side["events"]:
                    problems.append(f"{where}: {side['name']} saw no {event}: {side['events']}")
        counts = (client["sentBytes"], server["receivedBytes"], server["sentBytes"], client["receivedBytes"])
        if counts != (size,) * 4:
            problems.append(f"{where}: byte counts (client sent, server got, server sent, client got) {counts} != {size}")
        if client["sent"] != server["received"]:
            problems.append(f"{where}: client->server sha256 differs")
        if server["sent"] != client["received"]:
            problems.append(f"{where}: server->client sha256 differs")
    return problems


async def echoOverLoopback(
    size: int,
    seed: int,
    *,
    connections: int = 1,
    peer: str = "nodenet",
    deadline: float = 600.0,
    reactor: Any = None,
    createServer: Callable[..., Any] = net.createServer,
    connect: Callable[[int, dict[str, Any]], Any] | None = None,
    startEvent: str = "connect",
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], float]:
    """
    Run ``connections`` echo connections of ``size`` bytes each way, the
    server and client being nodenet unless ``peer`` is ``'node-server'``
    or ``'node-client'``.  Returns the ``(client, server)`` summaries of
    every connection and the elapsed seconds.  After ``deadline`` seconds
    every socket is destroyed (and the node peer killed), which the summaries
    then show as missing events or bytes.

    ``createServer(options, connectionListener)`` and ``connect(port,
    options)`` make the nodenet ends (plain TCP by default), and the client
    starts sending at ``startEvent``: a TLS variant passes its own
    (``'secureConnect'``), the rest of the scenario is the same.
    """
    reactor = reactor if reactor is not None else _getReactor()
    rng = random.Random(seed)
    started = time.monotonic()
    serverDone: list[Deferred[dict[str, Any]]] = []
    clientDone: list[Deferred[dict[str, Any]]] = []
    sockets: list[Any] = []
    server: Any = None
    node: _NodePeer | None = None

    def expire() -> None:
        for sock in sockets:
            sock.destroy()
        if node is not None and node.transport is not None and not node.ended.called:
            node.transport.signalProcess("KILL")

    watchdog = reactor.callLater(deadline, expire)
    if peer == "node-server":
        node = _spawnNode(reactor, ["server", str(seed), str(connections)])
        port = await node.port
    elif peer in ("nodenet", "node-client"):
        allowHalfOpen = rng.random() < 0.5

        def onConnection(sock: Any) -> None:
            sockets.append(sock)
            serverDone.append(echoConnection(sock, random.Random(rng.random()), reactor))

        server = createServer({"allowHalfOpen": allowHalfOpen}, onConnection)
        listening = net.once(server, "listening")
        server.listen(0, "127.0.0.1")
        await listening
        port = server.address()["port"]
    else:
        raise ValueError(f"unknown peer {peer!r}")
    try:
        if peer == "node-client":
            node = _spawnNode(reactor, ["client", str(seed), str(connections), str(size), str(port)])
        else:
            for index in range(connections):
                crng = random.Random(rng.random())
                ending = ENDINGS[index % len(ENDINGS)] if connections > 1 else crng.choice(ENDINGS)
                options = {"host": "127.0.0.1", "allowHalfOpen": crng.random() < 0.5}
                sock = connect(port, options) if connect is not None else net.connect(
                    {"port": port, **options}
                )
                sender = Sender(sock, size, crng, reactor, ending)
                sockets.append(sock)
                clientDone.append(sender.done)
                sock.once(startEvent, sender.start)
        nodeProblem = None
        if node is not None:
            code = await node.ended
            if code != 0:
                nodeProblem = f"node exited with {code}: {node.stderr.decode(errors='replace')[-500:]}"
        clients = await defer.gatherResults(clientDone) if clientDone else []
        servers = await defer.gatherResults(serverDone) if serverDone else []
    finally:
        if watchdog.active():
            watchdog.cancel()
        for sock in sockets:
            sock.destroy()
        if server is not None and server.listening:
            closed = net.once(server, "close")
            server.close()
            await closed
    if node is not None:
        lines = node.lines
        if peer == "node-server":
            servers = [line for line in lines if line["name"] == "server"]
        else:
            clients = [line for line in lines if line["name"] == "client"]
    # Pair clients and servers by what they sent (the order of accepts is free).
    missing = {
        "sent": "", "sentBytes": 0, "received": "", "receivedBytes": 0, "events": [],
        "errors": [nodeProblem or "no report"],
    }
    clients = clients + [dict(missing, name="client")] * (connections - len(clients))
    servers = servers + [dict(missing, name="server")] * (connections - len(servers))
    byHash = {s["received"]: s for s in servers if s["received"]}
    used: set[int] = set()
    pairs = []
    for c in clients:
        match = byHash.get(c["sent"])
        if match is None or id(match) in used:
            match = next(s for s in servers if id(s) not in used)
        used.add(id(match))
        pairs.append((c, match))
    return pairs, time.monotonic() - started


def _report(name: str, size: int, connections: int, pairs: Any, elapsed: float, seed: int) -> bool:
    mib = size * connections / 2**20
    return printVerdict(
        f"integrity[{name}]",
        f"{connections} x {size / 2**20:.1f} MiB each way "
        f"({mib:.0f} MiB each way) in {elapsed:.1f} s = {2 * mib / elapsed:.1f} MiB/s "
        f"through nodenet, seed {seed}",
        verdict(size, pairs),
    )


def main(argv: list[str] | None = None) -> int:
    """
    ``python -m tests.soak.integrity [MiB [CONNECTIONS [ROUNDS [SEED]]]]``:
    ``MiB`` each way in total (200 by default) over ``CONNECTIONS`` (4),
    against nodenet, a node server and node clients, ``ROUNDS`` times (1)
    with fresh seeds (from ``SEED`` on, random by default).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    mib = float(args[0]) if args else 200.0
    connections = int(args[1]) if len(args) > 1 else 4
    rounds = int(args[2]) if len(args) > 2 else 1
    seed = int(args[3]) if len(args) > 3 else random.SystemRandom().randrange(2**32)
    size = int(mib * 2**20) // connections
    peers = ["nodenet"] + (["node-server", "node-client"] if NODE else [])
    results: list[bool] = []

    async def program() -> None:
        for round in range(rounds):
            for index, peer in enumerate(peers):
                thisSeed = (seed + 10 * round + index) % 2**32
                pairs, elapsed = await echoOverLoopback(
                    size, thisSeed, connections=connections, peer=peer, deadline=120
                )
                results.append(_report(peer, size, connections, pairs, elapsed, thisSeed))

    net.run(lambda: Deferred.fromCoroutine(program()))
    if not NODE:
        print("SKIP integrity[node-*]: node is not installed", flush=True)
    print(f"{'PASS' if results and all(results) else 'FAIL'} integrity: "
          f"{sum(results)} of {len(results)} runs lost nothing", flush=True)
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
