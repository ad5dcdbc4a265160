"""
Load, at CI size: many concurrent connections held open and all echoing,
and ``maxConnections`` enforced exactly under a burst of connects (the
scenarios are :mod:`tests.soak.load`; the soak run holds 5,000
connections).

The clients run in their own process.  Under the select reactor the server
process may use only descriptors below ``FD_SETSIZE`` (1024), so the
concurrent test holds 800 connections there instead of 1,000.
"""

from __future__ import annotations

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.trial.unittest import TestCase

from .soak import load


def concurrency() -> int:
    """How many connections this reactor can hold in this test."""
    return 800 if type(reactor).__name__ == "SelectReactor" else 1000


class ConcurrentConnectionsTests(TestCase):
    """Connections held open at once, then all echoing."""

    timeout = 120

    def test_heldOpenThenEchoing(self) -> Deferred[None]:
        """
        Every connection is accepted and answered promptly while the others
        stay open (none takes a second, the mark of a stalled accept), and
        then every one of them echoes its message: all answered, none lost.
        """
        n = concurrency()

        async def check() -> None:
            result = await load.concurrentEcho(n, batch=100)
            self.assertEqual(
                (result["connected"], result["failed"], result["acceptedBeforeEcho"],
                 result["answered"], result["stalled"]),
                (n, 0, n, n, 0),
                result,
            )

        return Deferred.fromCoroutine(check())


class MaxConnectionsBurstTests(TestCase):
    """``maxConnections`` under a burst of connects."""

    timeout = 120

    def test_burstOfThousand(self) -> Deferred[None]:
        """
        A burst of 1,000 connects against ``maxConnections = 100``: exactly
        100 ``'connection'`` events and 900 ``'drop'`` events, the 900 closed
        by the server, the 100 kept open.
        """

        async def check() -> None:
            result = await load.maxConnectionsBurst(1000, 100)
            self.assertEqual(
                (result["connections"], result["drops"], result["serverConnections"],
                 result["clientConnected"], result["closedByServer"]),
                (100, 900, 100, 1000, 900),
                result,
            )

        return Deferred.fromCoroutine(check())
