"""
Node's timers: ``setTimeout``, ``setInterval``, ``setImmediate``, ``nextTick``.

Durations are milliseconds, as in Node.  ``setTimeout``/``setInterval`` run
on the reactor's ``callLater`` (cleared timers are cancelled, so nothing is
left on the reactor); ``setImmediate`` and ``nextTick`` go through the
reactor's tick queue (one per reactor, shared by its sockets and
servers), which keeps Node's order: ``nextTick`` callbacks first, then
immediates, each followed by the ticks it queued.  After each timer
callback the ticks it queued run before the next timer, as in Node.

Every :class:`Timeout` and :class:`Immediate` keeps a ``net.run()`` program
alive while it is pending and ref'd; ``unref()`` lets the program end
without it.  An exception raised by a callback (or a failure of the
coroutine or ``Deferred`` it returns) is an uncaught exception: under
``net.run()`` it ends the program, otherwise it is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import iscoroutine
from typing import Any

from twisted.internet.base import DelayedCall
from twisted.internet.defer import Deferred
from twisted.logger import Logger

from . import _loop
from ._args import jsNumber as _toNumber
from ._tick import Scheduler, getReactor, schedulerFor
from .errors import UNSET, inspect, invalidArgType

__all__ = [
    "setTimeout",
    "setInterval",
    "setImmediate",
    "clearTimeout",
    "clearInterval",
    "clearImmediate",
    "nextTick",
    "Timeout",
    "Immediate",
]

_log = Logger()

#: Node's ``TIMEOUT_MAX``: the longest delay, 2 ** 31 - 1 milliseconds.
_TIMEOUT_MAX = 2**31 - 1

def _delay(ms: object) -> float:
    """Node's coercion of a timer duration, in milliseconds."""
    after = _toNumber(ms)
    if not 1 <= after <= _TIMEOUT_MAX:
        if after > _TIMEOUT_MAX:
            _log.warn(
                "TimeoutOverflowWarning: {message}",
                message=f"{inspect(after)} does not fit into a 32-bit signed integer.\n"
                "Timeout duration was set to 1.",
                warningName="TimeoutOverflowWarning",
            )
        after = 1.0
    return after


def _validateCallback(callback: object) -> None:
    if not callable(callback):
        raise invalidArgType("callback", "function", callback)


def _callUser(fn: Callable[..., object], args: tuple[object, ...]) -> None:
    """Call a user callback; what escapes it is an uncaught exception."""
    loop = _loop._current
    if loop is not None and loop.finished:
        # The program has ended (or crashed): as in Node, no more user code.
        return
    try:
        result = fn(*args)
    except BaseException as e:
        _loop.uncaught(e)
        return
    if iscoroutine(result):
        result = Deferred.fromCoroutine(result)
    if isinstance(result, Deferred):
        result.addErrback(_loop.uncaught)


class Timeout:
    """
    A pending ``setTimeout``/``setInterval`` call (Node's ``Timeout``).

    Made by :func:`setTimeout` and :func:`setInterval`; cancel it with
    :func:`clearTimeout` or :meth:`close`.
    """

    def __init__(
        self,
        reactor: Any,
        callback: Callable[..., object],
        after: float,
        args: tuple[object, ...],
        repeat: bool,
    ) -> None:
        self._reactor = reactor
        self._onTimeout: Callable[..., object] | None = callback
        self._timerArgs = args
        self._idleTimeout = after
        self._repeat = repeat
        self._refed = True
        self._counted = False
        self._call: DelayedCall | None = None
        self._insert(reactor.seconds())

    def __repr__(self) -> str:
        kind = "setInterval" if self._repeat else "setTimeout"
        state = "pending" if self._call is not None else "idle"
        ref = "" if self._refed else ", unref'd"
        return f"<Timeout {kind} {inspect(self._idleTimeout)} ms, {state}{ref}>"

    def _insert(self, start: float) -> None:
        """Arm the timer to fire ``_idleTimeout`` ms after ``start``."""
        self._cancelCall()
        delay = max(0.0, start + self._idleTimeout / 1000 - self._reactor.seconds())
        self._call = self._reactor.callLater(delay, self._fire)
        self._report()

    def _cancelCall(self) -> None:
        call, self._call = self._call, None
        if call is not None and call.active():
            call.cancel()

    def _report(self) -> None:
        active = self._call is not None and self._refed
        if active != self._counted:
            self._counted = active
            _loop.setActive(self, active)

    def _fire(self) -> None:
        self._call = None
        start = self._reactor.seconds()
        callback = self._onTimeout
        if callback is not None:
            _callUser(callback, self._timerArgs)
        # As Node: an interval re-arms after its callback (even one that
        # raised), from when it fired, unless the callback cleared it.
        if self._repeat and self._onTimeout is not None:
            self._insert(start)
        self._report()
        loop = _loop._current
        if loop is None or not loop.finished:
            schedulerFor(self._reactor)._drainTicks()

    def _clear(self) -> None:
        self._onTimeout = None
        self._timerArgs = ()
        self._cancelCall()
        self._report()

    def ref(self) -> Timeout:
        """Let this timer keep a ``net.run()`` program alive (the default)."""
        self._refed = True
        self._report()
        return self

    def unref(self) -> Timeout:
        """Let a ``net.run()`` program end while this timer is still pending."""
        self._refed = False
        self._report()
        return self

    def hasRef(self) -> bool:
        """Whether this timer would keep a ``net.run()`` program alive."""
        return self._refed

    def refresh(self) -> Timeout:
        """
        Restart the timer from now with the same duration.

        As in Node this also re-arms a timeout that has already fired; it
        does nothing to a cleared one.
        """
        if self._onTimeout is not None:
            self._insert(self._reactor.seconds())
        return self

    def close(self) -> Timeout:
        """Cancel the timer, as :func:`clearTimeout` does."""
        self._clear()
        return self


class Immediate:
    """A pending ``setImmediate`` call (Node's ``Immediate``)."""

    def __init__(
        self, scheduler: Scheduler, callback: Callable[..., object], args: tuple[object, ...]
    ) -> None:
        self._scheduler = scheduler
        self._onImmediate: Callable[..., object] | None = callback
        self._argv = args
        self._refed = True
        self._counted = False
        self._queued = True
        # One bound method, kept, so that the scheduler can find it to cancel.
        self._run = self._fire
        scheduler.setImmediate(self._run)
        self._report()

    def __repr__(self) -> str:
        state = "pending" if self._queued else "idle"
        ref = "" if self._refed else ", unref'd"
        return f"<Immediate {state}{ref}>"

    def _report(self) -> None:
        active = self._queued and self._refed
        if active != self._counted:
            self._counted = active
            _loop.setActive(self, active)

    def _fire(self) -> None:
        loop = _loop._current
        if not self._refed and loop is not None and getattr(loop, "settling", False):
            # The program is about to end: as in Node, an unref'd immediate
            # runs only in a turn that something else keeps alive.
            self._scheduler.setImmediate(self._run)
            return
        callback, args = self._onImmediate, self._argv
        self._queued = False
        self._onImmediate = None
        self._argv = ()
        self._report()
        if callback is not None:
            _callUser(callback, args)

    def _clear(self) -> None:
        if self._queued:
            self._queued = False
            self._scheduler.cancel(self._run)
        self._onImmediate = None
        self._argv = ()
        self._report()

    def ref(self) -> Immediate:
        """Let this immediate keep a ``net.run()`` program alive (the default)."""
        self._refed = True
        self._report()
        return self

    def unref(self) -> Immediate:
        """Let a ``net.run()`` program end before this immediate has run."""
        self._refed = False
        self._report()
        return self

    def hasRef(self) -> bool:
        """Whether this immediate would keep a ``net.run()`` program alive."""
        return self._refed


def setTimeout(
    callback: Callable[..., object], ms: Any = UNSET, *args: object, reactor: Any = None
) -> Timeout:
    """
    Call ``callback(*args)`` once, ``ms`` milliseconds from now.

    ``ms`` is coerced as Node does: anything that is not a number from 1 to
    2147483647 becomes 1 (above that, a ``TimeoutOverflowWarning`` is logged).
    """
    _validateCallback(callback)
    return Timeout(getReactor(reactor), callback, _delay(ms), args, repeat=False)


def setInterval(
    callback: Callable[..., object], ms: Any = UNSET, *args: object, reactor: Any = None
) -> Timeout:
    """Call ``callback(*args)`` every ``ms`` milliseconds until cleared."""
    _validateCallback(callback)
    return Timeout(getReactor(reactor), callback, _delay(ms), args, repeat=True)


def setImmediate(callback: Callable[..., object], *args: object, reactor: Any = None) -> Immediate:
    """Call ``callback(*args)`` in the next turn, after pending I/O callbacks."""
    _validateCallback(callback)
    return Immediate(schedulerFor(reactor), callback, args)


def nextTick(callback: Callable[..., object], *args: object, reactor: Any = None) -> None:
    """Call ``callback(*args)`` before any other deferred work (``process.nextTick``)."""
    _validateCallback(callback)
    schedulerFor(reactor).nextTick(_callUser, callback, args)


def clearTimeout(timer: object) -> None:
    """Cancel a :class:`Timeout`; anything else (``None`` too) is ignored, as in Node."""
    if isinstance(timer, Timeout):
        timer._clear()


def clearInterval(timer: object) -> None:
    """Cancel a :class:`Timeout` made by :func:`setInterval` (same as :func:`clearTimeout`)."""
    clearTimeout(timer)


def clearImmediate(immediate: object) -> None:
    """
    Cancel an :class:`Immediate`; ``None`` and non-timers are ignored, as in Node.

    Node's timer lists are shared, so its ``clearImmediate`` cancels a
    :class:`Timeout` too; so does this one.
    """
    if isinstance(immediate, (Immediate, Timeout)):
        immediate._clear()
