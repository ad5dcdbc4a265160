"""
Tests for L{nodenet.events}: Node's EventEmitter and events.once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import weakref
from collections.abc import Callable
from typing import Any

from twisted.internet.defer import (
    CancelledError,
    Deferred,
    fail,
    inlineCallbacks,
    succeed,
)
from twisted.logger import formatEvent, globalLogPublisher
from twisted.python.failure import Failure
from twisted.trial.unittest import SynchronousTestCase

from nodenet.errors import NodeError, NodeRangeError, NodeTypeError
from nodenet.events import EventEmitter, once


def _name(listener: Any) -> str:
    """A listener's name as the traces show it; once wrappers are marked."""
    original = getattr(listener, "listener", None)
    if callable(original):
        return "wrapper:" + original.__name__
    return listener.__name__  # type: ignore[no-any-return]


def _captureWarnings(testCase: SynchronousTestCase) -> list[str]:
    """Collect the text of every max-listeners warning logged during the test."""
    messages: list[str] = []

    def observer(event: dict[str, Any]) -> None:
        if event.get("name") == "MaxListenersExceededWarning":
            messages.append(formatEvent(event))

    globalLogPublisher.addObserver(observer)
    testCase.addCleanup(globalLogPublisher.removeObserver, observer)
    return messages


# The same scenario, written once for node and once for nodenet; the test
# runs both and compares the traces.
_NODE_SCENARIO = r"""
'use strict';
const EventEmitter = require('events');
const events = require('events');
const t = [];
const warnings = [];
process.on('warning', (w) => warnings.push(w.message));
const nm = (l) => (typeof l.listener === 'function' ? 'wrapper:' + l.listener.name : l.name);
function a(...args) { t.push(['a', ...args]); }
function b(...args) { t.push(['b', ...args]); }
function c(...args) { t.push(['c', ...args]); }
function onNew(ev, l) { t.push(['newListener', ev, nm(l)]); }
function onRemove(ev, l) { t.push(['removeListener', ev, nm(l)]); }

const e = new EventEmitter();
e.on('newListener', onNew);
e.on('removeListener', onRemove);
e.once('newListener', function addB(ev) { if (ev === 'x') e.on('x', b); });
e.on('x', a);
t.push(['listeners', 'x', e.listeners('x').map(nm)]);
t.push(['emit', e.emit('x', 1, 2)]);

e.once('y', function onceY(n) { t.push(['onceY', n]); t.push(['emit', e.emit('y', n + 1)]); });
e.on('y', function onY(n) { t.push(['onY', n]); });
t.push(['emit', e.emit('y', 1)]);

function z2() { t.push(['z2']); }
function z3() { t.push(['z3']); }
e.on('z', function z1() { t.push(['z1']); e.off('z', z2); e.on('z', z3); });
e.on('z', z2);
t.push(['emit', e.emit('z')]);
t.push(['emit', e.emit('z')]);
t.push(['listeners', 'z', e.listeners('z').map(nm)]);

e.on('p', a);
e.prependListener('p', b);
e.prependOnceListener('p', c);
t.push(['raw', 'p', e.rawListeners('p').map(nm)]);
t.push(['emit', e.emit('p')]);

e.on('q', a);
e.on('q', b);
e.on('q', a);
e.off('q', a);
e.off('q', c);
t.push(['listeners', 'q', e.listeners('q').map(nm), e.listenerCount('q'), e.listenerCount('q', a)]);

e.once('r', a);
e.once('r', b);
e.on('r', a);
e.removeAllListeners('r');
t.push(['count', 'r', e.listenerCount('r')]);

e.once('w', a);
const w = e.rawListeners('w')[0];
w('direct');
w('again');
e.once('w', a);
e.on('w', b);
e.off('w', e.rawListeners('w')[0]);
t.push(['count', 'w', e.listenerCount('w')]);

events.once(e, 'v');
t.push(['emit', e.emit('v', 7)]);
events.once(e, 'v').catch(() => {});
t.push(['emit', e.emit('error', new Error('bad'))]);
t.push(['count', 'v', e.listenerCount('v'), e.listenerCount('error')]);

e.on('2', a);
e.on('10', b);
e.on('1', c);
t.push(['names', e.eventNames()]);
e.removeAllListeners();
t.push(['names', e.eventNames()]);

const r = new EventEmitter();
function r1(ev, l) { t.push(['r1', ev, nm(l)]); }
function r2(ev, l) { t.push(['r2', ev, nm(l)]); }
r.on('removeListener', r1);
r.on('removeListener', r2);
r.off('removeListener', r1);
r.off('removeListener', r2);
t.push(['names', r.eventNames()]);

const f = new EventEmitter();
f.on('boom', function thrower() { t.push(['thrower']); throw new Error('bad'); });
f.on('boom', b);
try { f.emit('boom'); } catch (er) { t.push(['caught', er.message]); }
for (const args of [['x'], [], [null], [{ a: 1 }]]) {
  try { f.emit('error', ...args); } catch (er) { t.push(['caught', er.code, er.message]); }
}
for (const bad of [1, null, 'a']) {
  try { f.on('x', bad); } catch (er) { t.push(['caught', er.code, er.message]); }
}
for (const bad of [-1, NaN, 'a', true]) {
  try { f.setMaxListeners(bad); } catch (er) { t.push(['caught', er.code, er.message]); }
}

class Foo extends EventEmitter {}
const g = new Foo();
g.setMaxListeners(1);
g.on('m', a);
g.on('m', a);
g.on('m', b);
g.off('m', a);
g.off('m', a);
g.on('m', a);
const h = new EventEmitter();
for (let i = 0; i < 12; i++) h.on('data', a);

setImmediate(() => console.log(JSON.stringify({ trace: t, warnings })));
"""


class Foo(EventEmitter):
    """A subclass, named as in the node scenario (the warning shows the name)."""

    __slots__ = ()


def _pythonScenario(t: list[Any]) -> None:
    """The node scenario above, in nodenet."""
    nm = _name

    def a(*args: Any) -> None:
        t.append(["a", *args])

    def b(*args: Any) -> None:
        t.append(["b", *args])

    def c(*args: Any) -> None:
        t.append(["c", *args])

    def onNew(ev: str, listener: Any) -> None:
        t.append(["newListener", ev, nm(listener)])

    def onRemove(ev: str, listener: Any) -> None:
        t.append(["removeListener", ev, nm(listener)])

    e = EventEmitter()
    e.on("newListener", onNew)
    e.on("removeListener", onRemove)

    def addB(ev: str, listener: Any) -> None:
        if ev == "x":
            e.on("x", b)

    e.once("newListener", addB)
    e.on("x", a)
    t.append(["listeners", "x", [nm(x) for x in e.listeners("x")]])
    t.append(["emit", e.emit("x", 1, 2)])

    def onceY(n: int) -> None:
        t.append(["onceY", n])
        t.append(["emit", e.emit("y", n + 1)])

    def onY(n: int) -> None:
        t.append(["onY", n])

    e.once("y", onceY)
    e.on("y", onY)
    t.append(["emit", e.emit("y", 1)])

    def z2() -> None:
        t.append(["z2"])

    def z3() -> None:
        t.append(["z3"])

    def z1() -> None:
        t.append(["z1"])
        e.off("z", z2)
        e.on("z", z3)

    e.on("z", z1)
    e.on("z", z2)
    t.append(["emit", e.emit("z")])
    t.append(["emit", e.emit("z")])
    t.append(["listeners", "z", [nm(x) for x in e.listeners("z")]])

    e.on("p", a)
    e.prependListener("p", b)
    e.prependOnceListener("p", c)
    t.append(["raw", "p", [nm(x) for x in e.rawListeners("p")]])
    t.append(["emit", e.emit("p")])

    e.on("q", a)
    e.on("q", b)
    e.on("q", a)
    e.off("q", a)
    e.off("q", c)
    t.append(
        [
            "listeners",
            "q",
            [nm(x) for x in e.listeners("q")],
            e.listenerCount("q"),
            e.listenerCount("q", a),
        ]
    )

    e.once("r", a)
    e.once("r", b)
    e.on("r", a)
    e.removeAllListeners("r")
    t.append(["count", "r", e.listenerCount("r")])

    e.once("w", a)
    w = e.rawListeners("w")[0]
    w("direct")
    w("again")
    e.once("w", a)
    e.on("w", b)
    e.off("w", e.rawListeners("w")[0])
    t.append(["count", "w", e.listenerCount("w")])

    once(e, "v")
    t.append(["emit", e.emit("v", 7)])
    once(e, "v").addErrback(lambda failure: None)
    t.append(["emit", e.emit("error", ValueError("bad"))])
    t.append(["count", "v", e.listenerCount("v"), e.listenerCount("error")])

    e.on("2", a)
    e.on("10", b)
    e.on("1", c)
    t.append(["names", e.eventNames()])
    e.removeAllListeners()
    t.append(["names", e.eventNames()])

    r = EventEmitter()

    def r1(ev: str, listener: Any) -> None:
        t.append(["r1", ev, nm(listener)])

    def r2(ev: str, listener: Any) -> None:
        t.append(["r2", ev, nm(listener)])

    r.on("removeListener", r1)
    r.on("removeListener", r2)
    r.off("removeListener", r1)
    r.off("removeListener", r2)
    t.append(["names", r.eventNames()])

    f = EventEmitter()

    def thrower() -> None:
        t.append(["thrower"])
        raise ValueError("bad")

    f.on("boom", thrower)
    f.on("boom", b)
    try:
        f.emit("boom")
    except ValueError as er:
        t.append(["caught", str(er)])
    for args in [["x"], [], [None], [{"a": 1}]]:
        try:
            f.emit("error", *args)
        except NodeError as er:
            t.append(["caught", er.code, str(er)])
    for bad in [1, None, "a"]:
        try:
            f.on("x", bad)  # type: ignore[arg-type]
        except NodeError as er:
            t.append(["caught", er.code, str(er)])
    for badLimit in [-1, float("nan"), "a", True]:
        try:
            f.setMaxListeners(badLimit)  # type: ignore[arg-type]
        except NodeError as er:
            t.append(["caught", er.code, str(er)])

    g = Foo()
    g.setMaxListeners(1)
    g.on("m", a)
    g.on("m", a)
    g.on("m", b)
    g.off("m", a)
    g.off("m", a)
    g.on("m", a)
    h = EventEmitter()
    for _ in range(12):
        h.on("data", a)


class NodeParityTests(SynchronousTestCase):
    """
    The ordering semantics match node's, checked by running node.
    """

    if shutil.which("node") is None:
        skip = "node is not installed: the parity check needs it as the oracle"

    def test_sameTraceAsNode(self) -> None:
        """
        A scenario covering newListener/removeListener order, once inside
        emit, removal during emit, removeAllListeners order, prepend, the
        error messages and the max-listeners warnings gives node's trace.
        """
        script = self.mktemp() + ".js"
        with open(script, "w") as f:
            f.write(_NODE_SCENARIO)
        node = shutil.which("node")
        assert node is not None
        done = subprocess.run([node, script], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        expected = json.loads(done.stdout)

        warnings = _captureWarnings(self)
        trace: list[Any] = []
        _pythonScenario(trace)
        actual = json.loads(json.dumps({"trace": trace, "warnings": warnings}))
        self.assertEqual(actual, expected)


def _recorder() -> tuple[list[Any], Callable[[str], Callable[..., None]]]:
    trace: list[Any] = []

    def make(name: str) -> Callable[..., None]:
        def listener(*args: Any) -> None:
            trace.append((name, *args))

        listener.__name__ = name
        return listener

    return trace, make


class AddAndEmitTests(SynchronousTestCase):
    """
    Adding listeners and emitting events.
    """

    def test_emitCallsListenersInOrder(self) -> None:
        """
        emit calls each listener with the arguments, in the order added, and
        returns True; without listeners it returns False.
        """
        trace, make = _recorder()
        e = EventEmitter()
        e.on("data", make("first"))
        e.addListener("data", make("second"))
        results = [e.emit("data", b"x", 2), e.emit("other", 1)]
        self.assertEqual(trace, [("first", b"x", 2), ("second", b"x", 2)])
        self.assertEqual(results, [True, False])

    def test_methodsReturnSelf(self) -> None:
        """
        Every method Node chains returns the emitter itself.
        """
        e = EventEmitter()

        def f() -> None:
            pass

        returned = [
            e.on("a", f),
            e.addListener("a", f),
            e.once("a", f),
            e.prependListener("a", f),
            e.prependOnceListener("a", f),
            e.off("a", f),
            e.removeListener("a", f),
            e.removeAllListeners("a"),
            e.removeAllListeners(),
            e.setMaxListeners(3),
        ]
        self.assertEqual([r is e for r in returned], [True] * len(returned))

    def test_sameFunctionTwice(self) -> None:
        """
        The same function added twice is counted and called twice; off
        removes one instance at a time.
        """
        trace, make = _recorder()
        f = make("f")
        e = EventEmitter()
        e.on("x", f).on("x", f)
        counts = [e.listenerCount("x")]
        e.emit("x", 1)
        e.off("x", f)
        counts.append(e.listenerCount("x"))
        e.emit("x", 2)
        self.assertEqual(trace, [("f", 1), ("f", 1), ("f", 2)])
        self.assertEqual(counts, [2, 1])

    def test_offRemovesMostRecent(self) -> None:
        """
        off removes the most recently added instance of the function.
        """
        trace, make = _recorder()
        a, b = make("a"), make("b")
        e = EventEmitter()
        e.on("x", a).on("x", b).on("x", a)
        e.off("x", a)
        self.assertEqual(e.listeners("x"), [a, b])

    def test_offAbsentIsIgnored(self) -> None:
        """
        Removing a listener that is not there (or from an unknown event)
        changes nothing and emits no 'removeListener'.
        """
        trace, make = _recorder()
        a, b = make("a"), make("b")
        e = EventEmitter()
        e.on("removeListener", make("removed"))
        e.on("x", a)
        e.off("x", b).off("nothing", a)
        self.assertEqual((trace, e.listeners("x")), ([], [a]))

    def test_boundMethodsMatchByEquality(self) -> None:
        """
        A bound method is removed by an equal (not identical) bound method.
        """
        calls: list[int] = []

        class Handler:
            def onData(self, n: int) -> None:
                calls.append(n)

        handler = Handler()
        e = EventEmitter()
        e.on("data", handler.onData)
        e.emit("data", 1)
        e.off("data", handler.onData)
        e.emit("data", 2)
        self.assertEqual((calls, e.listenerCount("data")), ([1], 0))

    def test_prepend(self) -> None:
        """
        prependListener and prependOnceListener put the listener first.
        """
        trace, make = _recorder()
        e = EventEmitter()
        e.on("x", make("a"))
        e.prependListener("x", make("b"))
        e.prependOnceListener("x", make("c"))
        e.emit("x")
        e.emit("x")
        self.assertEqual(trace, [("c",), ("b",), ("a",), ("b",), ("a",)])

    def test_addDuringEmit(self) -> None:
        """
        A listener added during an emit is not called by that emit.
        """
        trace, make = _recorder()
        late = make("late")
        e = EventEmitter()

        def adder() -> None:
            trace.append(("adder",))
            e.on("x", late)

        e.on("x", adder)
        e.emit("x")
        e.emit("x")
        self.assertEqual(trace, [("adder",), ("adder",), ("late",)])

    def test_removeDuringEmit(self) -> None:
        """
        A listener removed during an emit is still called by that emit, not
        by the next.
        """
        trace, make = _recorder()
        victim = make("victim")
        e = EventEmitter()

        def remover() -> None:
            trace.append(("remover",))
            e.off("x", victim)

        e.on("x", remover).on("x", victim)
        e.emit("x")
        e.emit("x")
        self.assertEqual(trace, [("remover",), ("victim",), ("remover",)])

    def test_syncExceptionPropagates(self) -> None:
        """
        An exception raised by a listener comes out of emit, and the later
        listeners are not called.
        """
        trace, make = _recorder()
        e = EventEmitter()

        def bad() -> None:
            trace.append(("bad",))
            raise ZeroDivisionError()

        e.on("x", make("before")).on("x", bad).on("x", make("after"))
        self.assertRaises(ZeroDivisionError, e.emit, "x")
        self.assertEqual(trace, [("before",), ("bad",)])

    def test_nonCallableListener(self) -> None:
        """
        Every method taking a listener rejects a non-callable with Node's
        ERR_INVALID_ARG_TYPE.
        """
        e = EventEmitter()
        methods = [
            e.on,
            e.addListener,
            e.once,
            e.prependListener,
            e.prependOnceListener,
            e.off,
            e.removeListener,
        ]
        messages = []
        for method in methods:
            err = self.assertRaises(NodeTypeError, method, "x", 1)
            messages.append((err.code, str(err)))
        expected = (
            "ERR_INVALID_ARG_TYPE",
            'The "listener" argument must be of type function. Received type number (1)',
        )
        self.assertEqual(messages, [expected] * len(methods))
        err = self.assertRaises(NodeTypeError, e.on, "x", None)
        self.assertEqual(
            str(err), 'The "listener" argument must be of type function. Received null'
        )
        self.assertIsInstance(err, TypeError)
        self.assertEqual(e.eventNames(), [])


class OnceTests(SynchronousTestCase):
    """
    once listeners and their wrappers.
    """

    def test_onceCalledOnce(self) -> None:
        """
        A once listener is removed before it is called, so an emit from
        inside it does not call it again.
        """
        trace: list[Any] = []
        e = EventEmitter()

        def handler(n: int) -> None:
            trace.append(("handler", n, e.listenerCount("x")))
            e.emit("x", n + 1)

        e.once("x", handler)
        results = [e.emit("x", 1), e.emit("x", 3)]
        self.assertEqual(trace, [("handler", 1, 0)])
        self.assertEqual(results, [True, False])

    def test_listenersAndRawListeners(self) -> None:
        """
        listeners() gives the originals, rawListeners() the once wrappers,
        which have the original as .listener; both are copies.
        """
        trace, make = _recorder()
        a, b = make("a"), make("b")
        e = EventEmitter()
        e.once("x", a).on("x", b)
        raw = e.rawListeners("x")
        plain = e.listeners("x")
        plain.clear()
        raw.append(a)
        self.assertEqual(e.listeners("x"), [a, b])
        self.assertEqual([getattr(w, "listener", None) for w in e.rawListeners("x")], [a, None])
        self.assertIsNot(e.rawListeners("x")[0], a)
        self.assertEqual(e.rawListeners("x")[1], b)

    def test_wrapperCalledDirectly(self) -> None:
        """
        Calling a once wrapper removes it and calls the original, returning
        its result; a second call does nothing.
        """
        calls: list[Any] = []

        def original(*args: Any) -> int:
            calls.append(args)
            return 42

        e = EventEmitter()
        e.once("x", original)
        wrapper = e.rawListeners("x")[0]
        results = [wrapper(1, 2), wrapper(3)]
        self.assertEqual((results, calls, e.listenerCount("x")), ([42, None], [(1, 2)], 0))

    def test_removeByOriginal(self) -> None:
        """
        A once listener can be removed by its original function; the
        'removeListener' event carries the original.
        """
        trace, make = _recorder()
        a = make("a")
        e = EventEmitter()
        e.on("removeListener", make("removed"))
        e.once("x", a)
        e.off("x", a)
        e.emit("x")
        self.assertEqual(trace, [("removed", "x", a)])

    def test_listenerCountWithListener(self) -> None:
        """
        listenerCount(event, listener) counts the listener and once wrappers
        of it.
        """
        trace, make = _recorder()
        a, b = make("a"), make("b")
        e = EventEmitter()
        e.once("x", a).on("x", a).on("x", b)
        wrapper = e.rawListeners("x")[0]
        self.assertEqual(
            [e.listenerCount("x"), e.listenerCount("x", a), e.listenerCount("x", wrapper),
             e.listenerCount("x", b), e.listenerCount("y", a)],
            [3, 2, 1, 1, 0],
        )


class MetaEventTests(SynchronousTestCase):
    """
    The 'newListener' and 'removeListener' events.
    """

    def test_newListenerBeforeAdding(self) -> None:
        """
        'newListener' is emitted before the listener is added, with the
        original function for a once listener; the first 'newListener'
        listener itself is not announced.
        """
        trace: list[Any] = []
        e = EventEmitter()

        def watcher(event: str, listener: Any) -> None:
            trace.append((event, _name(listener), e.listenerCount(event)))

        def a() -> None:
            pass

        e.on("newListener", watcher)
        e.on("x", a)
        e.once("x", a)
        e.prependOnceListener("y", a)
        self.assertEqual(trace, [("x", "a", 0), ("x", "a", 1), ("y", "a", 0)])

    def test_newListenerAddsFirst(self) -> None:
        """
        A listener added from 'newListener' comes before the one announced.
        """
        trace, make = _recorder()
        a, b = make("a"), make("b")
        e = EventEmitter()

        def addB(event: str, listener: Any) -> None:
            if event == "x":
                e.on("x", b)

        e.once("newListener", addB)
        e.on("x", a)
        self.assertEqual(e.listeners("x"), [b, a])

    def test_removeListenerAfterRemoval(self) -> None:
        """
        'removeListener' is emitted after the listener is gone.
        """
        trace: list[Any] = []
        e = EventEmitter()

        def watcher(event: str, listener: Any) -> None:
            trace.append((event, _name(listener), e.listenerCount(event)))

        def a() -> None:
            pass

        e.on("removeListener", watcher)
        e.on("x", a).on("x", a)
        e.off("x", a).off("x", a)
        self.assertEqual(trace, [("x", "a", 1), ("x", "a", 0)])

    def test_removeAllListenersOfEvent(self) -> None:
        """
        removeAllListeners(event) removes last-added first; a once wrapper
        removed from a list of several is announced as the wrapper, the last
        one as the original (as in Node).
        """
        trace: list[Any] = []
        e = EventEmitter()

        def a() -> None:
            pass

        def b() -> None:
            pass

        e.on("removeListener", lambda event, listener: trace.append((event, _name(listener))))
        e.once("x", a).once("x", b).on("x", a)
        e.removeAllListeners("x")
        self.assertEqual(trace, [("x", "a"), ("x", "wrapper:b"), ("x", "a")])
        self.assertEqual(e.eventNames(), ["removeListener"])

    def test_removeAllListeners(self) -> None:
        """
        removeAllListeners() removes every event in Node's key order,
        'removeListener' last, and leaves nothing.
        """
        trace: list[Any] = []
        e = EventEmitter()

        def a() -> None:
            pass

        def removed(event: str, listener: Any) -> None:
            trace.append((event, _name(listener)))

        symbol = object()
        e.on("removeListener", removed)
        e.on("b", a).on(symbol, a).on("2", a).on("a", a).on("1", a)
        e.removeAllListeners()
        self.assertEqual(
            trace, [("1", "a"), ("2", "a"), ("b", "a"), ("a", "a"), (symbol, "a")]
        )
        self.assertEqual(e.eventNames(), [])

    def test_removeAllListenersWithoutWatcher(self) -> None:
        """
        Without 'removeListener' listeners, removeAllListeners just clears.
        """
        e = EventEmitter()

        def a() -> None:
            pass

        e.on("x", a).on("y", a)
        names = [e.removeAllListeners("x").eventNames()]
        names.append(e.removeAllListeners("nothing").eventNames())
        names.append(e.removeAllListeners().eventNames())
        self.assertEqual(names, [["y"], ["y"], []])

    def test_eventNamesOrder(self) -> None:
        """
        eventNames() follows JavaScript's key order: integer-like names
        ascending, then other names in insertion order, then non-strings.
        """
        e = EventEmitter()

        def a() -> None:
            pass

        symbol = object()
        for name in ["b", symbol, "10", "2", "02", "a", "4294967295", "0"]:
            e.on(name, a)
        self.assertEqual(
            e.eventNames(), ["0", "2", "10", "b", "02", "a", "4294967295", symbol]
        )


class ErrorEventTests(SynchronousTestCase):
    """
    An 'error' event without listeners.
    """

    def test_exceptionRaised(self) -> None:
        """
        The exception itself is raised.
        """
        err = ConnectionResetError("reset")
        raised = self.assertRaises(ConnectionResetError, EventEmitter().emit, "error", err)
        self.assertIs(raised, err)

    def test_otherValue(self) -> None:
        """
        Any other value raises ERR_UNHANDLED_ERROR with the value inspected
        and kept as .context.
        """
        results = []
        for args in [("x",), (), (None,), ({"a": 1},), (5,)]:
            err = self.assertRaises(NodeError, EventEmitter().emit, "error", *args)
            results.append((err.code, str(err), getattr(err, "context", "missing")))
        self.assertEqual(
            results,
            [
                ("ERR_UNHANDLED_ERROR", "Unhandled error. ('x')", "x"),
                ("ERR_UNHANDLED_ERROR", "Unhandled error. (undefined)", results[1][2]),
                ("ERR_UNHANDLED_ERROR", "Unhandled error. (null)", None),
                ("ERR_UNHANDLED_ERROR", "Unhandled error. ({ a: 1 })", {"a": 1}),
                ("ERR_UNHANDLED_ERROR", "Unhandled error. (5)", 5),
            ],
        )
        self.assertEqual(repr(results[1][2]), "undefined")

    def test_withListener(self) -> None:
        """
        With a listener, 'error' is an ordinary event.
        """
        trace, make = _recorder()
        e = EventEmitter()
        e.on("error", make("onError"))
        err = ValueError("x")
        self.assertEqual((e.emit("error", err), trace), (True, [("onError", err)]))


class MaxListenersTests(SynchronousTestCase):
    """
    setMaxListeners, getMaxListeners and the leak warning.
    """

    def test_defaults(self) -> None:
        """
        The default limit is the class attribute defaultMaxListeners, 10.
        """
        e = EventEmitter()
        self.assertEqual((EventEmitter.defaultMaxListeners, e.getMaxListeners()), (10, 10))
        self.patch(EventEmitter, "defaultMaxListeners", 3)
        self.assertEqual(e.getMaxListeners(), 3)
        self.assertEqual(e.setMaxListeners(1.5).getMaxListeners(), 1.5)

    def test_warningText(self) -> None:
        """
        The 11th listener of an event logs Node's warning, once.
        """
        warnings = _captureWarnings(self)
        e = Foo()

        def f() -> None:
            pass

        for _ in range(10):
            e.on("data", f)
        before = list(warnings)
        for _ in range(5):
            e.on("data", f)
        self.assertEqual(before, [])
        self.assertEqual(
            warnings,
            [
                "Possible EventEmitter memory leak detected. 11 data listeners added "
                "to [Foo]. MaxListeners is 10. Use emitter.setMaxListeners() to "
                "increase limit"
            ],
        )

    def test_warningPerEventAndReset(self) -> None:
        """
        The warning is given once per event, again after the event's
        listeners fell to one or were all removed.
        """
        warnings = _captureWarnings(self)
        e = EventEmitter().setMaxListeners(1)

        def f() -> None:
            pass

        e.on("a", f).on("a", f).on("a", f)  # warns at two, not at three
        e.on("b", f).on("b", f)  # another event: warns
        e.off("a", f).on("a", f)  # fell to two only: no warning
        e.off("a", f).off("a", f).on("a", f)  # fell to one: warns again
        e.removeAllListeners("a").on("a", f).on("a", f)  # all removed: warns again
        e.prependListener("c", f).prependOnceListener("c", f)  # warns
        self.assertEqual(
            [w.split(" listeners")[0].rsplit(" ", 2)[1:] for w in warnings],
            [["2", "a"], ["2", "b"], ["2", "a"], ["2", "a"], ["2", "c"]],
        )

    def test_unlimited(self) -> None:
        """
        0 and infinity mean no limit.
        """
        warnings = _captureWarnings(self)

        def f() -> None:
            pass

        for limit in [0, float("inf")]:
            e = EventEmitter().setMaxListeners(limit)
            for _ in range(50):
                e.on("x", f)
        self.assertEqual(warnings, [])

    def test_subclassDefault(self) -> None:
        """
        A subclass may set its own defaultMaxListeners.
        """
        warnings = _captureWarnings(self)

        class Quiet(EventEmitter):
            __slots__ = ()
            defaultMaxListeners = 2

        def f() -> None:
            pass

        e = Quiet().on("x", f).on("x", f)
        before = len(warnings)
        e.on("x", f)
        self.assertEqual((e.getMaxListeners(), before, len(warnings)), (2, 0, 1))

    def test_badLimits(self) -> None:
        """
        A negative or NaN limit is ERR_OUT_OF_RANGE, a non-number is
        ERR_INVALID_ARG_TYPE, as in Node.
        """
        e = EventEmitter()
        results = []
        for bad in [-1, float("nan"), "a", True, None]:
            err = self.assertRaises(NodeError, e.setMaxListeners, bad)
            results.append((type(err), err.code, str(err)))
        self.assertEqual(
            results,
            [
                (NodeRangeError, "ERR_OUT_OF_RANGE",
                 'The value of "setMaxListeners" is out of range. It must be >= 0. '
                 "Received -1"),
                (NodeRangeError, "ERR_OUT_OF_RANGE",
                 'The value of "setMaxListeners" is out of range. It must be >= 0. '
                 "Received NaN"),
                (NodeTypeError, "ERR_INVALID_ARG_TYPE",
                 'The "setMaxListeners" argument must be of type number. '
                 "Received type string ('a')"),
                (NodeTypeError, "ERR_INVALID_ARG_TYPE",
                 'The "setMaxListeners" argument must be of type number. '
                 "Received type boolean (true)"),
                (NodeTypeError, "ERR_INVALID_ARG_TYPE",
                 'The "setMaxListeners" argument must be of type number. Received null'),
            ],
        )
        self.assertEqual(e.getMaxListeners(), 10)


class _Recording(EventEmitter):
    """An emitter that records asynchronous listener failures."""

    __slots__ = ("failures",)

    def __init__(self) -> None:
        super().__init__()
        self.failures: list[Failure] = []

    def _listenerFailed(self, failure: Failure) -> None:
        self.failures.append(failure)


class AsyncListenerTests(SynchronousTestCase):
    """
    Listeners that are coroutines or return Deferreds.
    """

    def test_coroutineRunsAndFails(self) -> None:
        """
        An async listener starts at once, runs on when what it awaits fires,
        and its failure goes to _listenerFailed.
        """
        trace: list[Any] = []
        gate: Deferred[int] = Deferred()
        e = _Recording()

        async def listener(n: int) -> None:
            trace.append(("start", n))
            got = await gate
            trace.append(("resumed", got))
            raise ValueError("late")

        e.on("x", listener).on("x", lambda n: trace.append(("sync", n)))
        trace.append(("emit", e.emit("x", 1)))
        gate.callback(2)
        self.assertEqual(
            trace, [("start", 1), ("sync", 1), ("emit", True), ("resumed", 2)]
        )
        self.assertEqual([f.type for f in e.failures], [ValueError])

    def test_coroutineSucceeds(self) -> None:
        """
        A successful async listener reports nothing.
        """
        trace: list[Any] = []
        e = _Recording()

        async def listener() -> int:
            trace.append("ran")
            return 1

        e.once("x", listener)
        e.emit("x")
        self.assertEqual((trace, e.failures), (["ran"], []))

    def test_deferredResults(self) -> None:
        """
        A listener's failed Deferred goes to _listenerFailed, now or later;
        a successful one and other return values are ignored.
        """
        e = _Recording()
        later: Deferred[None] = Deferred()
        e.on("x", lambda: fail(KeyError("now")))
        e.on("x", lambda: succeed(None))
        e.on("x", lambda: later)
        e.on("x", lambda: 42)
        e.once("x", lambda: fail(IndexError("once")))
        e.emit("x")
        before = [f.type for f in e.failures]
        later.errback(OSError("later"))
        self.assertEqual(before, [KeyError, IndexError])
        self.assertEqual([f.type for f in e.failures], [KeyError, IndexError, OSError])

    def test_defaultHookLogs(self) -> None:
        """
        By default a failed asynchronous listener is logged as an unhandled
        failure.
        """
        e = EventEmitter()

        async def listener() -> None:
            raise ValueError("logged")

        e.on("x", listener)
        e.emit("x")
        errors = self.flushLoggedErrors(ValueError)
        self.assertEqual([str(f.value) for f in errors], ["logged"])


class SubclassTests(SynchronousTestCase):
    """
    Subclasses with and without __slots__.
    """

    def test_slottedSubclass(self) -> None:
        """
        A subclass with its own __slots__ works, has no __dict__ and can be
        weakly referenced.
        """

        class Socket(EventEmitter):
            __slots__ = ("fd",)

            def __init__(self, fd: int) -> None:
                super().__init__()
                self.fd = fd

        trace, make = _recorder()
        s = Socket(3)
        s.on("data", make("data"))
        s.emit("data", s.fd)
        ref = weakref.ref(s)
        self.assertEqual(
            (trace, hasattr(s, "__dict__"), ref() is s, hasattr(EventEmitter(), "__dict__")),
            ([("data", 3)], False, True, False),
        )

    def test_plainSubclass(self) -> None:
        """
        A subclass without __slots__ works and can have any attribute.
        """

        class Server(EventEmitter):
            def __init__(self) -> None:
                super().__init__()
                self.connections = 0

        trace, make = _recorder()
        s = Server()
        s.extra = "ok"  # type: ignore[attr-defined]
        s.on("close", make("close"))
        s.emit("close")
        self.assertEqual((trace, s.connections, s.extra), ([("close",)], 0, "ok"))  # type: ignore[attr-defined]


class ModuleOnceTests(SynchronousTestCase):
    """
    The module-level once(emitter, name).
    """

    def test_firesWithArguments(self) -> None:
        """
        It fires with the list of the event's arguments and removes both of
        its listeners.
        """
        e = EventEmitter()
        d = once(e, "connect")
        counts = [e.listenerCount("connect"), e.listenerCount("error")]
        e.emit("connect", 1, "a")
        self.assertEqual(self.successResultOf(d), [1, "a"])
        self.assertEqual(counts + [e.listenerCount("connect"), e.listenerCount("error")],
                         [1, 1, 0, 0])

    def test_failsWithError(self) -> None:
        """
        An 'error' first fails it with the error and removes its listeners.
        """
        e = EventEmitter()
        d = once(e, "connect")
        err = ConnectionRefusedError("refused")
        e.emit("error", err)
        failure = self.failureResultOf(d, ConnectionRefusedError)
        self.assertIs(failure.value, err)
        self.assertEqual(e.eventNames(), [])

    def test_failsWithNonException(self) -> None:
        """
        An 'error' value that is not an exception becomes ERR_UNHANDLED_ERROR.
        """
        e = EventEmitter()
        d = once(e, "connect")
        e.emit("error", "oops")
        failure = self.failureResultOf(d, NodeError)
        self.assertEqual(
            (failure.value.code, str(failure.value), failure.value.context),
            ("ERR_UNHANDLED_ERROR", "Unhandled error. ('oops')", "oops"),
        )

    def test_waitingForError(self) -> None:
        """
        once(e, 'error') fires with the error's arguments.
        """
        e = EventEmitter()
        d = once(e, "error")
        err = ValueError("x")
        e.emit("error", err)
        self.assertEqual((self.successResultOf(d), e.eventNames()), ([err], []))

    def test_cancel(self) -> None:
        """
        Cancelling it removes its listeners and fails it with CancelledError.
        """
        e = EventEmitter()
        d = once(e, "connect")
        d.cancel()
        self.failureResultOf(d, CancelledError)
        self.assertEqual((e.eventNames(), e.emit("connect")), ([], False))

    def test_await(self) -> None:
        """
        It can be awaited in a coroutine run by Deferred.fromCoroutine.
        """
        e = EventEmitter()
        trace: list[Any] = []

        async def main() -> str:
            trace.append(await once(e, "ready"))
            try:
                await once(e, "ready")
            except KeyError as err:
                trace.append(("caught", err))
            return "done"

        d = Deferred.fromCoroutine(main())
        err = KeyError("k")
        e.emit("ready", 1)
        e.emit("error", err)
        self.assertEqual((self.successResultOf(d), trace), ("done", [[1], ("caught", err)]))

    def test_inlineCallbacks(self) -> None:
        """
        It can be yielded from an inlineCallbacks generator.
        """
        e = EventEmitter()
        trace: list[Any] = []

        @inlineCallbacks
        def main() -> Any:
            args = yield once(e, "data")
            trace.append(args)

        d = main()
        before = list(trace)
        e.emit("data", b"x")
        self.successResultOf(d)
        self.assertEqual((before, trace), ([], [[b"x"]]))
