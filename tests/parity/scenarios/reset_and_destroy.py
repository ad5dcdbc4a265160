"""
Reference 1.10, 1.16: resetAndDestroy(): 'close'(false) locally; the
peer gets 'error' read ECONNRESET then 'close'(true), no 'end'.
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    def onConnection(c: Any) -> None:
        trace(c, "@peer")

        def fresh(*_: Any) -> None:
            f = net.Socket()
            trace(f, "fresh", ["error", "close"])
            L("fresh returns self", f.resetAndDestroy() is f)
            L("fresh after", st(f))

        c.on("close", lambda *_: srv.close(fresh))
        c.write("hello")

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")

        def onData(*_: Any) -> None:
            trace(s, "c", ["end", "finish", "error", "close"])
            L("returns self", s.resetAndDestroy() is s)
            L("after", st(s))

        s.once("data", onData)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
