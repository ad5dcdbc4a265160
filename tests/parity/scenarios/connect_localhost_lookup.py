"""
Reference 1.2 / 1.18: connecting by hostname emits 'lookup' first;
net.connect(port) with no host looks up 'localhost' too.
"""

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer()

    def onListening() -> None:
        p = port(srv.address()["port"])

        def onClosed(*_: object) -> None:
            s = net.connect({"port": p, "host": "localhost"})
            L("sync", st(s))
            trace(s, "c")
            s.on("close", lambda *_: trace(net.connect(p), "nohost"))

        srv.close(onClosed)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
