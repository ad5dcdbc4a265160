"""
Reference 3.1 (loosely): writing to a peer that does not read, write()
eventually returns false, keeps returning false, and 'drain' follows once
the peer reads.  How much is written before false is not compared.
"""

from typing import Any

from harness import L, net, port, run


def main() -> None:
    peer: list[Any] = []
    received = [0]
    total = [0]

    def onConnection(c: Any) -> None:
        peer.append(c)

        def onData(d: bytes) -> None:
            received[0] += len(d)

        def onEnd() -> None:
            L("@srv", "all received", received[0] == total[0])
            srv.close()

        c.on("data", onData)
        c.on("end", onEnd)

    srv = net.createServer({"pauseOnConnect": True}, onConnection)

    def onListening() -> None:
        s: Any = None

        def onConnect() -> None:
            chunk = b"b" * 65536
            ok = True
            n = 0
            while ok and n < 2000:
                ok = s.write(chunk)
                n += 1
            L(
                "false came",
                not ok,
                {"needDrain": s.writableNeedDrain, "queued": s.writableLength > 0},
            )
            L("next write", s.write("x"))

            def onDrain() -> None:
                L("drain", {"writableLength": s.writableLength, "needDrain": s.writableNeedDrain})
                total[0] = s.bytesWritten
                s.end()

            s.on("drain", onDrain)
            net.timers.setTimeout(lambda: peer[0].resume(), 50)

        s = net.connect(port(srv.address()["port"]), "127.0.0.1", onConnect)

    srv.listen(0, "127.0.0.1", onListening)


run(main)
