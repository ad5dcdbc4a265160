"""
Resources, at CI size: memory under backpressure, running out of file
descriptors, and a ``net.run()`` program's exit (the scenarios are
:mod:`tests.soak.memory`, :mod:`tests.soak.exhaust` and
:mod:`tests.soak.shutdown`; every one runs nodenet in its own process).
"""

from __future__ import annotations

import sys

from twisted.trial.unittest import SynchronousTestCase

from .soak import exhaust, memory, shutdown

MIB = 2**20


def _linuxOnly(case: SynchronousTestCase) -> None:
    if not sys.platform.startswith("linux"):
        case.skipTest("measures /proc and RLIMIT_NOFILE as Linux has them")


class MemoryTests(SynchronousTestCase):
    """The RSS of a nodenet process stays bounded under backpressure."""

    def setUp(self) -> None:
        _linuxOnly(self)

    def test_drainingWriter(self) -> None:
        """
        A writer honouring ``'drain'`` sends 128 MiB to a reader of 128 MiB/s:
        everything arrives, ``write()`` did return C{False}, and the writer's
        RSS grew by less than 16 MiB.
        """
        result = memory.drainingWriter(128 * MIB, 128 * MIB)
        self.assertEqual(result["problems"], [], result)

    def test_pausedReader(self) -> None:
        """
        A socket that stays paused while its peer offers 200 MiB: the peer is
        held back by the kernel after a few MiB, the socket read no more than
        its high-water mark and one read, and the RSS grew by less than 16 MiB.
        """
        result = memory.pausedReader(200 * MIB)
        self.assertEqual(result["problems"], [], result)
        self.assertLess(result["peerSent"], 64 * MIB)


class DescriptorExhaustionTests(SynchronousTestCase):
    """A server under a low ``ulimit -n``."""

    def setUp(self) -> None:
        _linuxOnly(self)

    def test_exhaustedThenServesAgain(self) -> None:
        """
        With 48 descriptors and 88 connections: the server logs ``EMFILE``,
        keeps listening, closes the connections it cannot keep, uses almost
        no CPU while exhausted (no busy loop), and once the held
        connections are released it serves a new one.  The server runs on
        the same reactor as this test run.
        """
        result = exhaust.exhaust(48, 40, exhaust.reactorName())
        self.assertEqual(result["problems"], [], result)
        self.assertTrue(result["servedAgain"])


class RunExitTests(SynchronousTestCase):
    """``net.run()`` returns promptly once its last referenced handle is gone."""

    def test_exitWithin100ms(self) -> None:
        """
        In every program of :data:`tests.soak.shutdown.PROGRAMS` (the last
        handle a server, a socket, a timer, ``main`` with only unref'd
        handles, a server after 200 connections), ``net.run()`` returns
        less than 100 ms after the last handle went and the process exits 0.
        """
        results = {name: shutdown.measure(name) for name in shutdown.PROGRAMS}
        slow = {
            name: result for name, result in results.items()
            if result["exitCode"] != 0 or result.get("delay") is None
            or result["delay"] >= shutdown.LIMIT
        }
        self.assertEqual(slow, {})
