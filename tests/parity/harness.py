"""
The Python half of the parity harness (``h.js`` is the JavaScript half).

Every scenario under ``scenarios/NAME.py`` imports this module (the test
runner puts this directory and ``src`` on ``PYTHONPATH``), runs its program
with :func:`run` (``net.run()`` underneath, so the program ends by nodenet's
process-exit rule) and prints its trace, one JSON array per line, on stdout,
in exactly the shapes ``h.js`` prints:

* ``None`` is JSON ``null`` (Node's ``null`` and ``undefined`` alike);
* ``bytes``-like values are ``{"buf": "<hex>"}``;
* exceptions are :func:`errInfo` objects;
* sockets and servers are ``"<Socket>"`` / ``"<Server>"``;
* whole floats are printed as integers and non-finite ones as strings, as
  ``JSON.stringify`` would;
* ``["#port", n, label]`` registers an ephemeral port (``["#str", s,
  label]`` a string such as a temporary path), ``"@channel"`` lines
  are unordered channels, and the last line is ``["exit"]``, printed once
  ``net.run()`` has returned.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

import nodenet as net
from nodenet.errors import UNSET

__all__ = [
    "Error",
    "SERVER_EVENTS",
    "SOCKET_EVENTS",
    "L",
    "errInfo",
    "fmt",
    "net",
    "port",
    "run",
    "sst",
    "st",
    "subst",
    "trace",
    "traceServer",
    "tryLog",
    "watchdog",
]

_ERROR_KEYS = ("errno", "syscall", "address", "port", "hostname", "localAddress", "localPort")


class Error(Exception):
    """JavaScript's plain ``Error``: named ``'Error'``, with a message and no code."""

    name = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = None


def st(s: Any) -> dict[str, Any]:
    """A socket's state: readyState, pending, connecting, destroyed, readable, writable."""
    return {
        "rs": s.readyState,
        "pending": s.pending,
        "connecting": s.connecting,
        "destroyed": s.destroyed,
        "readable": s.readable,
        "writable": s.writable,
    }


def errInfo(e: BaseException | None) -> dict[str, Any] | None:
    """An error's Node fields; the optional ones only where they are set."""
    if e is None:
        return None
    info: dict[str, Any] = {
        "name": getattr(e, "name", type(e).__name__),
        "message": getattr(e, "message", str(e)),
        "code": getattr(e, "code", None),
    }
    for key in _ERROR_KEYS:
        value = getattr(e, key, None)
        if value is not None:
            info[key] = fmt(value)
    errors = getattr(e, "errors", None)
    if isinstance(errors, list):
        info["errors"] = [errInfo(x) for x in errors]
    return info


def fmt(x: Any) -> Any:
    """A value in the JSON shape ``h.js`` gives the same JavaScript value."""
    if x is None or x is UNSET:
        return None
    if isinstance(x, bool):
        return x
    if isinstance(x, int):
        return x
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return int(x) if x == int(x) else x
    if isinstance(x, str):
        return x
    if isinstance(x, (bytes, bytearray, memoryview)):
        return {"buf": bytes(x).hex()}
    if isinstance(x, BaseException):
        return errInfo(x)
    if isinstance(x, net.Socket):
        return "<Socket>"
    if isinstance(x, net.Server):
        return "<Server>"
    if isinstance(x, (list, tuple)):
        return [fmt(v) for v in x]
    if isinstance(x, dict):
        return {str(k): fmt(v) for k, v in x.items()}
    if callable(x):
        return "<function>"
    return repr(x)


def L(*args: Any) -> None:
    """Print one trace line."""
    sys.stdout.write(json.dumps([fmt(a) for a in args]) + "\n")
    sys.stdout.flush()


def port(n: int, label: str = "PORT") -> int:
    """Register ``n`` as an ephemeral port, shown as ``label`` in the compared trace."""
    L("#port", n, label)
    return n


def subst(text: str, label: str) -> str:
    """Register a string (a temporary path), shown as ``label`` in the compared trace."""
    L("#str", text, label)
    return text


SOCKET_EVENTS = (
    "lookup",
    "connectionAttempt",
    "connectionAttemptFailed",
    "connectionAttemptTimeout",
    "connect",
    "ready",
    "data",
    "end",
    "finish",
    "drain",
    "timeout",
    "error",
    "close",
)

SERVER_EVENTS = ("listening", "connection", "drop", "error", "close")


def trace(
    s: Any, name: str, events: Sequence[str] = SOCKET_EVENTS, log: Callable[..., None] = L
) -> Any:
    """Log every listed event of socket ``s`` as ``[name, event, args, st(s)]``."""
    for ev in events:

        def listener(*a: Any, ev: str = ev) -> None:
            log(name, ev, list(a), st(s))

        s.on(ev, listener)
    return s


def sst(srv: Any) -> dict[str, Any]:
    """A server's state: listening and address()."""
    return {"listening": srv.listening, "address": srv.address()}


def traceServer(
    srv: Any, name: str, events: Sequence[str] = SERVER_EVENTS, log: Callable[..., None] = L
) -> Any:
    """Log every listed event of server ``srv`` as ``[name, event, args, sst(srv)]``."""
    for ev in events:

        def listener(*a: Any, ev: str = ev) -> None:
            log(name, ev, list(a), sst(srv))

        srv.on(ev, listener)
    return srv


def tryLog(label: str, fn: Callable[[], Any]) -> None:
    """Log ``[label, 'ok', value]`` or ``[label, 'throws', errInfo]``."""
    try:
        value = fn()
    except Exception as e:
        L(label, "throws", e)
    else:
        L(label, "ok", value)


def _bark() -> None:
    L("WATCHDOG")
    os._exit(3)


def watchdog(ms: int = 4000) -> None:
    """End the process after ``ms`` milliseconds, without keeping it alive."""
    net.timers.setTimeout(_bark, ms).unref()


def run(main: Callable[..., Any], *args: Any) -> None:
    """Run ``main`` under ``net.run()`` with a watchdog; print ``["exit"]`` at the end."""

    def wrapped() -> Any:
        watchdog()
        return main(*args)

    try:
        net.run(wrapped)
    except BaseException as e:
        L("uncaught", e)
    L("exit")
