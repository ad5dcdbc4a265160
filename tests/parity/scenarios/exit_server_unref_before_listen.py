"""
Reference 6.1: unref() before listen() is remembered; unref(), listen(),
ref() keeps the process alive until close().
"""

from harness import L, net, run


def main() -> None:
    a = net.createServer()
    L("a unref returns self", a.unref() is a)
    a.listen(0, lambda: L("a listening"))

    b = net.createServer()
    b.unref()
    b.listen(0, lambda: L("b listening"))
    L("b ref returns self", b.ref() is b)

    def closing() -> None:
        L("closing b")
        b.close(lambda *_: L("b closed"))

    net.timers.setTimeout(closing, 100).unref()


run(main)
