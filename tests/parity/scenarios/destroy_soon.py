"""
Reference 1.10: destroySoon() returns undefined, ends the socket and
destroys it once finished: 'finish' -> 'close'(false), no 'end' needed.
"""

from typing import Any

from harness import L, net, port, run, st, trace


def main() -> None:
    srv = net.createServer(lambda c: trace(c, "@srv", ["data", "end", "close"]))

    def onListening() -> None:
        s: Any = None

        def onConnect() -> None:
            s.write("bye")
            L("destroySoon returns", s.destroySoon())
            L("after destroySoon", st(s))

        s = net.connect(port(srv.address()["port"]), "127.0.0.1", onConnect)
        trace(s, "c", ["end", "finish", "close"])
        s.on("close", lambda *_: srv.close())

    srv.listen(0, "127.0.0.1", onListening)


run(main)
