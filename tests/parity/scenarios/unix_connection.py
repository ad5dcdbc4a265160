"""
Reference 6.4, 1.7: a unix-socket connection: no lookup, the usual
event sequence, byte counters, and the server's socket file.
"""

import os
import tempfile
from typing import Any

from harness import L, net, run, subst, trace

sockPath = subst(
    os.path.join(tempfile.gettempdir(), f"nodenet-parity-unix-{os.getpid()}.sock"), "PATH"
)


def main() -> None:
    def onConnection(c: Any) -> None:
        c.on("data", lambda d: L("@srv", "data", d))
        c.on("end", lambda: c.end("pong"))
        c.on("close", lambda *_: L("@srv", "close", c.bytesRead, c.bytesWritten))

    srv = net.createServer(onConnection)

    def onListening() -> None:
        s = net.connect(sockPath)
        trace(s, "c", ["lookup", "connect", "ready", "data", "end", "finish", "close"])
        s.on("connect", lambda: s.end("ping"))

        def onClose(*_: Any) -> None:
            L("counters", s.bytesRead, s.bytesWritten)
            srv.close(lambda *_: L("server closed", srv.address()))

        s.on("close", onClose)

    srv.listen(sockPath, onListening)


run(main)
