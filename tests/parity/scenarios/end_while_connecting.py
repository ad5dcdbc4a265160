"""
Reference 1.9, 2.1: end(data) while connecting: readyState stays
'opening' (writable false); after 'connect' the data and FIN go out.
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer(lambda c: trace(c, "@srv"))

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")
        trace(s, "c")
        L("end returns self", s.end("early", lambda *a: L("end cb", list(a))) is s)
        L(
            "after end",
            st(s),
            {
                "bufferSize": s.bufferSize,
                "bytesWritten": s.bytesWritten,
                "writableEnded": s.writableEnded,
            },
        )

        def onClose(*_: Any) -> None:
            L("counters", s.bytesRead, s.bytesWritten)
            srv.close()

        s.on("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
