"""
Reference 6.1, 3.2: a client paused before 'connect' never reads, so it
does not keep the process alive (the server and its sockets are unref'd).
"""

from harness import L, net, run


def main() -> None:
    srv = net.createServer(lambda c: c.unref())

    def onListening() -> None:
        s = net.connect(srv.address()["port"], "127.0.0.1")
        L("pause returns self", s.pause() is s)
        s.on("connect", lambda: L("connect", s.isPaused(), s.readyState))

    srv.listen(0, "127.0.0.1", onListening)
    srv.unref()


run(main)
