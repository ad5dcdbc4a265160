"""
Reference 6.2, 1.12: getConnections() counts live accepted sockets,
decremented synchronously by destroy(), still counting after close();
the server's 'close' comes once the count reaches zero.
"""

from typing import Any

from harness import L, net, port, run, traceServer


def main() -> None:
    srv = net.createServer()
    traceServer(srv, "srv", ["close"])

    def count(label: str) -> None:
        srv.getConnections(lambda *a: L(label, list(a)))

    L("returns self", srv.getConnections(lambda *a: L("before listen", list(a))) is srv)
    L("after call")
    socks: list[Any] = []
    clients: list[Any] = []

    def step2() -> None:
        socks[0].destroy()
        count("after destroy")
        srv.close(lambda *a: L("close cb", list(a)))
        count("after close")

        def last() -> None:
            L("destroying the last")
            socks[1].destroy()
            count("after last destroy")

        net.timers.setTimeout(last, 20)

    def onConnection(c: Any) -> None:
        socks.append(c)
        index = len(socks) - 1
        c.on("close", lambda *a: L("server socket close", index, list(a)))
        count(f"after connection {len(socks)}")
        if len(socks) == 1:
            clients.append(
                net.connect(srv.address()["port"], "127.0.0.1").on("error", lambda *_: None)
            )
        else:
            net.timers.setTimeout(step2, 20)

    srv.on("connection", onConnection)

    def onListening() -> None:
        port(srv.address()["port"])
        clients.append(net.connect(srv.address()["port"], "127.0.0.1").on("error", lambda *_: None))

    srv.listen(0, "127.0.0.1", onListening)


run(main)
