"""Reference 1.11: setTimeout() argument errors, thrown synchronously."""

import math
from collections.abc import Callable
from typing import Any

from harness import L, net, run


def foo() -> None:
    pass


def main() -> None:
    s = net.Socket()
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("'100'", lambda: s.setTimeout("100")),
        ("null", lambda: s.setTimeout(None)),
        ("true", lambda: s.setTimeout(True)),
        ("{}", lambda: s.setTimeout({})),
        ("[]", lambda: s.setTimeout([])),
        ("function foo", lambda: s.setTimeout(foo)),
        ("-1", lambda: s.setTimeout(-1)),
        ("-0.001", lambda: s.setTimeout(-0.001)),
        ("NaN", lambda: s.setTimeout(math.nan)),
        ("Infinity", lambda: s.setTimeout(math.inf)),
        ("-Infinity", lambda: s.setTimeout(-math.inf)),
        ("callback 'x'", lambda: s.setTimeout(10, "x")),
        ("callback 1", lambda: s.setTimeout(10, 1)),
        ("1.5", lambda: s.setTimeout(1.5)),
        ("0.001", lambda: s.setTimeout(0.001)),
        ("1e6", lambda: s.setTimeout(1e6)),
        ("0", lambda: s.setTimeout(0)),
    ]
    for label, fn in cases:
        try:
            L(label, "ok", fn() is s, s.timeout)
        except Exception as e:
            L(label, "throws", e, s.timeout)
    s.destroy()


run(main)
