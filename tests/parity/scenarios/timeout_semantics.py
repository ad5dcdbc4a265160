"""
Reference 1.11: 'timeout' is one-shot, re-armed by reads and writes,
never closes the socket; setTimeout(0) disables it and setTimeout(0, cb)
removes cb.
"""

from typing import Any

from harness import L, net, port, run, trace

peer: list[Any] = []


def main() -> None:
    def onConnection(c: Any) -> None:
        peer.append(c)
        c.resume()

    srv = net.createServer(onConnection)

    def onListening() -> None:
        p = port(srv.address()["port"])
        s = net.connect(p, "127.0.0.1")
        trace(s, "c", ["data", "timeout", "end", "close"])

        def onConnect() -> None:
            L("timeout before", s.timeout)
            L(
                "setTimeout returns self",
                s.setTimeout(400, lambda *a: L("timeout cb", list(a))) is s,
            )
            L("timeout after", s.timeout, s.listenerCount("timeout"))

            def at(ms: int, fn: Any) -> None:
                net.timers.setTimeout(fn, ms)

            def disable() -> None:
                L("setTimeout(0) returns self", s.setTimeout(0) is s)
                L("timeout now", s.timeout, s.listenerCount("timeout"))

            def finish() -> None:
                L("2400: disabled, none since")

                def cb() -> None:
                    L("never")

                s.setTimeout(100, cb)
                L("listeners with cb", s.listenerCount("timeout"))
                s.setTimeout(0, cb)
                L("listeners after setTimeout(0, cb)", s.listenerCount("timeout"), s.timeout)
                s.destroy()
                L("after destroy returns self", s.setTimeout(10) is s, s.timeout)
                srv.close()

            at(200, lambda: peer[0].write("a"))
            at(400, lambda: peer[0].write("b"))
            at(660, lambda: L("660: no timeout yet"))
            at(1100, lambda: L("1100: one-shot, none since"))
            at(1200, lambda: L("write", s.write("x")))
            at(1800, disable)
            at(1900, lambda: L("write", s.write("y")))
            at(2400, finish)

        s.on("connect", onConnect)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
