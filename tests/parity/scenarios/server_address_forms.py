"""
Reference 1.6, 2.5, 6.3, 6.4: listen() forms, the state right after the
call, in 'listening', after close() and in 'close' (address() forms).
"""

import os
import tempfile
from collections.abc import Callable
from typing import Any

from harness import L, net, port, run, sst, subst

sockPath = subst(
    os.path.join(tempfile.gettempdir(), f"nodenet-parity-addr-{os.getpid()}.sock"), "PATH"
)

Form = Callable[[Any, Callable[..., None]], Any]
forms: list[tuple[str, Form]] = [
    ("listen(0, '127.0.0.1')", lambda s, cb: s.listen(0, "127.0.0.1", cb)),
    ("listen(0, '0.0.0.0')", lambda s, cb: s.listen(0, "0.0.0.0", cb)),
    ("listen(0, '::1')", lambda s, cb: s.listen(0, "::1", cb)),
    ("listen(0, 'localhost')", lambda s, cb: s.listen(0, "localhost", cb)),
    ("listen(0)", lambda s, cb: s.listen(0, cb)),
    ("listen(cb)", lambda s, cb: s.listen(cb)),
    ("listen(null)", lambda s, cb: s.listen(None, cb)),
    ("listen('0')", lambda s, cb: s.listen("0", cb)),
    ("listen({port: 0})", lambda s, cb: s.listen({"port": 0}, cb)),
    (
        "listen({port: 0, host: '127.0.0.1', backlog: 5})",
        lambda s, cb: s.listen({"port": 0, "host": "127.0.0.1", "backlog": 5}, cb),
    ),
    ("listen(path)", lambda s, cb: s.listen(sockPath, cb)),
    ("listen({path})", lambda s, cb: s.listen({"path": sockPath}, cb)),
]


def reg(a: Any) -> None:
    if isinstance(a, dict) and a.get("port"):
        port(a["port"])


def step(i: int) -> None:
    if i == len(forms):
        return
    label, form = forms[i]
    srv = net.createServer()
    L(label, "fresh", sst(srv))

    def onListening(*a: Any) -> None:
        reg(srv.address())
        L(label, "listening", list(a), sst(srv))
        if isinstance(srv.address(), str):
            L(label, "socket file exists", os.path.exists(sockPath))

        def onClose(*b: Any) -> None:
            L(label, "close cb", list(b), sst(srv))
            if isinstance(srv.address(), str):
                L(label, "socket file exists", os.path.exists(sockPath))
            step(i + 1)

        L(label, "close returns self", srv.close(onClose) is srv)
        L(label, "after close", sst(srv))

    ret = form(srv, onListening)
    reg(srv.address())
    L(label, "returns self", ret is srv)
    L(label, "sync", sst(srv))


run(step, 0)
