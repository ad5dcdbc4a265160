"""
Ready-made connection listeners, served by ``twistd nodenet --app NAME``.

Each is an ordinary ``f(socket)`` for ``net.createServer()``, usable from
Python as well::

    from nodenet import apps
    net.createServer(apps.echo).listen(8124, "127.0.0.1")

All of them end a socket that stays idle past its ``setTimeout()`` (which
``twistd nodenet --timeout MS`` sets).
"""

from __future__ import annotations

from ._socket import Socket

__all__ = ["discard", "echo", "hello"]


def _endWhenIdle(socket: Socket) -> None:
    socket.on("timeout", lambda: socket.end())


def echo(socket: Socket) -> None:
    """Greet with ``hello``, echo every byte, say ``goodbye`` when the client ends."""
    _endWhenIdle(socket)
    socket.write(b"hello\r\n")
    socket.on("data", socket.write)

    def onEnd() -> None:
        if socket.writable:  # not when it was already ended (idle)
            socket.end(b"goodbye\r\n")

    socket.on("end", onEnd)


def hello(socket: Socket) -> None:
    """Node's "hello world" server: write ``Hello World!``, then pipe the socket to itself."""
    _endWhenIdle(socket)
    socket.write(b"Hello World!\r\n")
    socket.pipe(socket)


def discard(socket: Socket) -> None:
    """Read and drop everything; end when the client ends."""
    _endWhenIdle(socket)
    socket.on("end", lambda: socket.end())
    socket.resume()
