"""
Reference 1.10: destroy() while connecting: 'close'(false), no 'error';
pending write callbacks get ERR_SOCKET_CLOSED_BEFORE_CONNECTION after
'close'; the server never sees a connection.
"""

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer(lambda *_: L("server connection"))

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")
        trace(s, "c")
        L("write 1", s.write("one", lambda *a: L("write cb 1", list(a), st(s))))
        L("write 2", s.write("two", lambda *a: L("write cb 2", list(a))))
        L(
            "before destroy",
            {
                "bufferSize": s.bufferSize,
                "writableLength": s.writableLength,
                "bytesWritten": s.bytesWritten,
            },
        )
        L("destroy returns self", s.destroy() is s)
        L("after destroy", st(s), {"bufferSize": s.bufferSize})
        net.timers.setTimeout(lambda: srv.close(), 50)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
