"""
Reference 1.6, 5.3: listen() on a listening server throws
ERR_SERVER_ALREADY_LISTEN; after close() it may listen again.
"""

from typing import Any

from harness import L, net, port, run, sst, traceServer, tryLog


def main() -> None:
    srv = net.createServer()
    traceServer(srv, "s")

    def onListening() -> None:
        port(srv.address()["port"])
        tryLog("listen again", lambda: srv.listen(0) is srv)
        tryLog("listen again with host", lambda: srv.listen(0, "127.0.0.1") is srv)
        L("state", sst(srv))

        def onClosed(*_: Any) -> None:
            def relistening() -> None:
                port(srv.address()["port"], "PORT2")
                L("relistening", sst(srv))
                srv.close()

            L("relisten returns self", srv.listen(0, "127.0.0.1", relistening) is srv)

        srv.close(onClosed)

    srv.listen(0, onListening)


run(main)
