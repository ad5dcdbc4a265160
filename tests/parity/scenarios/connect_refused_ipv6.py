"""Reference 1.1: connecting to a closed port on ::1."""

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer()

    def onListening() -> None:
        L("address", srv.address()["address"], srv.address()["family"])
        p = port(srv.address()["port"])

        def onClosed(*_: object) -> None:
            s = net.connect({"port": p, "host": "::1"})
            L("sync", st(s))
            trace(s, "c")
            net.timers.setImmediate(lambda: L("immediate"))

        srv.close(onClosed)

    srv.listen(0, "::1", onListening)


run(main)
