"""
Reference 2.1: connect() again on a closed socket re-enters 'opening',
destroyed false, and restarts the byte counters.
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    def onConnection(c: Any) -> None:
        c.on("data", lambda *_: None)
        c.end("hi")

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.Socket()
        trace(s, "c", ["connect", "end", "close"])
        s.connect(p, "127.0.0.1", lambda: s.end("abc"))
        s.resume()

        def closedAgain(*_: Any) -> None:
            L("closed again", s.bytesRead, s.bytesWritten)
            srv.close()

        def onClose(*_: Any) -> None:
            L("closed", st(s), s.bytesRead, s.bytesWritten)
            L("connect again returns self", s.connect(p, "127.0.0.1") is s)
            L("reconnecting", st(s), s.bytesRead, s.bytesWritten)
            s.once("connect", lambda: L("reconnected", s.bytesRead, s.bytesWritten))
            s.once("close", closedAgain)

        s.once("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
