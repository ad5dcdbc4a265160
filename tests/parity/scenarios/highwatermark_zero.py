"""
A highWaterMark of 0 is a limit, not "the default": the properties say 0,
and a write the kernel takes at once still returns true, with no 'drain'.
"""

from typing import Any

from harness import L, net, run, trace


def main() -> None:
    def onConnection(c: Any) -> None:
        L("server hwm", c.readableHighWaterMark, c.writableHighWaterMark)
        c.on("drain", lambda: L("server drain"))
        got = [0]

        def onData(d: bytes) -> None:
            if got[0] == 0:
                L("server write", c.write("x"), c.writableLength, c.writableNeedDrain)
            got[0] += len(d)

        def onEnd() -> None:
            L("server got", got[0])
            c.end()

        c.on("data", onData)
        c.on("end", onEnd)

    srv = net.createServer({"highWaterMark": 0}, onConnection)

    def onListening() -> None:
        s = net.Socket({"highWaterMark": 0})
        L("client hwm", s.readableHighWaterMark, s.writableHighWaterMark)
        trace(s, "c", ["drain", "end", "finish", "close"])

        def onConnect() -> None:
            L("client write", s.write("hello"), s.writableLength, s.writableNeedDrain)

        def onData(d: bytes) -> None:
            L("client data", len(d))
            s.end()

        s.connect(srv.address()["port"], "127.0.0.1", onConnect)
        s.on("data", onData)
        s.on("close", lambda *_: srv.close())

    srv.listen(0, "127.0.0.1", onListening)


run(main)
