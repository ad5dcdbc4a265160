"""
Reference 3.3: setEncoding() for every encoding, with chunk boundaries
forced: the server sends the next chunk only once the client has read
the previous one (split multi-byte sequences are held back and flushed
at 'end').
"""

from collections.abc import Callable
from typing import Any

from harness import L, net, port, run

chunks = [bytes([0xE2, 0x82]), bytes([0xAC, 0x41, 0xE9, 0xFF]), bytes([0x00, 0x7F, 0x80]), b"hello"]
cases: list[tuple[str, Callable[[Any], Any]]] = [
    ("utf8", lambda s: s.setEncoding("utf8")),
    ("utf-8", lambda s: s.setEncoding("utf-8")),
    ("UTF8", lambda s: s.setEncoding("UTF8")),
    ("no argument", lambda s: s.setEncoding()),
    ("null", lambda s: s.setEncoding(None)),
    ("base64", lambda s: s.setEncoding("base64")),
    ("base64url", lambda s: s.setEncoding("base64url")),
    ("hex", lambda s: s.setEncoding("hex")),
    ("latin1", lambda s: s.setEncoding("latin1")),
    ("binary", lambda s: s.setEncoding("binary")),
    ("ascii", lambda s: s.setEncoding("ascii")),
    ("ucs2", lambda s: s.setEncoding("ucs2")),
    ("utf16le", lambda s: s.setEncoding("utf16le")),
]


def jsType(value: Any) -> str:
    return "string" if isinstance(value, str) else "object"


def main() -> None:
    # client sockets by their local port, so that the server side can see
    # how much its peer has read
    clients: dict[int, Any] = {}

    def onConnection(c: Any) -> None:
        c.setNoDelay(True)
        state = {"i": 0, "sent": 0}

        def step() -> None:
            peer = clients.get(c.remotePort)
            if peer is None or peer.bytesRead < state["sent"]:
                net.timers.setTimeout(step, 5)
            elif state["i"] < len(chunks):
                chunk = chunks[state["i"]]
                state["i"] += 1
                state["sent"] += len(chunk)
                c.write(chunk)
                net.timers.setTimeout(step, 5)
            else:
                c.end()

        step()

    srv = net.createServer(onConnection)
    openCount = [len(cases)]

    def onClose(*_: Any) -> None:
        openCount[0] -= 1
        if openCount[0] == 0:
            srv.close()

    def onListening() -> None:
        p = port(srv.address()["port"])
        for label, setEnc in cases:
            s = net.connect(p, "127.0.0.1")
            ch = "@" + label
            L(ch, "returns self", setEnc(s) is s, s.readableEncoding)
            s.on("connect", lambda s=s: clients.__setitem__(s.localPort, s))
            s.on("data", lambda d, ch=ch: L(ch, "data", jsType(d), d))
            s.on("end", lambda ch=ch: L(ch, "end"))
            s.on("close", onClose)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
