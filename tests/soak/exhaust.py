"""
File descriptors exhausted: a nodenet server under a low ``ulimit -n``.

:func:`child` is the server program, run in its own process
(``python -m tests.soak.exhaust child LIMIT REACTOR``): it lowers its soft
``RLIMIT_NOFILE`` to ``LIMIT``, listens on 127.0.0.1 with ``net.run()``,
holds every connection it accepts, and prints JSON lines on stdout:

- ``{"port": n}`` once listening;
- ``{"log": text}`` for every log event about accepting (Twisted logs
  ``EMFILE`` and what it does about it);
- ``{"exhausted": {...}}`` half a second after the first ``EMFILE``: the
  process's CPU time over that half second, whether the server still
  listens, and how many connections it holds;
- ``{"released": n}`` after the ``release`` command closed every held
  connection, and ``{"echo": ...}`` lines as new connections are served.

It reads commands on stdin: ``release`` (destroy the held connections) and
``quit`` (close the server; the program then ends by itself).

:func:`exhaust` is the other side, used by the CI test and by the soak run:
it starts the child, opens connections until the child runs out of
descriptors, keeps connecting while it is exhausted, frees the descriptors
and checks that the server serves again.  Node does the same as nodenet
here (measured with node v20 under ``ulimit -n 64``): its server emits no
``'error'``, accepts and closes the connections it cannot keep, and serves
again once descriptors are free.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ._common import verdict

__all__ = ["child", "exhaust", "installReactor", "reactorName", "main"]

ROOT = Path(__file__).resolve().parents[2]
#: CPU seconds the server may use over the half second it is exhausted.
BUSY_LIMIT = 0.1


def reactorName() -> str:
    """The name (for ``--reactor``) of the reactor installed in this process."""
    from twisted.internet import reactor

    name = type(reactor).__name__
    return {
        "EPollReactor": "epoll",
        "PollReactor": "poll",
        "SelectReactor": "select",
        "AsyncioSelectorReactor": "asyncio",
    }.get(name, "default")


def installReactor(name: str) -> None:
    """Install the reactor ``name`` (as ``trial --reactor`` names them)."""
    if name == "epoll":
        from twisted.internet import epollreactor

        epollreactor.install()
    elif name == "poll":
        from twisted.internet import pollreactor

        pollreactor.install()
    elif name == "select":
        from twisted.internet import selectreactor

        selectreactor.install()
    elif name == "asyncio":
        import asyncio

        from twisted.internet import asyncioreactor

        asyncioreactor.install(asyncio.new_event_loop())


def child(limit: int, reactorChoice: str = "default") -> None:
    """The server program (see the module docstring)."""
    import resource

    installReactor(reactorChoice)
    from twisted.internet import reactor, stdio
    from twisted.logger import globalLogBeginner
    from twisted.protocols.basic import LineReceiver

    import nodenet as net

    def say(item: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(item) + "\n")
        sys.stdout.flush()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(limit, hard), hard))
    held: list[Any] = []
    state: dict[str, Any] = {"measuring": False}

    def measure() -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu = usage.ru_utime + usage.ru_stime - state["cpu"]
        say({"exhausted": {
            "cpu": round(cpu, 4),
            "wall": round(time.monotonic() - state["wall"], 4),
            "listening": server.listening,
            "held": len(held),
        }})

    def observer(event: dict[str, Any]) -> None:
        text = str(event.get("log_format") or "")
        if "EMFILE" in text or "accept" in text.lower():
            say({"log": text.format(**{k: v for k, v in event.items() if isinstance(k, str)})
                 if "{" in text else text})
            if "EMFILE" in text and not state["measuring"]:
                state["measuring"] = True
                usage = resource.getrusage(resource.RUSAGE_SELF)
                state["cpu"] = usage.ru_utime + usage.ru_stime
                state["wall"] = time.monotonic()
                reactor.callLater(0.5, measure)

    # Only this observer: nothing that could itself need a descriptor.
    globalLogBeginner.beginLoggingTo([observer], discardBuffer=True, redirectStandardIO=False)

    class Commands(LineReceiver):
        delimiter = b"\n"

        def lineReceived(self, line: bytes) -> None:
            command = line.decode().strip()
            if command == "release":
                state["released"] = True
                count = len(held)
                for sock in held:
                    sock.destroy()
                held.clear()
                say({"released": count})
            elif command == "quit":
                server.close()
                self.transport.loseConnection()

    def onConnection(sock: Any) -> None:
        if state.get("released"):
            sock.on("data", lambda data: (say({"echo": data.decode()}), sock.end(data)))
        else:
            held.append(sock)
            sock.on("error", lambda err: None)

    server = net.createServer(onConnection)

    def main() -> None:
        def listening() -> None:
            say({"port": server.address()["port"]})

        server.listen(0, "127.0.0.1", listening)
        stdio.StandardIO(Commands())

    net.run(main)


class _Child:
    """The child process and its JSON lines."""

    def __init__(self, limit: int, reactorChoice: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "src"), str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.soak.exhaust", "child", str(limit), reactorChoice],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            cwd=str(ROOT),
        )
        self.buffer = b""
        self.lines: list[dict[str, Any]] = []

    def waitFor(self, key: str, timeout: float = 10.0) -> dict[str, Any]:
        """The first line with ``key`` (reading on until it comes), or an error."""
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if key in line:
                return line
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not sel.select(max(0.0, deadline - time.monotonic())):
                    break
                chunk = os.read(self.process.stdout.fileno(), 65536)
                if not chunk:
                    break
                self.buffer += chunk
                while b"\n" in self.buffer:
                    raw, self.buffer = self.buffer.split(b"\n", 1)
                    line = json.loads(raw)
                    self.lines.append(line)
                    if key in line:
                        return line
        raise TimeoutError(f"no {key!r} from the server; it said {self.lines}")

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()

    def finish(self, timeout: float = 10.0) -> tuple[int, str]:
        """Ask the program to end; its exit status and stderr."""
        try:
            self.send("quit")
        except BrokenPipeError:
            pass
        try:
            _, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return self.process.returncode, err.decode(errors="replace")


def exhaust(limit: int = 48, extra: int = 40, reactorChoice: str = "default") -> dict[str, Any]:
    """
    Run the scenario against a child limited to ``limit`` descriptors,
    opening ``limit + extra`` connections.  Returns the figures and every
    problem found (an empty ``problems`` list is a pass).
    """
    problems: list[str] = []
    started = time.monotonic()
    server = _Child(limit, reactorChoice)
    clients: list[socket.socket] = []
    figures: dict[str, Any] = {"limit": limit, "reactor": reactorChoice}
    try:
        port = server.waitFor("port")["port"]
        for _ in range(limit + extra):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        exhausted = server.waitFor("exhausted")["exhausted"]
        figures.update(exhausted)
        # What became of the connections: held ones stay open, the ones
        # accepted only to be closed see an end of file.
        closedByServer = 0
        for sock in clients:
            sock.settimeout(0)
            try:
                if sock.recv(1) == b"":
                    closedByServer += 1
            except BlockingIOError:
                pass
        figures["closedWhileExhausted"] = closedByServer
        logs = [line["log"] for line in server.lines if "log" in line]
        figures["log"] = logs[:3]
        if not any("EMFILE" in text for text in logs):
            problems.append(f"nothing was logged about EMFILE: {logs}")
        if not exhausted["listening"]:
            problems.append("the server stopped listening")
        if exhausted["cpu"] > BUSY_LIMIT:
            problems.append(
                f"busy while exhausted: {exhausted['cpu']} s CPU in {exhausted['wall']} s"
            )
        if closedByServer == 0:
            problems.append("no connection was refused while exhausted")
        for sock in clients:
            sock.close()
        clients.clear()
        server.send("release")
        server.waitFor("released")
        again = socket.create_connection(("127.0.0.1", port), timeout=5)
        clients.append(again)
        again.sendall(b"ping")
        again.shutdown(socket.SHUT_WR)
        received = b""
        while True:
            chunk = again.recv(100)
            if not chunk:
                break
            received += chunk
        figures["servedAgain"] = received == b"ping"
        if received != b"ping":
            problems.append(f"not served again after release: got {received!r}")
    except (OSError, TimeoutError, AssertionError) as e:
        problems.append(f"{type(e).__name__}: {e}")
    finally:
        for sock in clients:
            sock.close()
        code, err = server.finish()
        figures["exitCode"] = code
        if code != 0:
            problems.append(f"the server exited with {code}: {err[-2000:]}")
    figures["seconds"] = round(time.monotonic() - started, 2)
    figures["problems"] = problems
    return figures


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.soak.exhaust [LIMIT [EXTRA]]``; ``child LIMIT REACTOR`` runs the server."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "child":
        child(int(args[1]), args[2] if len(args) > 2 else "default")
        return 0
    limit = int(args[0]) if args else 64
    extra = int(args[1]) if len(args) > 1 else 500
    ok = True
    for choice in ("epoll", "poll", "select", "asyncio"):
        result = exhaust(limit, extra, choice)
        ok = verdict(
            f"exhaust[{choice}]",
            f"ulimit -n {limit}, {limit + extra} connections: "
            f"{result.get('cpu')} s CPU over {result.get('wall')} s exhausted, "
            f"{result.get('closedWhileExhausted')} closed while exhausted, "
            f"listening={result.get('listening')}, served again={result.get('servedAgain')} "
            f"({result['seconds']} s)",
            result["problems"],
        ) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
