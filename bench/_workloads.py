"""
The workloads and their sizes, full and quick.

Every workload runs one server process and one client process of the same
stack (``connections`` uses the shared idle client of :mod:`bench._idle`,
since what it measures is the server alone).  The server listens on a
socket the harness created (``127.0.0.1``, backlog 4096) and passed down
as a file descriptor, so that both processes can start at once and the
harness decides when the client begins.

bulk
    The server sends ``total`` bytes in ``chunk``-byte writes, honouring
    backpressure; the client measures the rate it receives them at
    (MB/s, 10**6 bytes), from ``'connect'`` to the last byte.
pingpong, pingpong-1core
    One connection; the client sends a ``size``-byte message and waits for
    the server's echo before sending the next; after ``warmup`` round trips
    it counts round trips for ``duration`` seconds.  ``pingpong`` puts the
    server and the client on separate cores, ``pingpong-1core`` pins both
    to the same core.
pipelined
    ``connections`` connections each send ``messages`` messages of ``size``
    bytes to an echo server, at most ``window`` unanswered at a time; the
    client measures messages echoed per second, from the moment every
    connection is up to the last echo.
connections
    The idle client opens ``count`` connections and keeps them open.  It
    fills the server's accept queue before the server starts accepting (and
    keeps it filled), so the server's accept rate is measured, not the
    client's connect rate; the server reports accepts per second and the
    growth of its resident memory per connection (``settle`` seconds after
    the last accept).
"""

from __future__ import annotations

from typing import Any

__all__ = ["FULL", "QUICK", "ROUNDS", "WORKLOADS", "METRICS", "Metric", "paramsFor", "roundsFor"]

#: Workload names, in the order a repetition runs them.
WORKLOADS = ["bulk", "pingpong", "pingpong-1core", "pipelined", "connections"]

FULL: dict[str, dict[str, Any]] = {
    "bulk": {"total": 1 << 30, "chunk": 64 * 1024},
    "pingpong": {"size": 64, "warmup": 500, "duration": 2.0},
    "pipelined": {"connections": 50, "messages": 10_000, "size": 1024, "window": 16},
    "connections": {"count": 5000, "settle": 0.3},
}

QUICK: dict[str, dict[str, Any]] = {
    "bulk": {"total": 4 << 20, "chunk": 64 * 1024},
    "pingpong": {"size": 64, "warmup": 10, "duration": 0.05},
    "pipelined": {"connections": 4, "messages": 200, "size": 1024, "window": 16},
    "connections": {"count": 100, "settle": 0.05},
}


#: Rounds per repetition: how many times a repetition measures a workload,
#: every stack in turn each time.  ``bulk`` and ``connections`` take under
#: a second a measurement, and on a shared virtual machine one such
#: measurement can be far off the next (raw Twisted alone has ranged over
#: 1,300-4,800 MB/s and 42,000-81,000 accepts/s; see docs/performance.md);
#: more samples of them make their medians steady for a few seconds each.
#: The others run for seconds and vary less.
ROUNDS: dict[str, int] = {"bulk": 4, "connections": 4}


def roundsFor(workload: str, quick: bool, rounds: int | None = None) -> int:
    """Rounds of ``workload`` per repetition (``rounds`` overrides the default of the short ones)."""
    if workload not in ROUNDS or quick:
        return 1
    return ROUNDS[workload] if rounds is None else rounds


def paramsFor(workload: str, quick: bool) -> dict[str, Any]:
    """The parameters of ``workload`` (``pingpong-1core`` shares ``pingpong``'s)."""
    table = QUICK if quick else FULL
    return dict(table[workload.split("-")[0]])


class Metric:
    """One reported figure: which workload produces it, its unit, which way is better."""

    def __init__(self, key: str, workload: str, title: str, unit: str, higherIsBetter: bool) -> None:
        self.key = key
        self.workload = workload
        self.title = title
        self.unit = unit
        self.higherIsBetter = higherIsBetter


#: Every figure of the suite, in table order.  ``key`` is the name of the
#: value in a run's result.
METRICS = [
    Metric("mbps", "bulk", "bulk, 1 GiB in 64 KiB writes", "MB/s", True),
    Metric("rtps", "pingpong", "pingpong, server and client on separate cores", "round trips/s", True),
    Metric("rtps", "pingpong-1core", "pingpong, both pinned to one core", "round trips/s", True),
    Metric("mps", "pipelined", "pipelined echo, 50 connections x 10,000 x 1 KiB, 16 in flight", "messages/s", True),
    Metric("aps", "connections", "connections: accept rate (5,000 idle connections)", "accepts/s", True),
    Metric("kibPerConn", "connections", "connections: server RSS per connection", "KiB", False),
]
