"""
Reference 1.8: the peer ends; allowHalfOpen true: the socket stays open
for writing after 'end' until its own end().
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    def onConnection(c: Any) -> None:
        # the peer's data is logged whole at 'end' (how it is split is not compared)
        trace(c, "@srv", ["end", "finish", "error", "close"])
        parts: list[bytes] = []
        c.on("data", parts.append)
        c.on("end", lambda: L("@srv", "received", b"".join(parts)))
        c.end("from-server")

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect({"port": p, "host": "127.0.0.1", "allowHalfOpen": True})
        L("allowHalfOpen", s.allowHalfOpen)
        trace(s, "c")

        def onEnd() -> None:
            L("write in end", s.write("late-1", lambda *a: L("write cb 1", list(a), st(s))))

            def later() -> None:
                L("later", st(s))
                L("write later", s.write("late-2", lambda *a: L("write cb 2", list(a), st(s))))
                L("end returns self", s.end() is s)
                L("after end", st(s))

            net.timers.setTimeout(later, 30)

        s.on("end", onEnd)

        def onClose(*_: Any) -> None:
            L("counters", s.bytesRead, s.bytesWritten)
            srv.close()

        s.on("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
