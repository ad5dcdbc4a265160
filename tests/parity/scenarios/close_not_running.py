"""
Reference 1.12: close() on a server that is not listening: the callback
gets ERR_SERVER_NOT_RUNNING and 'close' is still emitted; closing twice
emits 'close' twice.
"""

from harness import L, net, port, run, traceServer


def main() -> None:
    never = net.createServer()
    traceServer(never, "never")
    L("close returns self", never.close(lambda *a: L("never close cb", list(a))) is never)
    L("close without cb returns self", never.close() is never)

    def later() -> None:
        srv = net.createServer()
        traceServer(srv, "twice")

        def onListening() -> None:
            port(srv.address()["port"])
            srv.close(lambda *a: L("first close cb", list(a)))
            srv.close(lambda *a: L("second close cb", list(a)))

        srv.listen(0, "127.0.0.1", onListening)

    net.timers.setTimeout(later, 20)


run(main)
