"""
Node's process model on a Twisted reactor: :func:`run`, ref/unref, crashes.

A Node program ends by itself once nothing *referenced* is left to wait
for: no listening server, no open socket, no pending lookup, no timer and no
queued ``nextTick``/``setImmediate`` work.  Twisted's reactor has no such
notion; it runs until ``reactor.stop()``.  :func:`run` bridges the two:

- every nodenet handle calls :func:`setActive` whenever whether it is
  "active and ref'd" changes; while :func:`run` is in progress those handles
  are kept in one table, and outside it the call is a single global check;
- after each change an exit check is queued with ``callLater(0)``, so that
  events queued in the same turn settle first; the program ends when two
  checks in a row (the second one a turn later) find that ``main`` is
  done, the table is empty and the :class:`~nodenet._tick.Scheduler` has
  no work that keeps it alive (an unref'd ``setImmediate`` does not, and
  does not run meanwhile, as in Node);
- an exception escaping a user callback goes to :func:`uncaught`: under
  :func:`run` it ends the program and :func:`run` raises it, the way Node
  crashes the process; otherwise it is logged as an unhandled failure.

Only nodenet's handles are counted.  Work scheduled straight on the reactor
(a raw ``callLater``, a Twisted client's connection) is invisible to this
scheme; :func:`run` still waits for ``main`` itself, so ``await``-ing such
work inside ``main`` keeps the program alive until it is done.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from twisted.internet import error as _terror
from twisted.internet.base import DelayedCall
from twisted.internet.defer import maybeDeferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from ._tick import Scheduler, getReactor, schedulerFor
from .errors import NodeError

__all__ = ["run", "setActive", "uncaught"]

_log = Logger()

#: The :class:`_Loop` of the :func:`run` in progress, or ``None``.
_current: _Loop | None = None

#: Whether :func:`run` has been called in this process.
_ran = False


def setActive(handle: object, active: bool) -> None:
    """
    Tell the running :func:`run` loop whether ``handle`` keeps it alive.

    Every handle (listening server, socket, timer, pending lookup) calls this
    whenever "active and ref'd" changes for it; repeated calls with the same
    value are harmless.  Without a :func:`run` in progress it does nothing.
    """
    loop = _current
    if loop is not None:
        loop.setActive(handle, active)


def uncaught(exc: BaseException | Failure) -> None:
    """
    Report an exception that escaped a user listener or callback.

    Under :func:`run` the first such exception stops the program and
    :func:`run` raises it, as an uncaught exception crashes a Node process.
    Otherwise it is logged through :mod:`twisted.logger` as an unhandled
    failure (so trial fails the test) and the reactor goes on.
    """
    loop = _current
    if loop is not None and loop.fail(exc):
        return
    failure = exc if isinstance(exc, Failure) else Failure(exc)  # type: ignore[no-untyped-call]
    _log.failure("Unhandled exception in a nodenet callback", failure)


def _invalidState(detail: str) -> NodeError:
    return NodeError(f"Invalid state: {detail}", "ERR_INVALID_STATE")


def _keepsAlive(scheduler: Scheduler) -> bool:
    """Whether ``scheduler`` holds work that must run before the program ends."""
    if not scheduler.pending():
        return False
    if scheduler._ticks or scheduler._closes:
        return True
    from .timers import Immediate

    for fn, _ in scheduler._immediates:
        owner = getattr(fn, "__self__", None)
        if not (isinstance(owner, Immediate) and not owner.hasRef()):
            return True
    return False


class _Loop:
    """The state of one :func:`run`: its referenced handles and its outcome."""

    def __init__(self, reactor: Any, scheduler: Scheduler) -> None:
        self.reactor = reactor
        self.scheduler = scheduler
        self.handles: dict[int, object] = {}
        self.mainDone = False
        self.result: object = None
        self.error: tuple[BaseException, TracebackType | None] | None = None
        self.finished = False
        #: The last check found nothing alive; the next one, if it agrees,
        #: ends the program.  Unref'd immediates wait meanwhile.
        self.settling = False
        self._check: DelayedCall | None = None

    def start(self, main: Callable[..., object], args: tuple[object, ...]) -> None:
        """Call ``main(*args)`` and watch its outcome."""
        d = maybeDeferred(main, *args)
        d.addCallbacks(self._mainDone, self._mainFailed)

    def _mainDone(self, result: object) -> None:
        self.mainDone = True
        self.result = result
        self.evaluate()

    def _mainFailed(self, failure: Failure) -> None:
        uncaught(failure)

    def setActive(self, handle: object, active: bool) -> None:
        """Count ``handle`` as keeping the program alive, or stop counting it."""
        if active:
            self.handles[id(handle)] = handle
            self.settling = False
        else:
            self.handles.pop(id(handle), None)
            self.schedule()

    def schedule(self) -> None:
        """Queue an exit check for the next reactor turn (at most one at a time)."""
        if self._check is None and not self.finished:
            self._check = self.reactor.callLater(0, self._maybeExit)

    def _maybeExit(self) -> None:
        self._check = None
        self.evaluate()

    def evaluate(self) -> None:
        """
        End the program once ``main`` is done and nothing has kept it alive
        for two checks in a row.

        The first idle check only starts "settling": a fresh check is queued
        for the next turn, after everything already queued on the reactor
        (a port's or connection's own ``callLater(0)`` teardown, for
        example) and after one more poll for I/O; only if that one still
        finds nothing does the program end.
        """
        if self.finished or not self.mainDone or self.handles:
            self.settling = False
            return
        if _keepsAlive(self.scheduler):
            self.settling = False
            self.schedule()
            return
        if self.settling:
            self.finish()
            return
        self.settling = True
        self.cancelCheck()
        self.schedule()

    def fail(self, exc: BaseException | Failure) -> bool:
        """
        Record the program's crash and stop it; ``False`` once it has ended.

        Only the first exception is kept; the later ones are ignored, as a
        Node process cannot crash twice.
        """
        if self.finished:
            return False
        value = exc.value if isinstance(exc, Failure) else exc
        assert isinstance(value, BaseException)
        tb = exc.tb if isinstance(exc, Failure) else None
        self.error = (value, tb if tb is not None else value.__traceback__)
        self.finish()
        return True

    def finish(self) -> None:
        """End the program: stop the reactor (once)."""
        if self.finished:
            return
        self.finished = True
        self.cancelCheck()
        # Node runs nothing more once it exits or crashes: drop the queued
        # turn of deferred calls (only unref'd immediates, unless crashing).
        call: Any = self.scheduler._call
        self.scheduler._call = None
        if call is not None and call.active():
            call.cancel()
        try:
            self.reactor.stop()
        except _terror.ReactorNotRunning:
            pass

    def cancelCheck(self) -> None:
        """Drop a queued exit check."""
        if self._check is not None:
            if self._check.active():
                self._check.cancel()
            self._check = None


_exitSignals = [
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGBREAK") if hasattr(signal, name)
]


def run(main: Callable[..., object], *args: object, reactor: Any = None) -> Any:
    """
    Run ``main(*args)`` as a Node program and return its result.

    Starts the reactor (the global one unless ``reactor`` is given), calls
    ``main`` (a plain function, an ``async def`` function, or one returning a
    ``Deferred``) and returns once ``main`` is done and nothing referenced
    is left: no active handle that was not ``unref()``'d and no pending
    ``nextTick``/``setImmediate`` work.  Handles must be created inside
    ``main`` (or by what it starts), not before :func:`run`.

    If ``main`` fails, or an exception escapes a callback while the program
    runs, the program stops and that exception is raised from here.  On
    SIGINT or SIGTERM the reactor shuts down cleanly, the previous signal
    handlers are put back and the signal is delivered again, so SIGINT
    raises :class:`KeyboardInterrupt` and SIGTERM ends the process as
    Python's default handler does.  If other code stops the reactor,
    ``main``'s result (or ``None`` if it is not done) is returned.

    A Twisted reactor cannot be restarted, so :func:`run` can be called once
    per process; a second call, or a call while the reactor is already
    running or has run, raises :class:`~nodenet.errors.NodeError` with code
    ``'ERR_INVALID_STATE'``.  It never calls :func:`sys.exit`.
    """
    global _current, _ran
    reactor = getReactor(reactor)
    if _ran:
        raise _invalidState("net.run() was already called; it can run only once per process")
    if getattr(reactor, "running", False) or getattr(reactor, "_startedBefore", False):
        raise _invalidState("the reactor is already running or has run; it cannot be restarted")
    _ran = True
    scheduler = schedulerFor(reactor)
    loop = _Loop(reactor, scheduler)
    previousOnError = scheduler._onError
    inMainThread = threading.current_thread() is threading.main_thread()
    handlers = {sig: signal.getsignal(sig) for sig in _exitSignals} if inMainThread else {}
    scheduler._onError = uncaught
    _current = loop
    reactor.callWhenRunning(loop.start, main, args)
    try:
        reactor.run(installSignalHandlers=inMainThread)
    finally:
        _current = None
        loop.finished = True
        loop.cancelCheck()
        scheduler._onError = previousOnError
        pool = getattr(reactor, "threadpool", None)
        if pool is not None:
            pool.stop()
        for sig, handler in handlers.items():
            if handler is not None:
                signal.signal(sig, handler)
    if loop.error is not None:
        value, tb = loop.error
        loop.error = None
        raise value.with_traceback(tb)
    exitSignal = getattr(reactor, "_exitSignal", None)
    if exitSignal is not None and exitSignal in handlers:
        signal.raise_signal(exitSignal)
    return loop.result
