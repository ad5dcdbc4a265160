"""
Apps for ``twistd nodenet --app tests.tap_apps:NAME`` in the twistd tests.

Each kind ``--app`` accepts is here: connection listeners, a ``net.Server``
object, and callables returning a ``net.Server``.
"""

from __future__ import annotations

import os
from typing import Any

import nodenet as net


def whoami(socket: net.Socket) -> None:
    """Answer with this process's pid and the client's address as the app sees it."""
    socket.end(f"{os.getpid()} {socket.remoteAddress} {socket.remotePort}\r\n")


def crashy(socket: net.Socket) -> None:
    """Echo, but raise from the 'data' listener when the client says boom."""

    def onData(data: bytes) -> None:
        if b"boom" in data:
            raise RuntimeError("the app failed on purpose")
        socket.write(data)

    socket.on("data", onData)


def secure(socket: net.Socket) -> None:
    """Say 'secure' once the TLS handshake is done."""
    socket.on("secure", lambda: socket.end(b"secure\r\n"))


def serverOptions(socket: net.Socket) -> None:
    """Report the options the server was given."""
    server: Any = socket.server
    socket.end(
        repr(
            (
                server.allowHalfOpen,
                server.pauseOnConnect,
                server.noDelay,
                server.keepAlive,
                server.keepAliveInitialDelay,
                server.maxConnections,
            )
        ).encode()
        + b"\r\n"
    )


#: A ready-made server object.
instance = net.createServer(lambda socket: socket.end(b"instance\r\n"))


def makeServer() -> net.Server:
    """A server factory."""
    return net.createServer(lambda socket: socket.end(b"factory\r\n"))


def broken() -> object:
    """A factory that returns something else."""
    return 42


notCallable = 42
