"""
Reference 6.1: an unref'd listening server does not keep the process
alive ('listening' still comes first).
"""

from harness import L, net, run


def main() -> None:
    srv = net.createServer()
    srv.listen(0, lambda *a: L("listening", list(a), srv.listening))
    L("unref returns self", srv.unref() is srv)
    L("unref again returns self", srv.unref() is srv)


run(main)
