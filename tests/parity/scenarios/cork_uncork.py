"""
Reference 3.1: cork() queues writes (write() returns true), uncork()
flushes them synchronously; nested corks need as many uncorks.
"""

from typing import Any

from harness import L, net, port, run


def main() -> None:
    parts: list[bytes] = []

    def onConnection(c: Any) -> None:
        def onEnd() -> None:
            L("@srv", "peer received", b"".join(parts).decode())
            srv.close()

        c.on("data", parts.append)
        c.on("end", onEnd)

    srv = net.createServer(onConnection)

    def onListening() -> None:
        s: Any = None

        def show(label: str, r: Any) -> None:
            L(
                label,
                r,
                {
                    "writableLength": s.writableLength,
                    "writableCorked": s.writableCorked,
                    "bytesWritten": s.bytesWritten,
                },
            )

        def onConnect() -> None:
            show("cork returns", s.cork())
            show("write a", s.write("a"))
            show("write bc", s.write("bc"))
            show("uncork returns", s.uncork())
            show("cork", s.cork())
            show("cork again", s.cork())
            show("write d", s.write("d"))
            show("first uncork", s.uncork())
            show("second uncork", s.uncork())
            show("extra uncork", s.uncork())
            allTrue = True
            for _ in range(100):
                s.cork()
                allTrue = s.write("e") and allTrue
                allTrue = s.write("f") and allTrue
                s.uncork()
            show("100 cycles all true", allTrue)
            s.end()

        s = net.connect(port(srv.address()["port"]), "127.0.0.1", onConnect)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
