"""
Reference 5.1: port validation in connect() and listen(), thrown
synchronously (accepted connects are destroyed at once; accepted listens
use only port 0 and are closed at once).
"""

import math
from collections.abc import Callable
from typing import Any

from harness import L, net, run


def connectOpts(v: Any) -> str:
    s = net.connect({"port": v, "host": "127.0.0.1"})
    s.on("error", lambda *_: None)
    s.destroy()
    return "accepted"


def connectPos(v: Any) -> str:
    s = net.connect(v, "127.0.0.1")
    s.on("error", lambda *_: None)
    s.destroy()
    return "accepted"


def listenOpts(v: Any) -> str:
    srv = net.createServer()
    srv.listen({"port": v, "host": "127.0.0.1"})
    srv.close()
    return "accepted"


def listenPos(v: Any) -> str:
    srv = net.createServer()
    srv.listen(v)
    srv.close()
    return "accepted"


forms: dict[str, Callable[[Any], str]] = {
    "connectOpts": connectOpts,
    "connectPos": connectPos,
    "listenOpts": listenOpts,
    "listenPos": listenPos,
}
ALL = ["connectOpts", "connectPos", "listenOpts", "listenPos"]
cases: list[tuple[str, Any, list[str]]] = [
    ("-1", -1, ALL),
    ("65536", 65536, ALL),
    ("NaN", math.nan, ALL),
    ("Infinity", math.inf, ALL),
    ("-Infinity", -math.inf, ALL),
    ("1.5", 1.5, ALL),
    ("2**32", 2**32, ALL),
    ("''", "", ALL),
    ("' '", " ", ALL),
    ("'abc'", "abc", ["connectOpts", "listenOpts"]),
    ("'0x'", "0x", ["connectOpts", "listenOpts"]),
    ("'-0x1'", "-0x1", ["connectOpts", "listenOpts"]),
    ("'1e3'", "1e3", ["connectOpts", "connectPos"]),
    ("'0x10'", "0x10", ["connectOpts", "connectPos"]),
    ("' 80 '", " 80 ", ["connectOpts", "connectPos"]),
    ("'80.0'", "80.0", ["connectOpts", "connectPos"]),
    ("0", 0, ALL),
    ("-0", -0.0, ALL),
    ("'0'", "0", ALL),
    ("65535", 65535, ["connectOpts", "connectPos"]),
    ("'65535'", "65535", ["connectOpts", "connectPos"]),
    ("true", True, ALL),
    ("false", False, ALL),
    ("null", None, ALL),
    ("[]", [], ALL),
    ("{}", {}, ["connectOpts", "listenOpts"]),
]


def main() -> None:
    for label, v, which in cases:
        for f in which:
            try:
                L(label, f, "ok", forms[f](v))
            except Exception as e:
                L(label, f, "throws", e)
    # connect() that throws leaves the socket connecting (Node creates the
    # handle first); destroy() then closes it.
    s = net.Socket()
    s.on("close", lambda *a: L("thrown-connect socket close", list(a)))
    try:
        s.connect({"port": -1, "host": "127.0.0.1"})
    except Exception as e:
        L("socket.connect throws", getattr(e, "code", None))
    L("after throw", s.readyState, s.connecting)
    s.destroy()


run(main)
