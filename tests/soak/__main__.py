"""
``python -m tests.soak [--list] [NAME ...]``: the soak runs, one process each.

Every run prints ``PASS``/``FAIL`` lines with its figures; a run that
exceeds its time bound is killed and counts as failed.  The exit status is
non-zero if any run failed.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: name -> (module, arguments, time bound in seconds, what it shows)
RUNS: dict[str, tuple[str, list[str], int, str]] = {
    "integrity": ("tests.soak.integrity", ["200", "4"], 900,
                  "200 MiB each way, nodenet<->nodenet and nodenet<->node, sha256 on both ends"),
    "integrity-rounds": ("tests.soak.integrity", ["64", "8", "10"], 1800,
                         "64 MiB each way over 8 connections, 10 rounds of fresh seeds"),
    "memory": ("tests.soak.memory", ["1024", "256"], 900,
               "1 GiB to a slow reader and 200 MiB at a paused socket: RSS growth"),
    "load": ("tests.soak.load", ["5000", "1000", "100"], 900,
             "5,000 concurrent connections echoing; maxConnections under a burst of 1,000"),
    "exhaust": ("tests.soak.exhaust", ["64", "500"], 600,
                "ulimit -n 64 and 564 connections, under epoll, poll, select and asyncio"),
    "shutdown": ("tests.soak.shutdown", ["20"], 900,
                 "net.run() exit delay after the last handle, 20 rounds of 5 programs"),
}


def machine() -> str:
    """A one-line description of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{os.cpu_count()} x {cpu}{memory}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--list"]:
        for name, (_, _arguments, bound, what) in RUNS.items():
            print(f"{name:17s} {what} (at most {bound} s)")
        return 0
    names = args or list(RUNS)
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        print(f"unknown soak run(s): {', '.join(unknown)}; see --list")
        return 2
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    print(f"# {machine()}", flush=True)
    failed = []
    for name in names:
        module, arguments, bound, _ = RUNS[name]
        started = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-m", module, *arguments], cwd=str(ROOT), env=env, timeout=bound,
            )
            code = done.returncode
        except subprocess.TimeoutExpired:
            print(f"FAIL {name}: killed after {bound} s", flush=True)
            code = -1
        print(f"# {name}: {'passed' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s",
              flush=True)
        if code != 0:
            failed.append(name)
    print(f"# {len(names) - len(failed)} passed, {len(failed)} failed"
          + (f": {', '.join(failed)}" if failed else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
