"""
Run the test suite under several Twisted reactors.

    python -m tests.reactors                      # epoll poll select asyncio uvloop
    python -m tests.reactors poll asyncio         # some of them
    python -m tests.reactors --modules tests.test_loopback tests.test_reliability_faults -- uvloop

Each reactor gets its own ``python -m twisted.trial --reactor=NAME`` run (a
reactor can be installed once per process).  ``uvloop`` is Twisted's
asyncio reactor on a uvloop event loop (declared by nodenet's plugin file),
reported as skipped where uvloop is not installed.  The select-style
reactors run with trial's ``-j2``; the asyncio ones cannot (trial's worker
loop and an asyncio loop stopped between tests do not mix: a worker's
second test finds its loop already stopping), so they run without ``-j``,
side by side with each other instead.  One line per reactor gives trial's
summary and the time it took, then a total ``N passed, M failed``; the exit
status is non-zero if any run failed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

__all__ = [
    "LIMIT", "PARALLEL", "REACTORS", "UVLOOP_MISSES_RESETS", "command", "main", "runningOnUvloop",
]

ROOT = Path(__file__).resolve().parents[1]
REACTORS = ("epoll", "poll", "select", "asyncio", "uvloop")


#: Why the tests that need a peer's reset noticed mid-transfer skip on uvloop.
UVLOOP_MISSES_RESETS = (
    "on uvloop, a socket whose peer reset the connection while it was being read "
    "may never be reported again (the descriptor polls readable with the error "
    "pending; the reader is not called), so the reset is not seen"
)


def runningOnUvloop() -> bool:
    """Whether the installed reactor is nodenet's asyncio-on-uvloop reactor."""
    from twisted.internet import reactor

    return type(reactor).__name__ == "UvloopReactor"


def uvloopAvailable() -> bool:
    """Whether uvloop can be imported here."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


#: Seconds one reactor's run may take before it is killed and counts as failed.
LIMIT = 900

#: Reactors whose trial runs may use ``-j2``.
PARALLEL = ("epoll", "poll", "select")


def command(reactor: str, modules: list[str]) -> list[str]:
    """The trial command line for ``reactor``."""
    jobs = ["-j2"] if reactor in PARALLEL else []
    return [sys.executable, "-m", "twisted.trial", f"--reactor={reactor}", *jobs,
            f"--temp-directory=_trial_temp.{reactor}", *modules]


def start(reactor: str, modules: list[str]) -> subprocess.Popen[str] | None:
    """Start trial on ``modules`` under ``reactor``; ``None`` if it cannot run here."""
    if reactor == "uvloop" and not uvloopAvailable():
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    return subprocess.Popen(
        command(reactor, modules), cwd=str(ROOT), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )


def finish(reactor: str, process: subprocess.Popen[str] | None, started: float) -> tuple[str, str, int, int]:
    """
    Wait for ``process``: ``(status, summary, passed, failed)`` with the
    status ``PASS``, ``FAIL`` or ``SKIP``; a failed run's output is printed.
    """
    if process is None:
        return "SKIP", "uvloop is not installed", 0, 0
    try:
        output, _ = process.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
        output += f"\nkilled: the run took more than {LIMIT} s\n"
    summaries = re.findall(r"^(?:PASSED|FAILED) \(.*\)$", output, re.MULTILINE)
    summary = summaries[-1] if summaries else "no summary"

    def count(name: str) -> int:
        found = re.search(rf"\b{name}=(\d+)", summary)
        return int(found.group(1)) if found else 0

    passed = count("successes")
    failed = count("failures") + count("errors") + count("unexpectedSuccesses")
    status = "PASS" if process.returncode == 0 and summary.startswith("PASSED") else "FAIL"
    if status == "FAIL":
        failed = max(failed, 1)
        sys.stdout.write(output[-20000:])
    seconds = time.monotonic() - started
    print(f"{status} reactor={reactor}: {summary} in {seconds:.0f} s", flush=True)
    return status, summary, passed, failed


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    args = list(sys.argv[1:] if argv is None else argv)
    modules = ["tests"]
    if args and args[0] == "--modules":
        end = args.index("--") if "--" in args else len(args)
        modules = args[1:end]
        args = args[end + 1 :]
    reactors = args or list(REACTORS)
    unknown = [r for r in reactors if r not in REACTORS]
    if unknown:
        print(f"unknown reactor(s): {', '.join(unknown)}; known: {', '.join(REACTORS)}")
        return 2
    results = []
    for reactor in [r for r in reactors if r in PARALLEL]:
        results.append(finish(reactor, start(reactor, modules), time.monotonic()))
    serial = [r for r in reactors if r not in PARALLEL]
    started = time.monotonic()
    running = [(reactor, start(reactor, modules)) for reactor in serial]
    for reactor, process in running:
        results.append(finish(reactor, process, started))
    passed = sum(r[2] for r in results)
    failed = sum(r[3] for r in results)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if any(r[0] == "FAIL" for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
