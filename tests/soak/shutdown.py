"""
Clean shutdown: a ``net.run()`` program ends when its last referenced
handle is gone, and within :data:`LIMIT` seconds of it.

Each program (``python -m tests.soak.shutdown program NAME``) notes the
moment its last handle goes away and prints how long ``net.run()`` took to
return after that:

- ``server``: a client and a server exchange a message and close; the
  server is closed in the client's ``'close'``; the last handle is the
  server (its ``'close'``).
- ``socket``: the server is ``unref()``-ed; the last handle is the client
  socket (its ``'close'``).
- ``timer``: a 50 ms ``setTimeout`` is the last handle (its callback).
- ``unref``: a listening server and a 10 s timer, both ``unref()``-ed; the
  last handle is ``main`` itself (its return).
- ``many``: 200 connections opened and closed at once; the last handle is
  the server, closed once every socket emitted ``'close'``.

``python -m tests.soak.shutdown [ROUNDS]`` runs every program ``ROUNDS``
times (20 by default) and reports the worst delay.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ._common import verdict

__all__ = ["LIMIT", "PROGRAMS", "measure", "main"]

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 0.1
PROGRAMS = ("server", "socket", "timer", "unref", "many")


def program(name: str) -> None:
    """Run the program ``name`` under ``net.run()`` and print the delay."""
    import nodenet as net

    gone: list[float] = []

    def mark(*_: Any) -> None:
        gone.append(time.monotonic())

    def echoPair(server: Any, count: int, onAllClosed: Any) -> None:
        closed = [0]

        def onClose(*_: Any) -> None:
            closed[0] += 1
            if closed[0] == count:
                onAllClosed()

        def listening() -> None:
            for _ in range(count):
                client = net.connect(server.address()["port"], "127.0.0.1")
                client.on("connect", lambda client=client: client.end(b"hello"))
                client.resume()
                client.on("close", onClose)

        server.on("connection", lambda sock: sock.on("data", sock.write))
        server.listen(0, "127.0.0.1", listening)

    def main() -> None:
        if name in ("server", "many"):
            server = net.createServer()
            server.on("close", mark)
            echoPair(server, 1 if name == "server" else 200, lambda: server.close())
        elif name == "socket":
            server = net.createServer()
            server.unref()

            def allClosed() -> None:
                mark()

            echoPair(server, 1, allClosed)
        elif name == "timer":
            net.timers.setTimeout(mark, 50)
        elif name == "unref":
            server = net.createServer()
            server.listen(0, "127.0.0.1")
            server.unref()
            net.timers.setTimeout(lambda: None, 10000).unref()
            mark()
        else:
            raise ValueError(name)

    net.run(main)
    returned = time.monotonic()
    print(json.dumps({"program": name, "delay": returned - gone[-1] if gone else None}), flush=True)


def measure(name: str) -> dict[str, Any]:
    """Run program ``name`` in a fresh process; its delay and exit status."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "tests.soak.shutdown", "program", name],
        capture_output=True, text=True, timeout=60, env=env, cwd=str(ROOT),
    )
    result: dict[str, Any] = {"program": name, "exitCode": done.returncode,
                              "wall": round(time.monotonic() - started, 3), "stderr": done.stderr[-2000:]}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            result.update(json.loads(line))
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.soak.shutdown [ROUNDS]``; ``program NAME`` runs one program."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "program":
        program(args[1])
        return 0
    rounds = int(args[0]) if args else 20
    ok = True
    for name in PROGRAMS:
        delays = []
        problems = []
        for _ in range(rounds):
            result = measure(name)
            if result["exitCode"] != 0 or result.get("delay") is None:
                problems.append(f"exit {result['exitCode']}: {result['stderr']}")
                continue
            delays.append(result["delay"])
        worst = max(delays) if delays else None
        if worst is None or worst >= LIMIT:
            problems.append(f"worst delay {worst}")
        ok = verdict(
            f"shutdown[{name}]",
            f"net.run() returned {1000 * worst:.1f} ms (worst of {rounds}) after the last handle went"
            if worst is not None else "",
            problems,
            most=3,
        ) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
