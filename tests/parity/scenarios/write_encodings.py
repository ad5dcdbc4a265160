"""
Reference 3.4, 3.1: the bytes write(string, encoding) sends (as received
by the peer), write()'s return value, callback and bytesWritten.
"""

from collections.abc import Callable
from typing import Any

from harness import L, net, port, run

cases: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("utf8", lambda s, cb: s.write("€é", "utf8", cb)),
    ("utf-8", lambda s, cb: s.write("€é", "utf-8", cb)),
    ("UTF-8", lambda s, cb: s.write("€é", "UTF-8", cb)),
    ("omitted", lambda s, cb: s.write("€é", cb)),
    ("null", lambda s, cb: s.write("€é", None, cb)),
    ("empty name", lambda s, cb: s.write("€é", "", cb)),
    ("latin1", lambda s, cb: s.write("€é", "latin1", cb)),
    ("binary", lambda s, cb: s.write("€é", "binary", cb)),
    ("ascii", lambda s, cb: s.write("€é", "ascii", cb)),
    ("ucs2", lambda s, cb: s.write("€é", "ucs2", cb)),
    ("utf16le", lambda s, cb: s.write("€é", "utf16le", cb)),
    ("base64", lambda s, cb: s.write("4oKs", "base64", cb)),
    ("base64url", lambda s, cb: s.write("4oKs_-", "base64url", cb)),
    ("hex", lambda s, cb: s.write("e282ac", "hex", cb)),
    ("hex odd", lambda s, cb: s.write("e28", "hex", cb)),
    ("hex invalid", lambda s, cb: s.write("zz", "hex", cb)),
    ("empty string", lambda s, cb: s.write("", cb)),
    ("Buffer", lambda s, cb: s.write(bytes([1, 2, 255]), cb)),
    ("Uint8Array", lambda s, cb: s.write(bytearray([7, 8]), cb)),
    ("empty Buffer", lambda s, cb: s.write(b"", cb)),
]


def main() -> None:
    received: list[Callable[[bytes], None]] = []

    def onConnection(c: Any) -> None:
        parts: list[bytes] = []
        c.on("data", parts.append)
        c.on("end", lambda: received.pop(0)(b"".join(parts)))

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])

        def step(i: int) -> None:
            if i == len(cases):
                srv.close()
                return
            label, write = cases[i]
            s: Any = None

            def onConnect() -> None:
                r = write(s, lambda *a: L(label, "cb", list(a)))
                L(label, "returns", r, "bytesWritten", s.bytesWritten)
                s.end()

            s = net.connect(p, "127.0.0.1", onConnect)

            def got(data: bytes) -> None:
                L(label, "peer received", data)
                s.on("close", lambda *_: step(i + 1))

            received.append(got)

        step(0)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
