"""
Load, at the issue's sizes: 5,000 concurrent connections held open and
then all echoing, and ``maxConnections`` enforced exactly under a burst of
1,000 connects (the scenarios are :mod:`tests.soak.load`, which also runs
them as a standalone program).

The clients run in their own process.  Under the select reactor the server
process may use only descriptors below ``FD_SETSIZE`` (1024), so the
concurrent test holds 800 connections there instead of 5,000.
"""

from __future__ import annotations

import resource

from twisted.internet import reactor
from twisted.internet.defer import Deferred
from twisted.trial.unittest import TestCase

from .soak import load


def concurrency() -> int:
    """How many connections this reactor can hold in this test."""
    return 800 if type(reactor).__name__ == "SelectReactor" else 5000


class ConcurrentConnectionsTests(TestCase):
    """Connections held open at once, then all echoing."""

    timeout = 120

    def setUp(self) -> None:
        # Both processes need a descriptor per connection, and more: raise the
        # soft limit as far as the hard one allows (the client inherits it).
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = concurrency() + 1000
        if soft != resource.RLIM_INFINITY and soft < need:
            if hard != resource.RLIM_INFINITY and hard < need:
                self.skipTest(f"needs {need} descriptors; the hard limit is {hard}")
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))

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
