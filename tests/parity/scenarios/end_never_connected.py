"""
Reference 1.9: end() on a socket that never connects does not throw,
makes it 'readOnly', and no event ever follows; the process exits.
"""

from harness import L, net, run, st, trace


def main() -> None:
    s = net.Socket()
    trace(s, "s")
    L("fresh", st(s))
    L("end returns self", s.end() is s)
    L(
        "after end",
        st(s),
        {"writableEnded": s.writableEnded, "writableFinished": s.writableFinished},
    )
    net.timers.setTimeout(lambda: L("later", st(s)), 50)


run(main)
