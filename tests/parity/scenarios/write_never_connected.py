"""
Reference 1.15: write() on a socket that never connected:
cb(ERR_SOCKET_CLOSED) -> 'error' -> 'close' (no argument in Node).
"""

from harness import L, net, run, st, trace


def main() -> None:
    s = net.Socket()
    trace(s, "s")
    L("write", s.write("x", lambda *a: L("write cb", list(a), st(s))))
    L("after write", st(s))
    L("second write", s.write("y", lambda *a: L("write cb 2", list(a))))


run(main)
