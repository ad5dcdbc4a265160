"""Reference 1.11: setTimeout() works on a socket that never connected."""

from harness import L, net, run, st, trace


def main() -> None:
    s = net.Socket()
    trace(s, "s")
    L("returns self", s.setTimeout(50) is s, s.timeout)

    def onTimeout() -> None:
        L("in timeout", st(s))
        net.timers.setTimeout(lambda: s.destroy(), 10)

    s.on("timeout", onTimeout)
    net.timers.setTimeout(lambda: L("keepalive done"), 200)


run(main)
