"""
Node's ``net`` module: ``createServer``, ``connect``, ``Socket``, ``Server``, ``isIP``.

``from nodenet import net`` reads like ``const net = require('net')``; the
same names are also available straight from ``nodenet``.
"""

from __future__ import annotations

from typing import Any

from . import _socket
from ._args import jsTruthy, normalizeArgs, validateBoolean, validateInt32
from ._isip import isIP, isIPv4, isIPv6
from ._server import Server, createServer
from ._socket import Socket, Stream

__all__ = [
    "Server",
    "Socket",
    "Stream",
    "connect",
    "createConnection",
    "createServer",
    "getDefaultAutoSelectFamily",
    "getDefaultAutoSelectFamilyAttemptTimeout",
    "isIP",
    "isIPv4",
    "isIPv6",
    "setDefaultAutoSelectFamily",
    "setDefaultAutoSelectFamilyAttemptTimeout",
]


def createConnection(*args: Any, reactor: Any = None, **kwargs: Any) -> Socket:
    """
    Node's ``net.createConnection()`` (also ``net.connect()``): a new connecting socket.

    ``(port[, host][, cb])``, ``(path[, cb])``, ``(options[, cb])`` or keyword
    options; ``cb`` is added as a ``'connect'`` listener.
    """
    options, cb = normalizeArgs(args)
    options.update(kwargs)
    socketOptions: dict[str, Any] = {
        k: options[k]
        for k in _SOCKET_OPTIONS
        if k in options
    }
    socket = Socket(socketOptions, reactor=reactor)
    timeout = options.get("timeout")
    if jsTruthy(timeout):
        socket.setTimeout(timeout)
    try:
        if cb is not None:
            return socket.connect(options, cb)
        return socket.connect(options)
    except BaseException:
        socket.destroy()  # nothing half-built stays behind (its idle timer, say)
        raise


#: The options of ``net.connect()`` that are the new socket's.
_SOCKET_OPTIONS = (
    "allowHalfOpen",
    "readable",
    "writable",
    "fd",
    "highWaterMark",
    "objectMode",
    "readableObjectMode",
    "writableObjectMode",
    "noDelay",
    "keepAlive",
    "keepAliveInitialDelay",
)


connect = createConnection


def getDefaultAutoSelectFamily() -> bool:
    """Whether hostname connects try every resolved address (Node's happy eyeballs)."""
    return _socket.defaultAutoSelectFamily


def setDefaultAutoSelectFamily(value: bool) -> None:
    """Change the default of the ``autoSelectFamily`` connect option (a ``bool``)."""
    validateBoolean(value, "value")
    _socket.defaultAutoSelectFamily = value


def getDefaultAutoSelectFamilyAttemptTimeout() -> int:
    """Milliseconds each address gets before the next is tried (default 250)."""
    return _socket.defaultAutoSelectFamilyAttemptTimeout


def setDefaultAutoSelectFamilyAttemptTimeout(value: int) -> None:
    """Change the default per-address attempt time: an integer of ms, at least 1 (10 is used for less)."""
    _socket.defaultAutoSelectFamilyAttemptTimeout = max(10, validateInt32(value, "value", 1))


