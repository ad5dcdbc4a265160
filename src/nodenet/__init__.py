"""
nodenet: Node.js's ``net`` module for Python, on Twisted.

``import nodenet as net`` reads like ``const net = require('net')``::

    import nodenet as net

    def handler(socket):
        socket.write("hello\\r\\n")
        socket.pipe(socket)

    net.run(lambda: net.createServer(handler).listen(8124))

Submodules: :mod:`nodenet.events`, :mod:`nodenet.errors`,
:mod:`nodenet.timers`, :mod:`nodenet.testing`, :mod:`nodenet.tls`
(imported on first use: it loads OpenSSL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import errors, events, net, timers
from ._loop import run
from .events import EventEmitter, once
from .net import (
    Server,
    Socket,
    Stream,
    connect,
    createConnection,
    createServer,
    getDefaultAutoSelectFamily,
    getDefaultAutoSelectFamilyAttemptTimeout,
    isIP,
    isIPv4,
    isIPv6,
    setDefaultAutoSelectFamily,
    setDefaultAutoSelectFamilyAttemptTimeout,
)

if TYPE_CHECKING:
    from . import tls
    from ._tls import SecureContext

__version__ = "0.1.0"


def createCredentials(details: dict[str, Any] | None = None, **kwargs: Any) -> SecureContext:
    """
    Node 0.x's ``crypto.createCredentials({'key', 'cert', 'ca', 'passphrase'})``
    (also keyword arguments): the credentials for ``socket.setSecure()``.

    PEM ``str``/``bytes``; ``ca`` one or a list.  A bad key or certificate, a
    key that does not match its certificate or a wrong passphrase raise at
    once, with Node's error codes.  The result is a
    :class:`nodenet.tls.SecureContext`.
    """
    from ._tls import createSecureContext

    return createSecureContext(details, **kwargs)


def __getattr__(name: str) -> Any:
    # nodenet.tls is imported on first use: it loads OpenSSL.
    if name == "tls":
        import importlib

        return importlib.import_module(".tls", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "EventEmitter",
    "Server",
    "Socket",
    "Stream",
    "connect",
    "createConnection",
    "createCredentials",
    "createServer",
    "errors",
    "events",
    "getDefaultAutoSelectFamily",
    "getDefaultAutoSelectFamilyAttemptTimeout",
    "isIP",
    "isIPv4",
    "isIPv6",
    "net",
    "once",
    "run",
    "setDefaultAutoSelectFamily",
    "setDefaultAutoSelectFamilyAttemptTimeout",
    "timers",
    "tls",
]
