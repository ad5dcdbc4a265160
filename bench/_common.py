"""
What every Python server and client process shares: the line protocol
with the harness, the clock, and resident memory.

A process says ``READY`` on stdout once it can start, waits for a line on
stdin where the harness decides when it begins, and ends with one
``RESULT {json}`` line.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any

__all__ = ["baseline", "now", "ready", "result", "rssBytes", "waitGo"]

#: The clock of every measurement.
now = time.perf_counter

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def ready() -> None:
    """Tell the harness this process is set up."""
    _say("READY")


def waitGo() -> None:
    """Block until the harness says go (a line on stdin); exit if it went away."""
    if not sys.stdin.readline():
        raise SystemExit(1)


def result(**values: Any) -> None:
    """Report the measurement."""
    _say("RESULT " + json.dumps(values))


def rssBytes() -> int:
    """This process's resident set size."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def baseline() -> int:
    """
    The resident set size before the first connection, after a full collection.

    Every Python server starts the ``connections`` workload from the same
    state: no garbage left from start-up, and the collector's counters reset.
    """
    gc.collect()
    return rssBytes()
