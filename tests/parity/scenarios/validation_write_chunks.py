"""
Reference 3.4, 3.5, 3.3: write() chunk type errors and unknown
encodings (write, setEncoding, setDefaultEncoding) are thrown
synchronously and leave the socket working.
"""

from collections.abc import Callable
from typing import Any

from harness import L, net, port, run, trace


def main() -> None:
    parts: list[bytes] = []

    def onConnection(c: Any) -> None:
        def onEnd() -> None:
            L("@srv", "peer received", b"".join(parts))
            srv.close()

        c.on("data", parts.append)
        c.on("end", onEnd)

    srv = net.createServer(onConnection)

    def onListening() -> None:
        s: Any = None

        def onConnect() -> None:
            cases: list[tuple[str, Callable[[], Any]]] = [
                ("write(null)", lambda: s.write(None)),
                ("write(123)", lambda: s.write(123)),
                ("write(true)", lambda: s.write(True)),
                ("write({})", lambda: s.write({})),
                ("write([])", lambda: s.write([])),
                ("write('x', 'bogus')", lambda: s.write("x", "bogus")),
                ("end('x', 'bogus')", lambda: s.end("x", "bogus")),
                ("setEncoding('buffer')", lambda: s.setEncoding("buffer")),
                ("setEncoding('bogus')", lambda: s.setEncoding("bogus")),
                ("setDefaultEncoding('bogus')", lambda: s.setDefaultEncoding("bogus")),
                (
                    "setDefaultEncoding('hex') then write('abcd')",
                    lambda: s.setDefaultEncoding("hex") is s and s.write("abcd"),
                ),
            ]
            for label, fn in cases:
                try:
                    L(label, "ok", fn())
                except Exception as e:
                    L(label, "throws", e)
            L("state", s.readyState, s.destroyed)
            s.end(b"ok")

        s = net.connect(port(srv.address()["port"]), "127.0.0.1", onConnect)
        trace(s, "c", ["error", "close"])

    srv.listen(0, "127.0.0.1", onListening)


run(main)
