"""
Reference 1.17, 1.6, 6.4: listen errors are async 'error' events, no
'close'; the first listen callback stays registered after the error.
"""

import os
import tempfile
from collections.abc import Callable
from typing import Any

from harness import L, net, port, run, sst, subst, traceServer

stale = subst(
    os.path.join(tempfile.gettempdir(), f"nodenet-parity-stale-{os.getpid()}.sock"), "PATH"
)
Done = Callable[..., None]


def tcpHost(done: Done) -> None:
    a = net.createServer()

    def onListening() -> None:
        p = port(a.address()["port"])
        b = net.createServer()
        traceServer(b, "b")
        b.listen(p, "127.0.0.1", lambda *x: L("b listen cb 1", list(x)))
        L("b sync", sst(b))

        def onError(*_: Any) -> None:
            L("b after error", sst(b))

            def second(*x: Any) -> None:
                port(b.address()["port"], "PORT2")
                L("b listen cb 2", list(x))
                b.close(lambda *_: a.close(done))

            b.listen(0, "127.0.0.1", second)

        b.once("error", onError)

    a.listen(0, "127.0.0.1", onListening)


def tcpAny(done: Done) -> None:
    a = net.createServer()

    def onListening() -> None:
        p = port(a.address()["port"])
        b = net.createServer()
        traceServer(b, "any")
        b.listen(p)
        L("any sync", sst(b))
        b.on("error", lambda *_: net.timers.setImmediate(lambda: a.close(done)))

    a.listen(0, onListening)


def unixStale(done: Done) -> None:
    with open(stale, "w") as f:
        f.write("x")
    b = net.createServer()
    traceServer(b, "unix")
    b.listen(stale)
    L("unix sync", sst(b))

    def later() -> None:
        L("stale file still there", os.path.exists(stale))
        os.unlink(stale)
        done()

    b.on("error", lambda *_: net.timers.setImmediate(later))


def main() -> None:
    tcpHost(lambda *_: tcpAny(lambda *_: unixStale(lambda *_: L("done"))))


run(main)
