"""
Node's ``EventEmitter`` and ``events.once``, with Node v20's semantics.

Everything in nodenet that emits events (sockets, servers) is an
:class:`EventEmitter`.  The behaviour follows Node's ``events`` module to
the detail: the order of ``'newListener'`` and ``'removeListener'`` events,
which object those events carry, the max-listeners warning, the error an
unhandled ``'error'`` raises, and the rule that listeners added or removed
while an event is being emitted do not change that emit.

Listeners are stored per event as Node stores them: a lone listener as
itself, several as a tuple that is replaced, never mutated, when a listener
is added or removed.  ``emit`` therefore calls or iterates what it looked
up without copying it, and costs little more than a dictionary lookup and
a call; an emitter with one listener per event holds no tuple at all.

Python additions: a listener may be an ``async def`` function or return a
:class:`~twisted.internet.defer.Deferred`.  A failure of what it returns
is logged through ``twisted.logger`` as an unhandled failure; on a socket it
is an uncaught exception instead (under ``net.run()`` it ends the program)
and the socket is destroyed.  Listeners are matched for removal with ``==``
(so ``off('data', self.onData)`` finds the bound method
``on('data', self.onData)`` added), and an event name may be any hashable
object (a non-string plays the part of a JavaScript ``Symbol``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Coroutine, Hashable
from types import CoroutineType
from typing import Any, ClassVar, TypeVar

from twisted.internet.defer import Deferred
from twisted.logger import Logger
from twisted.python.failure import Failure

from ._args import jsString
from .errors import UNSET, NodeError, invalidArgType, makeError, outOfRange

__all__ = ["EventEmitter", "once"]

_log = Logger()

_E = TypeVar("_E", bound="EventEmitter")

_Listener = Callable[..., Any]
#: What ``_events`` maps an event to: the listener, or a tuple of two or more.
_Stored = Any


def _asTuple(stored: _Stored) -> tuple[_Listener, ...]:
    """The listeners of one ``_events`` entry, as a tuple."""
    if stored is None:
        return ()
    return stored if type(stored) is tuple else (stored,)

# Largest JavaScript array index plus one: property keys below it that are
# canonical decimal strings are "integer indices" and come first, ascending,
# in JavaScript's own-key order.
_INDEX_LIMIT = 2**32 - 1


def _isArrayIndex(key: str) -> bool:
    return (
        key.isdigit()
        and key.isascii()
        and (key == "0" or key[0] != "0")
        and int(key) < _INDEX_LIMIT
    )


def _ownKeys(events: dict[Hashable, _Stored]) -> list[Hashable]:
    """The event names in JavaScript's ``Reflect.ownKeys`` order."""
    indices: list[str] = []
    names: list[Hashable] = []
    symbols: list[Hashable] = []
    for key in events:
        if isinstance(key, str):
            if key[:1].isdigit() and _isArrayIndex(key):
                indices.append(key)
            else:
                names.append(key)
        else:
            symbols.append(key)
    if indices:
        indices.sort(key=int)
        return [*indices, *names, *symbols]
    return names + symbols if symbols else names


def _key(event: Any) -> Hashable:
    """
    The key ``event`` is stored under: itself, or, for a value Python cannot
    hash (a list, a dict), its JavaScript ``String()``, the property key
    JavaScript makes of it (``[]`` is ``''``, ``{}`` is ``'[object Object]'``).
    """
    if getattr(event, "__hash__", None) is None:
        return jsString(event)
    return event  # type: ignore[no-any-return]


def _checkListener(listener: object) -> None:
    if not callable(listener):
        raise invalidArgType("listener", "function", listener)


def _unwrap(listener: _Listener) -> _Listener:
    original = getattr(listener, "listener", None)
    return original if callable(original) else listener


def _unhandledError(args: tuple[Any, ...]) -> NodeError:
    """Node's ``ERR_UNHANDLED_ERROR`` for an ``'error'`` event's non-exception value."""
    value = args[0] if args else UNSET
    if value is UNSET:
        err = NodeError("Unhandled error. (undefined)", "ERR_UNHANDLED_ERROR")
    else:
        err = makeError("ERR_UNHANDLED_ERROR", value)
    setattr(err, "context", value)
    return err


class _OnceWrapper:
    """
    The listener ``once()`` registers: removes itself, then calls the original.

    It is what :meth:`EventEmitter.rawListeners` returns for a ``once``
    listener; ``.listener`` is the original, and calling it directly behaves
    as in Node (the first call removes it and calls the original, later
    calls do nothing).
    """

    __slots__ = ("listener", "_emitter", "_event", "_fired")

    def __init__(self, emitter: EventEmitter, event: Hashable, listener: _Listener) -> None:
        self.listener = listener
        self._emitter = emitter
        self._event = event
        self._fired = False

    def __call__(self, *args: Any) -> Any:
        if self._fired:
            return None
        self._emitter.removeListener(self._event, self)
        self._fired = True
        return self.listener(*args)

    def __repr__(self) -> str:
        return f"<once wrapper of {self.listener!r}>"


class EventEmitter:
    """
    Node's ``EventEmitter``: named events with ordered listeners.

    Subclasses call ``super().__init__()`` and may declare their own
    ``__slots__`` (instances already support weak references, so a
    subclass must not list ``__weakref__`` again).
    """

    __slots__ = ("_events", "_maxListeners", "_warned", "__weakref__")

    #: The listener limit of emitters that have not called
    #: :meth:`setMaxListeners` (Node's ``EventEmitter.defaultMaxListeners``).
    defaultMaxListeners: ClassVar[float] = 10

    _events: dict[Hashable, _Stored]
    _maxListeners: float | None
    _warned: set[Hashable] | None

    def __init__(self) -> None:
        self._events = {}
        self._maxListeners = None
        self._warned = None

    # -- emitting -----------------------------------------------------------

    def emit(self, event: Hashable, *args: Any) -> bool:
        """
        Call every listener of ``event`` with ``args``, in order.

        Returns whether there were listeners.  A listener's exception
        propagates (the remaining listeners are not called).  ``'error'``
        with no listener raises its argument if that is an exception, else
        ``ERR_UNHANDLED_ERROR``.
        """
        try:
            handlers = self._events.get(event)
        except TypeError:
            handlers = self._events.get(_key(event))
        if handlers is None:
            if event == "error":
                if args and isinstance(args[0], BaseException):
                    raise args[0]
                raise _unhandledError(args)
            return False
        # Only a coroutine or a Deferred needs watching; a listener such as
        # ``socket.write`` returns a bool, which must not cost a type check.
        if type(handlers) is not tuple:
            result = handlers(*args)
            if result is not None and result is not True and result is not False:
                self._adopt(result)
        else:
            for handler in handlers:
                result = handler(*args)
                if result is not None and result is not True and result is not False:
                    self._adopt(result)
        return True

    def _adopt(self, result: object) -> None:
        """Watch a listener's coroutine or Deferred for failure."""
        if isinstance(result, Deferred):
            result.addErrback(self._listenerFailed)
        elif type(result) is CoroutineType or isinstance(result, Coroutine):
            Deferred.fromCoroutine(result).addErrback(self._listenerFailed)

    def _listenerFailed(self, failure: Failure) -> None:
        """
        Handle the failure of an asynchronous listener.

        The default logs it through ``twisted.logger`` as an unhandled
        failure; subclasses override it (a socket destroys itself).
        """
        _log.failure(
            "Unhandled error in an asynchronous listener of {emitter!r}",
            failure=failure,
            emitter=self,
        )

    # -- adding -------------------------------------------------------------

    def _addListener(self: _E, event: Hashable, listener: _Listener, prepend: bool) -> _E:
        events = self._events
        if "newListener" in events:
            original = getattr(listener, "listener", None)
            self.emit("newListener", event, listener if original is None else original)
            events = self._events
        event = _key(event)
        existing = events.get(event)
        if existing is None:
            events[event] = listener
            return self
        if type(existing) is not tuple:
            existing = (existing,)
        handlers = (listener, *existing) if prepend else (*existing, listener)
        events[event] = handlers
        limit = self._maxListeners
        if limit is None:
            limit = self.defaultMaxListeners
        count = len(handlers)
        if 0 < limit < count:
            warned = self._warned
            if warned is None:
                warned = self._warned = set()
            if event not in warned:
                warned.add(event)
                self._warnLeak(event, count, limit)
        return self

    def _warnLeak(self, event: Hashable, count: int, limit: float) -> None:
        shown = limit if not (isinstance(limit, float) and limit.is_integer()) else int(limit)
        _log.warn(
            "Possible EventEmitter memory leak detected. {count} {type} listeners "
            "added to [{className}]. MaxListeners is {limit}. "
            "Use emitter.setMaxListeners() to increase limit",
            name="MaxListenersExceededWarning",
            emitter=self,
            type=event,
            count=count,
            limit=shown,
            # As Node's constructor name; a private class says which it stands for.
            className=type(self).__dict__.get("_nodeClassName", type(self).__name__),
        )

    def on(self: _E, event: Hashable, listener: _Listener) -> _E:
        """Add ``listener`` at the end of ``event``'s listeners; returns ``self``."""
        if not callable(listener):
            raise invalidArgType("listener", "function", listener)
        return self._addListener(event, listener, False)

    addListener = on

    def prependListener(self: _E, event: Hashable, listener: _Listener) -> _E:
        """Add ``listener`` at the start of ``event``'s listeners; returns ``self``."""
        _checkListener(listener)
        return self._addListener(event, listener, True)

    def once(self: _E, event: Hashable, listener: _Listener) -> _E:
        """Add ``listener`` for the next ``event`` only; returns ``self``."""
        _checkListener(listener)
        return self._addListener(event, _OnceWrapper(self, event, listener), False)

    def prependOnceListener(self: _E, event: Hashable, listener: _Listener) -> _E:
        """Add a one-time ``listener`` at the start of ``event``'s listeners."""
        _checkListener(listener)
        return self._addListener(event, _OnceWrapper(self, event, listener), True)

    # -- removing -----------------------------------------------------------

    def removeListener(self: _E, event: Hashable, listener: _Listener) -> _E:
        """
        Remove the most recently added instance of ``listener`` from ``event``.

        A listener that is not there is ignored; returns ``self``.
        """
        _checkListener(listener)
        events = self._events
        event = _key(event)
        stored = events.get(event)
        if stored is None:
            return self
        handlers = _asTuple(stored)
        index = len(handlers) - 1
        while index >= 0:
            handler = handlers[index]
            if handler == listener or getattr(handler, "listener", None) == listener:
                break
            index -= 1
        else:
            return self
        if len(handlers) == 1:
            del events[event]
            if self._warned:
                self._warned.discard(event)
            if "removeListener" in events:
                self.emit("removeListener", event, getattr(handler, "listener", None) or listener)
        else:
            remaining = handlers[:index] + handlers[index + 1 :]
            events[event] = remaining if len(remaining) > 1 else remaining[0]
            if len(remaining) == 1 and self._warned:
                self._warned.discard(event)
            if "removeListener" in events:
                self.emit("removeListener", event, listener)
        return self

    off = removeListener

    def removeAllListeners(self: _E, event: Hashable | None = None) -> _E:
        """
        Remove every listener of ``event``, or of every event when it is ``None``.

        Each removal emits ``'removeListener'`` (last added first, and
        ``'removeListener'``'s own listeners last), as in Node.
        """
        events = self._events
        event = _key(event)
        if "removeListener" not in events:
            if event is None:
                self._events = {}
                self._warned = None
            elif event in events:
                del events[event]
                if self._warned:
                    self._warned.discard(event)
            return self
        if event is None:
            for key in _ownKeys(events):
                if key != "removeListener":
                    self.removeAllListeners(key)
            self.removeAllListeners("removeListener")
            self._events = {}
            self._warned = None
            return self
        handlers = events.get(event)
        if handlers is not None:
            for handler in reversed(_asTuple(handlers)):
                self.removeListener(event, handler)
        return self

    # -- inspecting ---------------------------------------------------------

    def listeners(self, event: Hashable) -> list[_Listener]:
        """A copy of ``event``'s listeners, ``once`` listeners unwrapped."""
        return [_unwrap(handler) for handler in _asTuple(self._events.get(_key(event)))]

    def rawListeners(self, event: Hashable) -> list[_Listener]:
        """A copy of ``event``'s listeners, ``once`` listeners as their wrappers."""
        return list(_asTuple(self._events.get(_key(event))))

    def listenerCount(self, event: Hashable, listener: _Listener | None = None) -> int:
        """How many listeners ``event`` has (only those equal to ``listener`` if given)."""
        handlers = _asTuple(self._events.get(_key(event)))
        if listener is None:
            return len(handlers)
        return sum(
            1
            for handler in handlers
            if handler == listener or getattr(handler, "listener", None) == listener
        )

    def eventNames(self) -> list[Hashable]:
        """The events that have listeners, in Node's order."""
        return _ownKeys(self._events)

    def setMaxListeners(self: _E, n: float) -> _E:
        """
        Warn when an event gets more than ``n`` listeners (0: never); returns ``self``.

        Like Node, ``n`` must be a non-negative number.
        """
        if isinstance(n, bool) or not isinstance(n, (int, float)):
            raise invalidArgType("setMaxListeners", "number", n)
        if math.isnan(n) or n < 0:
            raise outOfRange("setMaxListeners", ">= 0", n)
        self._maxListeners = n
        return self

    def getMaxListeners(self) -> float:
        """The listener limit: as set, else :attr:`defaultMaxListeners`."""
        limit = self._maxListeners
        return self.defaultMaxListeners if limit is None else limit


def _asException(value: object) -> BaseException:
    if isinstance(value, BaseException):
        return value
    return _unhandledError((value,))


def once(emitter: EventEmitter, name: Hashable) -> Deferred[list[Any]]:
    """
    A Deferred that fires with the arguments of ``emitter``'s next ``name`` event.

    Node's ``events.once``: it fails with the error if ``'error'`` is
    emitted first (unless ``name`` is ``'error'``), and its listeners are
    removed once it has fired.  Cancelling it removes them too.  An
    ``'error'`` value that is not an exception fails it with
    ``ERR_UNHANDLED_ERROR``, whose ``context`` is the value.
    """

    def cancel(deferred: Deferred[list[Any]]) -> None:
        emitter.removeListener(name, resolver)
        if name != "error":
            emitter.removeListener("error", errorListener)

    result: Deferred[list[Any]] = Deferred(cancel)

    def errorListener(*args: Any) -> None:
        emitter.removeListener(name, resolver)
        result.errback(_asException(args[0] if args else UNSET))

    def resolver(*args: Any) -> None:
        emitter.removeListener("error", errorListener)
        result.callback(list(args))

    emitter.once(name, resolver)
    if name != "error":
        emitter.once("error", errorListener)
    return result
