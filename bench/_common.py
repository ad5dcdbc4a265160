"""
What every Python server and client process shares: the line protocol
with the harness, the clock, resident memory, and the bookkeeping of the
workloads, which is the same in every stack (only the network code differs).

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
from collections.abc import Callable
from typing import Any

__all__ = ["Accepts", "PingCount", "Pipelined", "baseline", "now", "ready", "result", "rssBytes", "waitGo"]

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


class Accepts:
    """
    The ``connections`` server's count: once ``count`` connections were
    accepted, the rate since ``t0`` and, ``settle`` seconds later (through
    the stack's ``callLater(seconds, f, *args)``), the memory grown since
    ``base`` per connection.
    """

    def __init__(self, callLater: Callable[..., Any], count: int = 0, settle: float = 0.0) -> None:
        self.callLater = callLater
        self.count = count
        self.settle = settle
        self.seen = 0
        self.t0 = 0.0
        self.base = 0

    def start(self) -> None:
        """Take the baseline, tell the harness, and wait for it: the clock starts now."""
        self.base = baseline()
        ready()
        waitGo()
        self.t0 = now()

    def accepted(self) -> None:
        """One more connection."""
        self.seen += 1
        if self.seen == self.count:
            self.callLater(self.settle, self._report, now() - self.t0)

    def _report(self, elapsed: float) -> None:
        grown = rssBytes() - self.base
        result(aps=self.count / elapsed, kibPerConn=grown / self.count / 1024)


class PingCount:
    """
    The ``pingpong`` client's count: bytes echoed, round trips, the clock
    started after the warm-up, the rate reported once ``duration`` passed.
    """

    def __init__(self, params: dict[str, Any]) -> None:
        self.size = params["size"]
        self.warmup = params["warmup"]
        self.duration = params["duration"]
        #: The message to send for each round trip.
        self.message = b"p" * self.size
        #: Whether the rate was reported: the client stops.
        self.done = False
        self.got = 0
        self.trips = 0
        self.t0 = 0.0

    def echoed(self, count: int) -> bool:
        """Count ``count`` bytes echoed; whether a whole message came back."""
        self.got += count
        if self.got < self.size:
            return False
        self.got -= self.size
        self.trips += 1
        if self.trips == self.warmup:
            self.t0 = now()
        elif self.trips > self.warmup:
            elapsed = now() - self.t0
            if elapsed >= self.duration:
                result(rtps=(self.trips - self.warmup) / elapsed)
                self.done = True
        return True


class Pipelined:
    """The ``pipelined`` workload's sizes, and its window."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.connections: int = params["connections"]
        self.messages: int = params["messages"]
        self.size: int = params["size"]
        self.window: int = params["window"]
        self.message = b"m" * self.size
        #: The bytes each connection gets back in all.
        self.total = self.messages * self.size

    def limit(self, received: int) -> int:
        """How many messages a connection may have sent, having ``received`` bytes back."""
        return min(self.messages, received // self.size + self.window)

    def report(self, elapsed: float) -> None:
        """Every connection got every message back, ``elapsed`` seconds after they all were up."""
        result(mps=self.connections * self.messages / elapsed)
