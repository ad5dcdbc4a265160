"""
Reference 1.15: writes after the peer's FIN with allowHalfOpen false:
inside 'end' a write still succeeds; after our own end() it fails with
EPIPE "ended by the other party" (with 'error'); one tick later, on the
destroyed socket, cb gets the EPIPE error and no 'error' is emitted.
"""

from collections.abc import Callable
from typing import Any

from harness import L, net, port, run, st, trace

Done = Callable[..., None]


def main() -> None:
    def onConnection(c: Any) -> None:
        c.on("error", lambda *_: None)

        def first(d: bytes) -> None:
            tag = "@srv" + d.decode()
            L(tag, "first data", d)
            c.end()
            c.on("data", lambda more: L(tag, "data", more))

        c.once("data", first)

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])

        def inside(done: Done) -> None:
            s = net.connect(p, "127.0.0.1")
            s.write("A")
            trace(s, "inside", ["end", "finish", "error", "close"])
            s.on(
                "end",
                lambda: L(
                    "inside",
                    "write in end",
                    s.write("x", lambda *a: L("inside", "write cb", list(a), st(s))),
                ),
            )
            s.on("close", done)
            s.resume()

        def ended(done: Done) -> None:
            s = net.connect(p, "127.0.0.1")
            s.write("B")
            trace(s, "ended", ["end", "finish", "error", "close"])

            def onEnd() -> None:
                s.end()
                L(
                    "ended",
                    "write after own end",
                    s.write("x", lambda *a: L("ended", "write cb", list(a), st(s))),
                )
                L("ended", "after write", st(s))

            s.on("end", onEnd)
            s.on("close", done)
            s.resume()

        def later(done: Done) -> None:
            s = net.connect(p, "127.0.0.1")
            s.write("C")
            trace(s, "later", ["end", "finish", "error", "close"])

            def afterEnd() -> None:
                L("later", "state", st(s))
                L("later", "write", s.write("x", lambda *a: L("later", "write cb", list(a), st(s))))

            s.on("end", lambda: net.timers.setImmediate(afterEnd))
            s.on("close", lambda *_: net.timers.setTimeout(done, 20))
            s.resume()

        steps = [inside, ended, later]

        def step(i: int) -> None:
            if i < len(steps):
                steps[i](lambda *_: step(i + 1))
            else:
                srv.close()

        step(0)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
