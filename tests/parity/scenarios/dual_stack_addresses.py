"""
Reference 2.4: addresses of both ends: a dual-stack server sees IPv4
clients as ::ffff:a.b.c.d; IPv4 and ::1 servers see plain addresses;
unix sockets and unconnected sockets have none.
"""

import os
import tempfile
from collections.abc import Callable
from typing import Any

from harness import L, net, port, run, subst


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


sockPath = subst(
    os.path.join(tempfile.gettempdir(), f"nodenet-parity-dual-{os.getpid()}.sock"), "PATH"
)

cases: list[tuple[str, Callable[[Any, Any], Any], str | None]] = [
    ("dual", lambda srv, cb: srv.listen(0, cb), "127.0.0.1"),
    ("ipv4", lambda srv, cb: srv.listen(0, "127.0.0.1", cb), "127.0.0.1"),
    ("any4", lambda srv, cb: srv.listen(0, "0.0.0.0", cb), "127.0.0.1"),
    ("ipv6", lambda srv, cb: srv.listen(0, "::1", cb), "::1"),
    ("unix", lambda srv, cb: srv.listen(sockPath, cb), None),
]


def step(i: int) -> None:
    if i == len(cases):
        return
    label, listen, host = cases[i]
    pending = [2]

    def done(*_: Any) -> None:
        pending[0] -= 1
        if pending[0] == 0:
            srv.close(lambda *_: step(i + 1))

    def onConnection(c: Any) -> None:
        L("@" + label + " server side", info(c))
        c.on("close", done)
        c.end()

    srv = net.createServer(onConnection)

    def onListening() -> None:
        if host:
            s = net.connect(port(srv.address()["port"], "PORT-" + label), host)
        else:
            s = net.connect(sockPath)

        def onConnect() -> None:
            if s.localPort:
                port(s.localPort, "CPORT-" + label)
            L("@" + label + " client side", info(s))

        s.on("connect", onConnect)
        s.on("close", done)

    listen(srv, onListening)


def main() -> None:
    fresh = net.Socket()
    L("fresh", info(fresh))
    fresh.destroy()
    step(0)


run(main)
