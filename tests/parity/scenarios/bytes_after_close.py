"""
Reference 2.2, 2.4: bytesRead/bytesWritten keep their values after close;
the remote address stays readable after close only if it was read while
open; local address and address() are gone.
"""

from typing import Any

from harness import L, net, port, run


def info(s: Any) -> dict[str, Any]:
    return {
        "remoteAddress": s.remoteAddress,
        "remotePort": s.remotePort,
        "remoteFamily": s.remoteFamily,
        "localAddress": s.localAddress,
        "localPort": s.localPort,
        "localFamily": s.localFamily,
        "address": s.address(),
    }


def main() -> None:
    def onConnection(c: Any) -> None:
        c.on("data", lambda *_: None)
        c.on("end", lambda: c.end("xy"))
        c.on("close", lambda *_: L("@srv", "server side", c.bytesRead, c.bytesWritten))

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        a: Any = None

        def aConnect() -> None:
            port(a.localPort, "APORT")
            L("a open", info(a))
            a.end("foobar")
            a.resume()

        a = net.connect(p, "127.0.0.1", aConnect)

        def aClose(*_: Any) -> None:
            L("a closed", a.bytesRead, a.bytesWritten, info(a))
            b: Any = None
            b = net.connect(p, "127.0.0.1", lambda: b.end("z"))
            b.resume()

            def bClose(*_: Any) -> None:
                L("b closed, remote never read", b.bytesRead, b.bytesWritten, info(b))
                srv.close()

            b.on("close", bClose)

        a.on("close", aClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
