"""
Reference 6.1: a connected client reads even without a 'data' listener,
which keeps the process alive until it is destroyed; timeout timers and
a never-connected socket do not.
"""

from harness import L, net, run


def main() -> None:
    idle = net.Socket()
    idle.setTimeout(5000)
    srv = net.createServer(lambda c: c.unref())

    def onListening() -> None:
        s = net.connect(srv.address()["port"], "127.0.0.1")
        s.setTimeout(5000)

        def later() -> None:
            L("still alive, destroying")
            s.destroy()

        def onConnect() -> None:
            L("connect")
            net.timers.setTimeout(later, 100).unref()

        s.on("connect", onConnect)
        s.on("close", lambda *a: L("close", list(a)))

    srv.listen(0, "127.0.0.1", onListening)
    srv.unref()


run(main)
