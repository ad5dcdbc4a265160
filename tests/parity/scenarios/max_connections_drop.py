"""
Reference 1.13: maxConnections: a connection over the limit is dropped
('drop' with the addresses), the rejected client sees connect, end,
finish, close(false); 0 means no limit.
"""

from typing import Any

from harness import L, net, port, run, trace


def main() -> None:
    srv = net.createServer()
    L("default maxConnections", srv.maxConnections)
    srv.maxConnections = 1
    L("set", srv.maxConnections)
    accepted: list[Any] = []

    def onConnection(c: Any) -> None:
        c.on("error", lambda *_: None)
        accepted.append(c)
        L("connection", len(accepted))

    srv.on("connection", onConnection)
    srv.on("drop", lambda data: L("@srv", "drop", data, list(data)))

    def onListening() -> None:
        p = port(srv.address()["port"])
        a = net.connect(p, "127.0.0.1")
        a.on("error", lambda *_: None)

        def second(*_: Any) -> None:
            b = net.connect(p, "127.0.0.1")
            trace(b, "@B")
            b.on("connect", lambda: port(b.localPort, "BPORT"))

            def third() -> None:
                srv.maxConnections = 0
                c = net.connect(p, "127.0.0.1")
                c.on("error", lambda *_: None)

                def counted(err: Any, n: Any) -> None:
                    L("connections", err, n)
                    for x in accepted:
                        x.destroy()
                    a.destroy()
                    c.destroy()
                    srv.close()

                srv.once("connection", lambda *_: srv.getConnections(counted))

            b.on("close", lambda *_: net.timers.setTimeout(third, 50))

        srv.once("connection", second)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
