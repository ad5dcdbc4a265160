"""Reference 1.1: connecting to a closed port on 127.0.0.1 (also port 0)."""

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer()

    def onListening() -> None:
        p = port(srv.address()["port"])

        def onClosed(*a: object) -> None:
            L("server closed", list(a))
            s = net.connect(p, "127.0.0.1")
            L("sync", st(s))
            trace(s, "c")
            net.timers.setImmediate(lambda: L("immediate"))

            def second(*_: object) -> None:
                z = net.connect(0, "127.0.0.1")
                L("sync0", st(z))
                trace(z, "z")

            s.on("close", second)

        srv.close(onClosed)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
