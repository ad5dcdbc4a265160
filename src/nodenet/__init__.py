"""
nodenet: Node.js's ``net`` module for Python, on Twisted.

``import nodenet as net`` reads like ``const net = require('net')``::

    import nodenet as net

    def handler(socket):
        socket.write("hello\\r\\n")
        socket.pipe(socket)

    net.run(lambda: net.createServer(handler).listen(8124))

Submodules: :mod:`nodenet.events`, :mod:`nodenet.errors`,
:mod:`nodenet.timers`, :mod:`nodenet.testing`.
"""

from __future__ import annotations

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

__version__ = "0.1.0"

__all__ = [
    "EventEmitter",
    "Server",
    "Socket",
    "Stream",
    "connect",
    "createConnection",
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
]
