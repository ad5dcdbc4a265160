"""
The echo server of Node's early documentation, in nodenet.

Greets each client with ``hello``, echoes what it sends, and says
``goodbye`` when the client ends.  Listens on 127.0.0.1:8124, or on the
unix socket given as the first argument::

    python examples/echo_server.py
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
    if argv:
        server.listen(argv[0], lambda: print(f"echo server listening on {argv[0]}", flush=True))
    else:
        server.listen(
            8124, "127.0.0.1", lambda: print("echo server listening on 127.0.0.1:8124", flush=True)
        )


if __name__ == "__main__":
    net.run(main, sys.argv[1:])
