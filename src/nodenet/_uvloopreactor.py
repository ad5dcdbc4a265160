"""
Twisted's asyncio reactor on a uvloop event loop: ``--reactor=uvloop``.

The ``twisted/plugins`` file declares it as a reactor, so that ``twistd``
and ``trial`` (and trial's ``-j`` workers, which get the same option) can
pick it by name.  uvloop is an optional dependency: without it, installing
this reactor fails with the ``ImportError`` that says so.

One repair: uvloop takes the signal wakeup descriptor over while it runs,
so Twisted's SIGCHLD waker never hears of exiting children and a child
that exits after closing its pipes stays a zombie, its ``processEnded``
never called.  This reactor's SIGCHLD handler asks the loop to reap
instead (uvloop runs Python signal handlers as soon as a signal wakes it).

A limitation this reactor does not repair: uvloop may stop reporting a
socket whose peer reset the connection while it was being read (the
descriptor polls readable with an error pending, and the reader is not
called again), so such a connection is not seen to close.
"""

from __future__ import annotations

import signal
from typing import Any

from twisted.internet import process
from twisted.internet._signals import _MultiSignalHandling
from twisted.internet.asyncioreactor import AsyncioSelectorReactor

__all__ = ["install"]


class _ReapOnChildSignal:
    """SIGCHLD handling that works under uvloop: reap on the loop's next turn."""

    def __init__(self, loop: Any) -> None:
        self._loop = loop
        self._previous: Any = None

    def _onChild(self, signum: int, frame: Any) -> None:
        self._loop.call_soon_threadsafe(process.reapAllProcesses)

    def install(self) -> None:
        self._previous = signal.signal(signal.SIGCHLD, self._onChild)
        signal.siginterrupt(signal.SIGCHLD, False)
        # a child that exited before this handler was in place
        self._loop.call_soon_threadsafe(process.reapAllProcesses)

    def uninstall(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGCHLD, self._previous)
            self._previous = None


class UvloopReactor(AsyncioSelectorReactor):
    """The asyncio reactor, on uvloop, with child processes reaped."""

    def _signalsFactory(self) -> Any:
        handling = super()._signalsFactory()
        if not hasattr(signal, "SIGCHLD"):
            return handling
        # Installed after Twisted's own SIGCHLD handling, so that it wins.
        return _MultiSignalHandling((handling, _ReapOnChildSignal(self._asyncioEventloop)))


def install() -> None:
    """Install the asyncio reactor on a new uvloop event loop."""
    import asyncio

    import uvloop
    from twisted.internet.main import installReactor

    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    installReactor(UvloopReactor(loop))  # type: ignore[no-untyped-call]
