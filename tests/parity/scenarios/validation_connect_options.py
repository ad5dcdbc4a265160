"""
Reference 5.2, 5.4: connect() and createServer() argument errors, thrown
synchronously; the accepted ones are destroyed at once.
"""

from collections.abc import Callable
from typing import Any

from harness import L, net, run


def attempt(label: str, fn: Callable[[], Any]) -> None:
    try:
        s = fn()
    except Exception as e:
        L(label, "throws", e)
        return
    if isinstance(s, net.Socket):
        s.on("error", lambda *_: None)
        s.destroy()
        L(label, "ok")
    else:
        L(label, "ok", s)


def main() -> None:
    attempt("connect()", lambda: net.connect())
    attempt("connect({})", lambda: net.connect({}))
    attempt("new Socket().connect()", lambda: net.Socket().connect())
    attempt("new Socket().connect({})", lambda: net.Socket().connect({}))
    attempt(
        "localAddress 'notanip'",
        lambda: net.connect({"port": 80, "host": "127.0.0.1", "localAddress": "notanip"}),
    )
    attempt(
        "localPort 'x'", lambda: net.connect({"port": 80, "host": "127.0.0.1", "localPort": "x"})
    )
    attempt(
        "lookup 'notfn'", lambda: net.connect({"port": 80, "host": "localhost", "lookup": "notfn"})
    )
    attempt("hints 12345", lambda: net.connect({"port": 80, "host": "localhost", "hints": 12345}))
    attempt("path 42", lambda: net.connect({"path": 42}))
    attempt("host 42", lambda: net.connect({"port": 80, "host": 42}))
    attempt(
        "autoSelectFamily 'yes'",
        lambda: net.connect({"port": 80, "host": "127.0.0.1", "autoSelectFamily": "yes"}),
    )
    attempt("timeout -1", lambda: net.connect({"port": 80, "host": "127.0.0.1", "timeout": -1}))
    attempt("new Socket({objectMode: true})", lambda: net.Socket({"objectMode": True}))
    attempt(
        "connect objectMode",
        lambda: net.connect({"port": 80, "host": "127.0.0.1", "objectMode": True}),
    )
    attempt(
        "family 5 with an IP", lambda: net.connect({"port": 1, "host": "127.0.0.1", "family": 5})
    )
    attempt("host ''", lambda: net.connect({"port": 1, "host": ""}))
    attempt("createServer('str')", lambda: isinstance(net.createServer("str"), net.Server))
    attempt("createServer(42)", lambda: isinstance(net.createServer(42), net.Server))
    attempt("createServer(true)", lambda: isinstance(net.createServer(True), net.Server))
    attempt("createServer(null)", lambda: isinstance(net.createServer(None), net.Server))
    attempt("getConnections()", lambda: net.createServer().getConnections())


run(main)
