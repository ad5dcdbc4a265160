"""
The echo server of Node's early documentation, in nodenet.

Greets each client with ``hello``, echoes what it sends, and says
``goodbye`` when the client ends.  Listens on 127.0.0.1:8124, on another
port, or on the unix socket given as the first argument (as Node's
``listen()``, a numeric argument is a port, anything else a path)::

    python examples/echo_server.py
    python examples/echo_server.py 9000
    python examples/echo_server.py /tmp/echo.sock
"""

import sys

import nodenet as net


def onConnection(socket: net.Socket) -> None:
    socket.setEncoding("utf8")
    socket.write("hello\r\n")
    socket.on("data", socket.write)

    def onEnd() -> None:
        socket.write("goodbye\r\n")
        socket.end()

    socket.on("end", onEnd)


def main(argv: list[str]) -> None:
    server = net.createServer(onConnection)
    where = argv[0] if argv else "8124"
    if where.isdigit():
        server.listen(int(where), "127.0.0.1")
    else:
        server.listen(where)
    server.on("listening", lambda: print(f"echo server listening on {server.address()}", flush=True))


if __name__ == "__main__":
    net.run(main, sys.argv[1:])
