"""
A client for hello_server.py: prints what the server says, sends a line, ends.

    python examples/hello_client.py [port]
"""

import sys

import nodenet as net


def main(port: int) -> None:
    client = net.connect(port, "127.0.0.1")
    client.setEncoding("utf8")

    def onConnect() -> None:
        client.end("ping\r\n")

    client.on("connect", onConnect)
    client.on("data", lambda text: print(text, end="", flush=True))
    client.on("end", lambda: print("[server ended]", flush=True))


if __name__ == "__main__":
    net.run(main, int(sys.argv[1]) if len(sys.argv) > 1 else 8124)
