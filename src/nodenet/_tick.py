"""
Node's deferral levels on any Twisted reactor (or ``task.Clock``).

Node orders deferred work in phases: ``process.nextTick`` callbacks run
before anything else, ``setImmediate`` callbacks run after I/O, and handle
close callbacks (which emit ``'close'``) run after the immediates of the same
loop turn.  nodenet relies on that order (``'error'`` strictly before
``'close'``, a user ``setImmediate`` queued at ``destroy()`` time before
``'close'``), and Twisted's ``callLater(0)`` calls with equal times are not
ordered among themselves, so one :class:`Scheduler` per reactor keeps three
FIFO queues and drains them from a single ``callLater(0)``:

1. every tick (including ticks queued while draining);
2. the immediates queued before this turn began, each followed by the ticks
   it queued;
3. the close callbacks queued before this turn began, likewise.

Immediates and close callbacks wait for the reactor to poll for I/O once
after they were queued (Node's check and close phases follow its poll
phase), and anything queued by phases 2 and 3 for their own phase waits for
the next turn, as in Node.  nodenet also drains the ticks when each reactor
callback it handles returns (:meth:`Scheduler.drainTicks`), so ticks run
before other I/O, as Node's do.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from twisted.internet.interfaces import IDelayedCall

__all__ = ["Scheduler", "schedulerFor", "getReactor"]


def getReactor(reactor: Any = None) -> Any:
    """The given reactor, or the global one, looked up only now."""
    if reactor is not None:
        return reactor
    from twisted.internet import reactor as globalReactor

    return globalReactor


_Call = tuple[Callable[..., object], tuple[object, ...]]


class Scheduler:
    """Three ordered queues of deferred calls, drained on one reactor."""

    __slots__ = (
        "reactor",
        "_ticks",
        "_immediates",
        "_closes",
        "_call",
        "_onError",
        "_draining",
        "hold",
        "_lateTurn",
        "__weakref__",
    )

    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor
        self._ticks: deque[_Call] = deque()
        self._immediates: deque[_Call] = deque()
        self._closes: deque[_Call] = deque()
        self._call: IDelayedCall | None = None
        self._onError: Callable[[BaseException], None] | None = None
        self._draining = False
        #: Non-zero while nodenet itself calls into Twisted from inside user
        #: code (a destroy() that closes the transport at once): callbacks
        #: that re-enter then must not run ticks in the middle of that code.
        self.hold = 0
        self._lateTurn = False

    def pending(self) -> bool:
        """Whether any call is still queued."""
        return bool(self._ticks or self._immediates or self._closes)

    def _schedule(self) -> None:
        if self._call is None:
            self._call = self.reactor.callLater(0, self._run)

    def nextTick(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` before any other deferred work."""
        self._ticks.append((fn, args))
        if self._call is None:
            self._call = self.reactor.callLater(0, self._run)

    def setImmediate(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` in the next turn's immediate phase."""
        self._immediates.append((fn, args))
        self._schedule()

    def onClose(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` in the close phase, after this turn's immediates."""
        self._closes.append((fn, args))
        self._schedule()

    def cancel(self, fn: Callable[..., object]) -> bool:
        """Remove the queued calls of ``fn`` from every queue."""
        found = False
        for queue in (self._ticks, self._immediates, self._closes):
            for item in list(queue):
                if item[0] is fn:
                    queue.remove(item)
                    found = True
        return found

    def _invoke(self, fn: Callable[..., object], args: tuple[object, ...]) -> None:
        try:
            fn(*args)
        except BaseException as e:
            handler = self._onError
            if handler is None:
                from twisted.logger import Logger

                Logger().failure("Unhandled exception in a deferred call")
            else:
                handler(e)

    def drainTicks(self) -> None:
        """
        Run every queued tick now (Node runs them when a callback returns).

        nodenet calls this at the end of each reactor callback it handles, so
        ticks run before the reactor goes on to other I/O, as in Node.  Not
        re-entrant: a tick that leads here again leaves the queue to the
        outer loop.
        """
        if self._draining or self.hold:
            return
        ticks = self._ticks
        self._draining = True
        try:
            while ticks:
                fn, args = ticks.popleft()
                self._invoke(fn, args)
        finally:
            self._draining = False

    _drainTicks = drainTicks

    def _run(self) -> None:
        self._call = None
        self.drainTicks()
        if self._immediates or self._closes:
            if not self._lateTurn:
                # Node runs immediates (and then close callbacks) after the
                # loop's I/O phase: let the reactor poll once before them.
                self._lateTurn = True
                self._schedule()
                return
            self._lateTurn = False
            for queue in (self._immediates, self._closes):
                for _ in range(len(queue)):
                    if not queue:
                        break
                    fn, args = queue.popleft()
                    self._invoke(fn, args)
                    self.drainTicks()
        if self.pending():
            self._schedule()


_schedulers: weakref.WeakKeyDictionary[Any, Scheduler] = weakref.WeakKeyDictionary()


#: The last reactor asked about and its scheduler: every socket asks, and
#: almost always about the same reactor.
_last: tuple[Any, Scheduler] | None = None


def schedulerFor(reactor: Any = None) -> Scheduler:
    """The :class:`Scheduler` of ``reactor`` (default: the global reactor)."""
    global _last
    reactor = getReactor(reactor)
    last = _last
    if last is not None and last[0] is reactor:
        return last[1]
    try:
        scheduler = _schedulers[reactor]
    except KeyError:
        scheduler = _schedulers[reactor] = Scheduler(reactor)
    _last = (reactor, scheduler)
    return scheduler
