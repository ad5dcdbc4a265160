"""
Reference 1.10: destroy(), destroy(err), destroy twice, on connected and
never-connected sockets.
"""

from collections.abc import Callable
from typing import Any

from harness import Error, L, net, port, run, st, trace

Done = Callable[[], None]


def connected(name: str, fn: Callable[[Any], None], done: Done) -> None:
    def onConnection(c: Any) -> None:
        c.on("error", lambda *_: None)
        c.on("close", lambda *_: srv.close())

    srv = net.createServer(onConnection)

    def onListening() -> None:
        port(srv.address()["port"])
        s = net.connect(srv.address()["port"], "127.0.0.1")

        def onConnect() -> None:
            trace(s, name, ["data", "end", "finish", "error", "close"])
            s.on("close", lambda *_: net.timers.setImmediate(done))
            fn(s)
            L(name, "after destroy", st(s), {"bufferSize": s.bufferSize, "errored": s.errored})
            net.timers.setImmediate(lambda: L(name, "immediate"))

        s.on("connect", onConnect)

    srv.listen(0, "127.0.0.1", onListening)


def fresh(name: str, fn: Callable[[Any], None], done: Done) -> None:
    s = net.Socket()
    trace(s, name, ["error", "close"])
    s.on("close", lambda *_: net.timers.setImmediate(done))
    fn(s)
    L(name, "after destroy", st(s), {"bufferSize": s.bufferSize})


e1 = Error("first")
e2 = Error("second")


def twice(s: Any) -> None:
    L("twice", "returns self", s.destroy(e1) is s, s.destroy(e2) is s)


def inError(s: Any) -> None:
    s.on("error", lambda *_: s.destroy())
    s.destroy(e1)


steps: list[Callable[[Done], None]] = [
    lambda done: connected("plain", lambda s: L("plain", "returns self", s.destroy() is s), done),
    lambda done: connected(
        "witherr", lambda s: L("witherr", "returns self", s.destroy(e1) is s), done
    ),
    lambda done: connected("twice", twice, done),
    lambda done: connected("in error", inError, done),
    lambda done: fresh("fresh", lambda s: L("fresh", "returns self", s.destroy() is s), done),
    lambda done: fresh(
        "fresh err", lambda s: L("fresh err", "returns self", s.destroy(e1) is s), done
    ),
]


def step(i: int) -> None:
    if i < len(steps):
        steps[i](lambda: step(i + 1))


run(step, 0)
