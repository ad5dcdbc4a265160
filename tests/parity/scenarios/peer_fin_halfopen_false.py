"""
Reference 1.8, 2.1: the peer ends; allowHalfOpen false: 'data' -> 'end'
(writeOnly) -> automatic end() one tick later -> 'finish' -> 'close'(false).
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    def onConnection(c: Any) -> None:
        trace(c, "@srv")
        c.end("from-server")

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")
        trace(s, "c")

        def onEnd() -> None:
            L("in end", {"writableEnded": s.writableEnded, "readableEnded": s.readableEnded})
            net.timers.nextTick(lambda: L("tick after end", st(s), s.writableEnded))

        s.on("end", onEnd)
        s.on("finish", lambda: L("in finish", {"writableFinished": s.writableFinished}))

        def onClose(*_: Any) -> None:
            L("counters", s.bytesRead, s.bytesWritten)
            srv.close()

        s.on("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
