"""
Reference 1.19, 2.3, 3.1: writes while connecting are queued and counted
(bufferSize, writableLength, bytesWritten); reaching the high-water mark
returns false; everything is flushed at 'connect'.
"""

from typing import Any

from harness import L, net, port, run


def main() -> None:
    total = [0]

    def onConnection(c: Any) -> None:
        def onData(d: bytes) -> None:
            total[0] += len(d)

        def onEnd() -> None:
            L("@srv", "peer received", total[0])
            srv.close()

        c.on("data", onData)
        c.on("end", onEnd)

    srv = net.createServer(onConnection)

    def onListening() -> None:
        s = net.connect(port(srv.address()["port"]), "127.0.0.1")

        def show(label: str, r: Any) -> None:
            L(
                label,
                r,
                {
                    "bufferSize": s.bufferSize,
                    "writableLength": s.writableLength,
                    "bytesWritten": s.bytesWritten,
                    "writableNeedDrain": s.writableNeedDrain,
                },
            )

        show("before writes", None)
        show("write abc", s.write("abc", lambda *a: L("@cb", "cb 1", list(a))))
        show("write 16381", s.write(b"a" * 16381, lambda *a: L("@cb", "cb 2", list(a))))
        show("write x", s.write("x", lambda *a: L("@cb", "cb 3", list(a))))
        s.on("drain", lambda: L("@drain", "drain", s.writableLength))

        def onConnect() -> None:
            L("connect")

            def later() -> None:
                show("after connect", None)
                s.end()

            net.timers.setImmediate(later)

        s.on("connect", onConnect)
        s.on("close", lambda *_: L("close", s.bytesWritten))

    srv.listen(0, "127.0.0.1", onListening)


run(main)
