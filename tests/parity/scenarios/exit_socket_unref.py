"""
Reference 6.1: socket.unref() before connecting is applied once connected:
the connect attempt itself keeps the process alive, the socket does not.
"""

from harness import L, net, run


def main() -> None:
    srv = net.createServer(lambda c: c.unref())

    def onListening() -> None:
        s = net.Socket()
        L("unref returns self", s.unref() is s)
        s.connect(srv.address()["port"], "127.0.0.1")
        s.on("connect", lambda: L("connect", s.readyState))

    srv.listen(0, "127.0.0.1", onListening)
    srv.unref()


run(main)
