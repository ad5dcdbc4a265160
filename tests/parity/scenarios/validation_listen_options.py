"""Reference 5.3, 5.1: listen() argument errors, thrown synchronously."""

from collections.abc import Callable
from typing import Any

from harness import L, net, run


def attempt(label: str, fn: Callable[[Any], Any]) -> None:
    srv = net.createServer()
    try:
        L(label, "ok", fn(srv) is srv)
        srv.close()
    except Exception as e:
        L(label, "throws", e, srv.listening)


def main() -> None:
    attempt("listen({})", lambda s: s.listen({}))
    attempt("listen({host: 'localhost'})", lambda s: s.listen({"host": "localhost"}))
    attempt("listen({exclusive: true})", lambda s: s.listen({"exclusive": True}))
    attempt("listen({fd: -1})", lambda s: s.listen({"fd": -1}))
    attempt("listen({port: true})", lambda s: s.listen({"port": True}))
    attempt("listen(true)", lambda s: s.listen(True))
    attempt("listen(false)", lambda s: s.listen(False))
    attempt("listen({path: -1})", lambda s: s.listen({"path": -1}))
    attempt("listen({host: {port: 3000}})", lambda s: s.listen({"host": {"port": 3000}}))
    attempt(
        "abstract path with readableAll",
        lambda s: s.listen({"path": "\0abs", "readableAll": True}),
    )
    attempt("listen(4294967295, '0.0.0.0')", lambda s: s.listen(4294967295, "0.0.0.0"))
    attempt(
        "listen({port: -1, path})",
        lambda s: s.listen({"port": -1, "path": "/tmp/nodenet-parity-never.sock"}),
    )
    attempt("listen(0, 511)", lambda s: s.listen(0, 511))
    attempt("listen(0, '127.0.0.1', 5)", lambda s: s.listen(0, "127.0.0.1", 5))


run(main)
