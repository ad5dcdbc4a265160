"""
Reference 1.8: data nobody reads holds back 'end' (the socket stays
open); resume() then delivers 'end', 'finish', 'close'.  A bare FIN with
no data is reported even without a consumer.
"""

import time
from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    bare = [False]

    def onConnection(c: Any) -> None:
        c.on("error", lambda *_: None)
        if bare[0]:
            c.end()
        else:
            c.end("unread")

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")
        trace(s, "c", ["end", "finish", "close"])

        # wait until the data has been read from the kernel (at most 1 s), and
        # a little longer for an 'end' that must not come
        started = time.monotonic()

        def later() -> None:
            if s.bytesRead < 6 and time.monotonic() - started < 1:
                net.timers.setTimeout(later, 10)
                return
            net.timers.setTimeout(report, 50)

        def report() -> None:
            L(
                "later",
                st(s),
                {
                    "readableLength": s.readableLength,
                    "readableFlowing": s.readableFlowing,
                    "bytesRead": s.bytesRead,
                },
            )
            s.resume()

        net.timers.setTimeout(later, 10)

        def onClose(*_: Any) -> None:
            bare[0] = True
            t = net.connect(p, "127.0.0.1")
            trace(t, "bare", ["end", "finish", "close"])
            t.on("close", lambda *_: srv.close())

        s.on("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
