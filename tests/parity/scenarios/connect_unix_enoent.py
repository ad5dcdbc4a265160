"""
Reference 1.5: connecting to a missing unix socket path; the
'connectionAttempt' event fires inside connect().
"""

import os
import tempfile

from harness import L, net, run, st, subst, trace


def main() -> None:
    p = subst(
        os.path.join(tempfile.gettempdir(), f"nodenet-parity-missing-{os.getpid()}.sock"), "PATH"
    )
    s = net.Socket()
    s.on("connectionAttempt", lambda *a: L("early connectionAttempt", list(a), st(s)))
    L("connect returns self", s.connect(p) is s)
    L("sync", st(s))
    trace(s, "c")


run(main)
