"""
Reference 1.4: an unresolvable host: 'lookup'(err) -> 'error' -> 'close'(true);
end() right after connect() changes nothing (no 'finish').
"""

from harness import L, net, run, st, trace


def main() -> None:
    s = net.connect({"port": 80, "host": "nonexistent.invalid"})
    L("sync", st(s))
    trace(s, "c")

    def second(*_: object) -> None:
        t = net.connect({"port": 80, "host": "nonexistent.invalid", "family": 4})
        L("end returns self", t.end() is t)
        L("after end", st(t))
        trace(t, "ended")

    s.on("close", second)


run(main)
