"""
Node's "hello world" TCP server: greets, then pipes the connection to itself.

    python examples/hello_server.py [port]
"""

import sys

import nodenet as net


def onConnection(socket: net.Socket) -> None:
    socket.write("Hello World!\r\n")
    socket.pipe(socket)


def main(port: int) -> None:
    server = net.createServer(onConnection)
    server.listen(port, "127.0.0.1", lambda: print(f"listening on 127.0.0.1:{port}", flush=True))


if __name__ == "__main__":
    net.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8124)
