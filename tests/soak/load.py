"""
Load: many concurrent connections, and ``maxConnections`` under a burst.

The clients run in their own process (``python -m tests.soak.load client
...``, the standard library only), so the nodenet server under test has its
process to itself and only its own descriptors count.

:func:`concurrentEcho` holds ``n`` connections open at once and then makes
every one of them echo a message: all must be answered, none lost.  The
clients connect in batches of ``batch`` (the next batch once the previous
one is connected) and time every connect: a connect that takes a second or
more means a SYN was dropped because the accept queue was full, i.e. the
server's accepting stalled.

:func:`maxConnectionsBurst` opens ``total`` connections as fast as the
client can against a server with ``maxConnections = limit``: exactly
``limit`` must get ``'connection'``, the rest ``'drop'``, and the counts
must add up to ``total``.

``python -m tests.soak.load [N]`` runs both at the soak sizes (5,000
concurrent connections; a burst of 1,000 against a limit of 100).
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred

import nodenet as net

from ._common import JsonLinesProcess, verdict

__all__ = ["concurrentEcho", "maxConnectionsBurst", "client", "main"]

ROOT = Path(__file__).resolve().parents[2]
#: A connect slower than this means a dropped SYN (Linux retries after 1 s).
STALL = 0.9


def _getReactor() -> Any:
    from twisted.internet import reactor

    return reactor


# -- the client process (standard library only) -------------------------------------


def _say(item: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(item) + "\n")
    sys.stdout.flush()


def client(mode: str, port: int, n: int, batch: int) -> None:
    """
    ``echo``: connect ``n`` sockets in batches; each sends one byte as soon
    as it is connected, and a batch is done once every byte came back (so
    the server accepted and served it); say ``{"connected": ...}`` with the
    timings, wait for ``go`` on stdin, send one message on each and read
    every echo.  ``burst``: connect ``n`` sockets as fast as possible, say
    how many connected, wait for ``go``, count how many the server closed.
    """
    sel = selectors.DefaultSelector()
    socks: list[socket.socket] = []
    latencies: list[float] = []
    started = time.monotonic()
    failures: list[str] = []
    echo = mode == "echo"
    for first in range(0, n, batch):
        pending: dict[socket.socket, float] = {}
        for _ in range(first, min(n, first + batch)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            pending[s] = time.monotonic()
            sel.register(s, selectors.EVENT_WRITE)
        while pending:
            events = sel.select(timeout=10)
            if not events:
                failures.append(f"{len(pending)} connections never got going")
                for s in pending:
                    sel.unregister(s)
                    s.close()
                break
            for key, mask in events:
                s = key.fileobj  # type: ignore[assignment]
                assert isinstance(s, socket.socket)
                if mask & selectors.EVENT_WRITE:
                    error = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if error:
                        failures.append(os.strerror(error))
                        sel.unregister(s)
                        pending.pop(s)
                        s.close()
                    elif echo:
                        s.send(b"h")
                        sel.modify(s, selectors.EVENT_READ)
                    else:
                        sel.unregister(s)
                        latencies.append(time.monotonic() - pending.pop(s))
                        socks.append(s)
                else:
                    sel.unregister(s)
                    latencies.append(time.monotonic() - pending.pop(s))
                    if s.recv(1) == b"h":
                        socks.append(s)
                    else:
                        failures.append("closed before its first echo")
                        s.close()
    connectSeconds = time.monotonic() - started
    latencies.sort()
    _say({
        "connected": len(socks),
        "failures": failures[:5],
        "failed": len(failures),
        "connectSeconds": round(connectSeconds, 3),
        "maxConnectLatency": round(latencies[-1], 4) if latencies else None,
        "p99ConnectLatency": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 4)
        if latencies else None,
        "stalled": sum(1 for x in latencies if x >= STALL),
    })
    sys.stdin.readline()  # "go"
    if mode == "echo":
        started = time.monotonic()
        expected: dict[socket.socket, bytes] = {}
        received: dict[socket.socket, bytes] = {}
        for index, s in enumerate(socks):
            message = f"message {index:06d}\n".encode()
            expected[s] = message
            received[s] = b""
            s.setblocking(True)
            s.sendall(message)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ)
        deadline = time.monotonic() + 60
        while sel.get_map() and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=5):
                s = key.fileobj  # type: ignore[assignment]
                assert isinstance(s, socket.socket)
                chunk = s.recv(4096)
                received[s] += chunk
                if not chunk or len(received[s]) >= len(expected[s]):
                    sel.unregister(s)
        answered = sum(1 for s in socks if received[s] == expected[s])
        _say({"answered": answered, "echoSeconds": round(time.monotonic() - started, 3)})
    else:
        # Count the connections the server closed: wait for their ends
        # until half a second passes without a new one.
        closed = 0
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        while True:
            events = sel.select(timeout=0.5)
            if not events:
                break
            for key, _ in events:
                s = key.fileobj  # type: ignore[assignment]
                assert isinstance(s, socket.socket)
                sel.unregister(s)
                try:
                    if s.recv(1) == b"":
                        closed += 1
                except OSError:
                    closed += 1
        _say({"closedByServer": closed})
    for s in socks:
        s.close()
    sys.stdin.readline()  # wait to be told to end


# -- driving it from a nodenet process -------------------------------------------------


class _ClientProcess(JsonLinesProcess):
    """The client process: its JSON lines, one Deferred per expected key."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[tuple[str, Deferred[dict[str, Any]]]] = []

    def lineReceived(self, line: dict[str, Any]) -> None:
        super().lineReceived(line)
        for key, d in list(self.waiting):
            if key in line:
                self.waiting.remove((key, d))
                d.callback(line)

    def waitFor(self, key: str) -> Deferred[dict[str, Any]]:
        for line in self.lines:
            if key in line:
                d: Deferred[dict[str, Any]] = Deferred()
                d.callback(line)
                return d
        d = Deferred()
        self.waiting.append((key, d))
        return d

    def send(self, line: str) -> None:
        assert self.transport is not None
        self.transport.write(line.encode() + b"\n")

    def processEnded(self, reason: Any) -> None:
        for key, d in self.waiting:
            d.errback(RuntimeError(f"the client ended before saying {key!r}: {self.stderr.decode()}"))
        self.waiting = []
        super().processEnded(reason)


def _spawnClient(reactor: Any, *args: Any) -> _ClientProcess:
    proc = _ClientProcess()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    reactor.spawnProcess(
        proc, sys.executable, [sys.executable, "-m", "tests.soak.load", "client", *map(str, args)],
        env=env, path=str(ROOT),
    )
    return proc


async def concurrentEcho(n: int, batch: int = 100, reactor: Any = None) -> dict[str, Any]:
    """Hold ``n`` connections open, then echo one message on each; the figures."""
    reactor = reactor if reactor is not None else _getReactor()
    accepts: list[float] = []
    sockets: list[Any] = []
    closed: list[Deferred[Any]] = []

    def onConnection(sock: Any) -> None:
        accepts.append(time.monotonic())
        sockets.append(sock)
        done: Deferred[Any] = Deferred()
        closed.append(done)
        sock.on("close", lambda *a: done.callback(None))
        sock.on("data", sock.write)

    server = net.createServer({"allowHalfOpen": False}, onConnection)
    listening = net.once(server, "listening")
    server.listen(0, "127.0.0.1")
    await listening
    port = server.address()["port"]
    started = time.monotonic()
    proc = _spawnClient(reactor, "echo", port, n, batch)
    try:
        connected = await proc.waitFor("connected")
        held = len(sockets)
        proc.send("go")
        answered = await proc.waitFor("answered")
        proc.send("end")
        await proc.ended
        if closed:
            from twisted.internet.defer import gatherResults

            await gatherResults(closed)
    finally:
        closing = net.once(server, "close")
        server.close()
        for sock in sockets:
            sock.destroy()
        await closing
    gaps = [b - a for a, b in pairwise(accepts)]
    return {
        "n": n,
        **{k: v for k, v in connected.items()},
        "acceptedBeforeEcho": held,
        "maxAcceptGap": round(max(gaps), 4) if gaps else None,
        "acceptSeconds": round(accepts[-1] - accepts[0], 3) if accepts else None,
        **{k: v for k, v in answered.items()},
        "seconds": round(time.monotonic() - started, 2),
    }


async def maxConnectionsBurst(total: int, limit: int, reactor: Any = None) -> dict[str, Any]:
    """A burst of ``total`` connects against ``maxConnections = limit``; the counts."""
    reactor = reactor if reactor is not None else _getReactor()
    kept: list[Any] = []
    drops: list[Any] = []
    allSeen: Deferred[None] = Deferred()
    closed: list[Deferred[Any]] = []

    def check() -> None:
        if len(kept) + len(drops) == total and not allSeen.called:
            allSeen.callback(None)

    def onConnection(sock: Any) -> None:
        kept.append(sock)
        done: Deferred[Any] = Deferred()
        closed.append(done)
        sock.on("close", lambda *a: done.callback(None))
        sock.on("error", lambda err: None)
        check()

    def onDrop(*data: Any) -> None:
        drops.append(data)
        check()

    server = net.createServer(onConnection)
    server.maxConnections = limit
    server.on("drop", onDrop)
    listening = net.once(server, "listening")
    server.listen({"port": 0, "host": "127.0.0.1", "backlog": 2048})
    await listening
    started = time.monotonic()
    proc = _spawnClient(reactor, "burst", server.address()["port"], total, total)
    try:
        connected = await proc.waitFor("connected")
        await allSeen
        counts = {"connections": len(kept), "drops": len(drops), "serverConnections": server.connections}
        proc.send("go")
        closedByServer = await proc.waitFor("closedByServer")
        proc.send("end")
        await proc.ended
        from twisted.internet.defer import gatherResults

        await gatherResults(closed)
    finally:
        closing = net.once(server, "close")
        server.close()
        for sock in kept:
            sock.destroy()
        await closing
    return {
        "total": total,
        "limit": limit,
        **counts,
        "clientConnected": connected["connected"],
        "closedByServer": closedByServer["closedByServer"],
        "seconds": round(time.monotonic() - started, 2),
    }


def _listenOverflows() -> int | None:
    """The kernel's count of connections dropped on a full accept queue."""
    try:
        lines = Path("/proc/net/netstat").read_text().splitlines()
    except OSError:
        return None
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], values.split()[1:], strict=False))
            return int(table.get("ListenOverflows", 0))
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.soak.load [N [BURST LIMIT]]``; ``client ...`` is the client process."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "client":
        client(args[1], int(args[2]), int(args[3]), int(args[4]))
        return 0
    import resource

    n = int(args[0]) if args else 5000
    total = int(args[1]) if len(args) > 1 else 1000
    limit = int(args[2]) if len(args) > 2 else 100
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 1000)), hard))
    results: list[bool] = []

    async def program() -> None:
        overflowsBefore = _listenOverflows()
        echo = await concurrentEcho(n)
        overflows = _listenOverflows()
        echo["listenOverflows"] = (
            overflows - overflowsBefore if overflows is not None and overflowsBefore is not None else None
        )
        problems = []
        if echo["connected"] != n or echo["answered"] != n:
            problems.append(f"{echo['connected']} connected and {echo['answered']} answered of {n}")
        if echo["stalled"]:
            problems.append(f"{echo['stalled']} connects took {STALL} s or more (accept stalled)")
        results.append(verdict(
            "load[concurrent]",
            f"{n} connections held open then all "
            f"echoing: {echo['answered']} answered; connected in {echo['connectSeconds']} s "
            f"(max connect {echo['maxConnectLatency']} s, p99 {echo['p99ConnectLatency']} s, "
            f"max gap between accepts {echo['maxAcceptGap']} s, listen overflows "
            f"{echo['listenOverflows']}), echoed in {echo['echoSeconds']} s",
            problems,
        ))
        burst = await maxConnectionsBurst(total, limit)
        problems = []
        if (burst["connections"], burst["drops"]) != (limit, total - limit):
            problems.append(f"{burst['connections']} connections and {burst['drops']} drops")
        results.append(verdict(
            "load[maxConnections]",
            f"burst of {total} against "
            f"maxConnections={limit}: {burst['connections']} 'connection' + {burst['drops']} "
            f"'drop' = {burst['connections'] + burst['drops']} ({burst['seconds']} s)",
            problems,
        ))

    net.run(lambda: Deferred.fromCoroutine(program()))
    return 0 if results and all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
