"""
Reference 1.8, 1.9: our own end() first: 'finish' (readOnly), then the
peer's FIN: 'end' (closed), 'close'(false); end() callbacks get null, and
end(cb) after 'finish' gets ERR_STREAM_ALREADY_FINISHED without 'error'.
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer(lambda c: trace(c, "@srv"))

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")
        trace(s, "c")

        def onConnect() -> None:
            L("end returns self", s.end("bye", lambda *a: L("end cb", list(a), st(s))) is s)
            L(
                "after end",
                st(s),
                {"writableEnded": s.writableEnded, "writableFinished": s.writableFinished},
            )

        def onFinish() -> None:
            L(
                "in finish",
                {"writableEnded": s.writableEnded, "writableFinished": s.writableFinished},
            )
            s.end(lambda *a: L("end cb after finish", list(a), st(s)))

        def onClose(*_: Any) -> None:
            L("counters", s.bytesRead, s.bytesWritten)
            srv.close()

        s.on("connect", onConnect)
        s.on("finish", onFinish)
        s.on("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
