"""
Reference 1.19: a refused connection with a queued write(cb1) and
end(cb2): 'error' -> cb1(ERR_SOCKET_CLOSED_BEFORE_CONNECTION) ->
cb2(the ECONNREFUSED error) -> 'close'(true).
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer()

    def onListening() -> None:
        p = port(srv.address()["port"])

        def onClosed(*_: Any) -> None:
            s = net.connect(p, "127.0.0.1")
            trace(s, "c", ["finish", "error", "close"])
            L("write", s.write("queued", lambda *a: L("write cb", list(a), st(s))))
            L("end returns self", s.end(lambda *a: L("end cb", list(a), st(s))) is s)
            L("after end", st(s))

        srv.close(onClosed)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
