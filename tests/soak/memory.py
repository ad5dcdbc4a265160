"""
Bounded memory under backpressure, measured as the resident set size of the
nodenet process (``/proc/self/statm``).

Two scenarios, each with the nodenet side in its own process so that
nothing else counts in its memory:

- :func:`drainingWriter`: a nodenet client that honours ``write()`` /
  ``'drain'`` sends ``total`` bytes to a reader (another process) that
  reads at most ``rate`` bytes a second.  Its RSS may not grow by more
  than :data:`LIMIT` over the run (measured from the first ``'drain'`` on,
  when the buffers have reached their working size).
- :func:`pausedReader`: a nodenet server ``pause()``-s the connection it
  accepts and never resumes; a peer (this process) sends up to ``total``
  bytes as fast as it can.  The kernel's flow control must hold the peer
  back (its ``send()`` blocks once the buffers are full), the server's RSS
  may not grow by more than :data:`LIMIT`, and it may not have read more
  than its high-water mark and one read.

``python -m tests.soak.memory [MiB]`` runs both at the soak sizes (1 GiB
through the draining writer, 200 MiB at the paused reader).  The nodenet
programs are ``python -m tests.soak.memory writer PORT TOTAL`` and
``python -m tests.soak.memory paused``; the slow reader is
``python -m tests.soak.memory reader PORT RATE``.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ._common import verdict

__all__ = ["LIMIT", "drainingWriter", "pausedReader", "rss", "main"]

ROOT = Path(__file__).resolve().parents[2]
MIB = 2**20
#: The most the RSS may grow (bytes).
LIMIT = 16 * MIB


def rss() -> int:
    """This process's resident set size in bytes."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _say(item: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(item) + "\n")
    sys.stdout.flush()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    return env


def _spawn(*args: Any, stdin: Any = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.soak.memory", *map(str, args)],
        stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=str(ROOT),
    )


# -- the programs --------------------------------------------------------------------


def writerProgram(port: int, total: int) -> None:
    """The nodenet writer: send ``total`` bytes honouring ``'drain'``; report memory."""
    import nodenet as net

    chunk = bytes(range(256)) * 256  # 64 KiB
    state: dict[str, Any] = {"sent": 0, "drains": 0, "baseline": None, "peak": 0, "samples": 0}
    started = time.monotonic()

    def sample() -> None:
        now = rss()
        state["samples"] += 1
        if state["baseline"] is None:
            state["baseline"] = now
        state["peak"] = max(state["peak"], now)

    def main() -> None:
        sock = net.connect(port, "127.0.0.1")

        def pump() -> None:
            while state["sent"] < total:
                ok = sock.write(chunk)
                state["sent"] += len(chunk)
                if not ok:
                    state["drains"] += 1
                    sample()
                    sock.once("drain", pump)
                    return
            sample()
            sock.end()

        def report(hadError: bool) -> None:
            _say({
                "sent": state["sent"],
                "drains": state["drains"],
                "baseline": state["baseline"],
                "peak": state["peak"],
                "growth": state["peak"] - (state["baseline"] or state["peak"]),
                "samples": state["samples"],
                "hadError": hadError,
                "seconds": round(time.monotonic() - started, 2),
            })

        sock.on("connect", pump)
        sock.on("close", report)

    net.run(main)


def readerProgram(port: int, rate: int) -> None:
    """A slow reader: accept one connection on ``port``, read at most ``rate`` bytes/s."""
    listener = socket.create_server(("127.0.0.1", port))
    _say({"port": listener.getsockname()[1]})
    conn, _ = listener.accept()
    listener.close()
    total = 0
    started = time.monotonic()
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        total += len(chunk)
        ahead = total / rate - (time.monotonic() - started)
        if ahead > 0:
            time.sleep(ahead)
    _say({"received": total})


def pausedProgram() -> None:
    """The paused nodenet server: report memory and bytes read on ``report``."""
    from twisted.internet import stdio
    from twisted.protocols.basic import LineReceiver

    import nodenet as net

    state: dict[str, Any] = {"socket": None, "baseline": None}
    server = net.createServer()

    class Commands(LineReceiver):
        delimiter = b"\n"

        def lineReceived(self, line: bytes) -> None:
            sock = state["socket"]
            if line.strip() == b"report":
                now = rss()
                _say({
                    "baseline": state["baseline"],
                    "now": now,
                    "growth": now - state["baseline"],
                    "bytesRead": sock.bytesRead,
                    "readableLength": sock.readableLength,
                    "readableHighWaterMark": sock.readableHighWaterMark,
                })
            elif line.strip() == b"quit":
                if sock is not None:
                    sock.destroy()
                server.close()
                self.transport.loseConnection()

    def onConnection(sock: Any) -> None:
        sock.pause()
        sock.on("error", lambda err: None)
        state["socket"] = sock
        state["baseline"] = rss()
        _say({"accepted": True})

    def main() -> None:
        server.on("connection", onConnection)
        server.listen(0, "127.0.0.1", lambda: _say({"port": server.address()["port"]}))
        stdio.StandardIO(Commands())

    net.run(main)


# -- the scenarios -----------------------------------------------------------------------


def _readLine(process: subprocess.Popen[bytes], timeout: float = 120.0) -> dict[str, Any]:
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(process.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise TimeoutError("no answer from the child process")
    line = process.stdout.readline()
    if not line:
        raise RuntimeError(f"the child process ended: {process.stderr.read().decode() if process.stderr else ''}")
    result: dict[str, Any] = json.loads(line)
    return result


def drainingWriter(total: int, rate: int) -> dict[str, Any]:
    """The figures of the draining-writer scenario; ``problems`` empty on a pass."""
    reader = _spawn("reader", 0, rate)
    writer = None
    problems: list[str] = []
    try:
        port = _readLine(reader)["port"]
        writer = _spawn("writer", port, total)
        result = _readLine(writer, timeout=3600)
        received = _readLine(reader, timeout=60)["received"]
        result["received"] = received
        if received != total or result["sent"] != total:
            problems.append(f"sent {result['sent']}, received {received}, not {total}")
        if result["drains"] == 0:
            problems.append("write() never returned False: the reader was not slow enough")
        if result["growth"] >= LIMIT:
            problems.append(f"RSS grew by {result['growth'] / MIB:.1f} MiB")
    finally:
        for process in (reader, writer):
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                for stream in (process.stdout, process.stderr):
                    if stream is not None:
                        stream.close()
    result["problems"] = problems
    return result


def pausedReader(total: int) -> dict[str, Any]:
    """The figures of the paused-reader scenario; ``problems`` empty on a pass."""
    server = _spawn("paused", stdin=subprocess.PIPE)
    problems: list[str] = []
    result: dict[str, Any] = {}
    peer = None
    try:
        port = _readLine(server)["port"]
        peer = socket.create_connection(("127.0.0.1", port))
        _readLine(server)  # accepted
        # Send until the kernel holds us back: a send() blocked for a whole second.
        peer.settimeout(1.0)
        chunk = b"\x5a" * 65536
        sent = 0
        started = time.monotonic()
        blocked = False
        while sent < total:
            try:
                sent += peer.send(chunk[: min(len(chunk), total - sent)])
            except TimeoutError:
                blocked = True
                break
        assert server.stdin is not None
        server.stdin.write(b"report\n")
        server.stdin.flush()
        result = _readLine(server)
        result.update({"peerSent": sent, "peerBlocked": blocked,
                       "seconds": round(time.monotonic() - started, 2)})
        if not blocked:
            problems.append(f"the peer sent all {sent} bytes: reading never stopped")
        if result["growth"] >= LIMIT:
            problems.append(f"RSS grew by {result['growth'] / MIB:.1f} MiB")
        if result["bytesRead"] > result["readableHighWaterMark"] + 65536:
            problems.append(f"the paused socket read {result['bytesRead']} bytes")
        server.stdin.write(b"quit\n")
        server.stdin.flush()
        server.wait(timeout=30)
    except (OSError, TimeoutError, RuntimeError, subprocess.TimeoutExpired) as e:
        problems.append(f"{type(e).__name__}: {e}")
    finally:
        if peer is not None:
            peer.close()
        if server.poll() is None:
            server.kill()
            server.wait()
        for stream in (server.stdin, server.stdout, server.stderr):
            if stream is not None:
                stream.close()
    result["problems"] = problems
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.soak.memory [MiB [RATE_MiB]]`` (1024 MiB at 256 MiB/s by default)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "writer":
        writerProgram(int(args[1]), int(args[2]))
        return 0
    if args and args[0] == "reader":
        readerProgram(int(args[1]), int(args[2]))
        return 0
    if args and args[0] == "paused":
        pausedProgram()
        return 0
    total = int(float(args[0]) * MIB) if args else 1024 * MIB
    rate = int(float(args[1]) * MIB) if len(args) > 1 else 256 * MIB
    ok = True
    writer = drainingWriter(total, rate)
    ok = verdict(
        "memory[draining writer]",
        f"{total / MIB:.0f} MiB to a reader of {rate / MIB:.0f} MiB/s: RSS grew "
        f"{writer.get('growth', 0) / MIB:.2f} MiB (limit {LIMIT / MIB:.0f}), "
        f"{writer.get('drains')} drains, {writer.get('seconds')} s",
        writer["problems"],
    ) and ok
    paused = pausedReader(200 * MIB)
    ok = verdict(
        "memory[paused reader]",
        f"peer offered 200 MiB: "
        f"it got {paused.get('peerSent', 0) / MIB:.2f} MiB out before blocking, the paused socket "
        f"read {paused.get('bytesRead')} bytes, RSS grew {paused.get('growth', 0) / MIB:.2f} MiB",
        paused["problems"],
    ) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
