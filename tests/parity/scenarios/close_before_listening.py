"""
Reference 1.6: close() before 'listening' was emitted: neither
'listening' nor the listen callback ever fire; 'close' does.
"""

from harness import L, net, run, sst, traceServer


def main() -> None:
    a = net.createServer()
    traceServer(a, "host")
    a.listen(0, "127.0.0.1", lambda: L("host listen cb"))
    a.close(lambda *x: L("host close cb", list(x), sst(a)))
    L("host after close", sst(a))

    b = net.createServer()
    traceServer(b, "nohost")
    b.listen(0, lambda: L("nohost listen cb"))
    b.close(lambda *x: L("nohost close cb", list(x), sst(b)))
    L("nohost after close", sst(b))


run(main)
