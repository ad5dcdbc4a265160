"""
A server that answers after asynchronous work, as Node's docs advise.

Each line a client sends is "processed" for a while (a timer standing in
for a database or another service); the answer is written only if the
client is still there (``socket.destroyed`` is checked first), so a client
that hangs up early costs nothing and raises nothing.  The server allows
half-open connections, so a client may send its lines and end its side at
once: the answers still reach it, and the server ends when they are out.

    python examples/biz_server.py [port] [delayMs]
"""

import sys

import nodenet as net
from nodenet import timers


def handler(delayMs: float):  # type: ignore[no-untyped-def]
    def onConnection(socket: net.Socket) -> None:
        socket.setEncoding("utf8")
        buffered = ""

        def answer(line: str) -> None:
            if socket.destroyed:
                return
            socket.write(f"processed: {line.upper()}\r\n")

        def onData(text: str) -> None:
            nonlocal buffered
            buffered += text
            while "\n" in buffered:
                line, buffered = buffered.split("\n", 1)
                timers.setTimeout(answer, delayMs, line.rstrip("\r"))

        socket.on("data", onData)
        socket.on("end", lambda: timers.setTimeout(socket.end, delayMs * 2))
        socket.on("error", lambda err: print(f"client error: {err}", flush=True))

    return onConnection


def main(port: int, delayMs: float) -> None:
    server = net.createServer({"allowHalfOpen": True}, handler(delayMs))
    server.listen(port, "127.0.0.1", lambda: print(f"listening on 127.0.0.1:{port}", flush=True))


if __name__ == "__main__":
    argv = sys.argv[1:]
    net.run(main, int(argv[0]) if argv else 8124, float(argv[1]) if len(argv) > 1 else 100)
