"""
Reference 3.2, 2.2: pauseOnConnect: the accepted socket is paused and
reads nothing (bytesRead 0) until resume().
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    def onConnection(c: Any) -> None:
        L(
            "accepted",
            st(c),
            {
                "isPaused": c.isPaused(),
                "readableFlowing": c.readableFlowing,
                "bytesRead": c.bytesRead,
            },
        )
        trace(c, "s")

        def later() -> None:
            L(
                "later",
                {
                    "bytesRead": c.bytesRead,
                    "readableLength": c.readableLength,
                    "isPaused": c.isPaused(),
                },
            )
            c.resume()
            L("resumed", c.isPaused(), c.readableFlowing)

        net.timers.setTimeout(later, 100)
        c.on("close", lambda *_: L("counters", c.bytesRead, c.bytesWritten))

    srv = net.createServer({"pauseOnConnect": True}, onConnection)
    L("pauseOnConnect", srv.pauseOnConnect)

    def onListening() -> None:
        s = net.connect(port(srv.address()["port"]), "127.0.0.1")
        s.end("hello")
        s.resume()
        s.on("close", lambda *_: srv.close())

    srv.listen(0, "127.0.0.1", onListening)


run(main)
