"""
Reference 3.2: pause() holds data and a pending 'end'; resume() delivers
the data, then 'end', 'finish', 'close'.
"""

import time
from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    fresh = net.Socket()
    L("fresh", fresh.isPaused(), fresh.readableFlowing)
    fresh.destroy()

    peer: list[Any] = []

    def onConnection(c: Any) -> None:
        peer.append(c)
        c.write("a")

    srv = net.createServer(onConnection)

    def onListening() -> None:
        s = net.connect(port(srv.address()["port"]), "127.0.0.1")
        trace(s, "c", ["data", "end", "finish", "close"])

        def onData(*_: Any) -> None:
            L("pause returns self", s.pause() is s)
            L("paused", s.isPaused(), s.readableFlowing)
            peer[0].end("b")
            # wait (at most 1 s) until the 'b' has been read from the kernel
            started = time.monotonic()

            def later() -> None:
                if s.bytesRead < 2 and time.monotonic() - started < 1:
                    net.timers.setTimeout(later, 10)
                    return
                L(
                    "while paused",
                    st(s),
                    {"readableLength": s.readableLength, "isPaused": s.isPaused()},
                )
                L("resume returns self", s.resume() is s)
                L("after resume", s.isPaused(), s.readableFlowing)
                net.timers.nextTick(lambda: L("tick after resume"))
                net.timers.setImmediate(lambda: L("immediate after resume"))

            net.timers.setTimeout(later, 10)

        s.once("data", onData)
        s.on("close", lambda *_: srv.close())

    srv.listen(0, "127.0.0.1", onListening)


run(main)
