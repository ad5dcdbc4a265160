"""
Reference 1.14: write() after our own end(): returns false, destroys at
once; cb(err) -> 'error' -> 'close'(true), ERR_STREAM_WRITE_AFTER_END.
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    def onConnection(c: Any) -> None:
        c.on("error", lambda *_: None)
        c.resume()

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")
        trace(s, "c", ["end", "finish", "error", "close"])

        def onConnect() -> None:
            s.end()
            L("write after end", s.write("more", lambda *a: L("write cb", list(a), st(s))))
            L("after write", st(s))
            L("second write", s.write("again", lambda *a: L("write cb 2", list(a))))

        def onClose(*_: Any) -> None:
            t = net.connect(p, "127.0.0.1")
            trace(t, "d", ["end", "finish", "error", "close"])

            def tConnect() -> None:
                t.end()
                L(
                    "end(data) after end returns self",
                    t.end("more", lambda *a: L("end cb", list(a))) is t,
                )
                L("after end(data)", st(t))

            t.on("connect", tConnect)
            t.on("close", lambda *_: srv.close())

        s.on("connect", onConnect)
        s.on("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
