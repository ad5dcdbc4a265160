"""
Tests for L{nodenet.timers}: Node's timers on a deterministic clock.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.task import Clock
from twisted.logger import Logger, LogLevel, formatEvent
from twisted.trial.unittest import SynchronousTestCase

from nodenet import _loop, timers
from nodenet.errors import UNSET, NodeTypeError
from nodenet.timers import (
    Immediate,
    Timeout,
    clearImmediate,
    clearInterval,
    clearTimeout,
    nextTick,
    setImmediate,
    setInterval,
    setTimeout,
)


class _Recorder:
    """Stands in for a running ``net.run()`` loop and records what handles report."""

    finished = False

    def __init__(self) -> None:
        self.calls: list[tuple[object, bool]] = []

    def setActive(self, handle: object, active: bool) -> None:
        self.calls.append((handle, active))


class OrderingTests(SynchronousTestCase):
    """
    The order of C{nextTick}, C{setImmediate} and C{setTimeout(0)} callbacks.
    """

    def setUp(self) -> None:
        self.clock = Clock()
        self.trace: list[object] = []

    def record(self, *what: object) -> Callable[..., None]:
        """A callback that appends C{what} and its arguments to the trace."""

        def callback(*args: object) -> None:
            self.trace.append(what + args)

        return callback

    def test_tickThenImmediateThenTimeout(self) -> None:
        """
        Ticks run first, immediates in the next turn, and a zero timeout (coerced
        to 1 ms) only once a millisecond has passed, whatever the order of calls.
        """
        setTimeout(self.record("timeout"), 0, reactor=self.clock)
        setImmediate(self.record("immediate"), reactor=self.clock)
        nextTick(self.record("tick"), reactor=self.clock)
        self.assertEqual(self.trace, [])
        self.clock.advance(0)
        self.assertEqual(self.trace, [("tick",), ("immediate",)])
        self.clock.advance(0.001)
        self.assertEqual(self.trace, [("tick",), ("immediate",), ("timeout",)])

    def test_arguments(self) -> None:
        """Extra arguments are passed to every kind of callback."""
        setTimeout(self.record("timeout"), 5, 1, "a", reactor=self.clock)
        interval = setInterval(self.record("interval"), 5, 2, reactor=self.clock)
        setImmediate(self.record("immediate"), 3, None, reactor=self.clock)
        nextTick(self.record("tick"), 4, reactor=self.clock)
        self.clock.advance(0)
        self.clock.advance(0.005)
        clearInterval(interval)
        self.assertEqual(
            self.trace,
            [("tick", 4), ("immediate", 3, None), ("timeout", 1, "a"), ("interval", 2)],
        )

    def test_ticksRunAfterEachTimer(self) -> None:
        """
        Ticks queued by a timer callback run before the next timer due at the same
        time; immediates wait for the next turn (node prints A, A tick, B, B tick,
        A imm).
        """

        def a() -> None:
            self.trace.append("A")
            nextTick(self.trace.append, "A tick", reactor=self.clock)
            setImmediate(self.trace.append, "A imm", reactor=self.clock)

        def b() -> None:
            self.trace.append("B")
            nextTick(self.trace.append, "B tick", reactor=self.clock)

        setTimeout(a, 50, reactor=self.clock)
        setTimeout(b, 50, reactor=self.clock)
        self.clock.advance(0.05)
        self.assertEqual(self.trace, ["A", "A tick", "B", "B tick", "A imm"])

    def test_timeoutsInDueOrder(self) -> None:
        """Timeouts fire by due time, and those due together in creation order."""
        setTimeout(self.record("t30"), 30, reactor=self.clock)
        setTimeout(self.record("t10a"), 10, reactor=self.clock)
        setTimeout(self.record("t10b"), 10, reactor=self.clock)
        self.clock.pump([0.01, 0.02])
        self.assertEqual(self.trace, [("t10a",), ("t10b",), ("t30",)])


class TimeoutTests(SynchronousTestCase):
    """
    L{Timeout}: firing, clearing, C{refresh()}, C{ref()}/C{unref()}.
    """

    def setUp(self) -> None:
        self.clock = Clock()
        self.fired: list[float] = []

    def stamp(self, *args: object) -> None:
        """Record the clock's time (ms) at which a callback ran."""
        self.fired.append(round(self.clock.seconds() * 1000, 6))

    def test_firesOnceAtItsTime(self) -> None:
        """A timeout fires once, C{ms} milliseconds later, and leaves nothing behind."""
        timer = setTimeout(self.stamp, 100, reactor=self.clock)
        self.assertIsInstance(timer, Timeout)
        self.clock.advance(0.099)
        self.assertEqual(self.fired, [])
        self.clock.advance(0.001)
        self.clock.advance(1)
        self.assertEqual(self.fired, [100])
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_clearCancels(self) -> None:
        """C{clearTimeout} and C{close()} cancel the reactor call: nothing fires or remains."""
        first = setTimeout(self.stamp, 10, reactor=self.clock)
        second = setTimeout(self.stamp, 10, reactor=self.clock)
        clearTimeout(first)
        self.assertIs(second.close(), second)
        self.assertEqual(self.clock.getDelayedCalls(), [])
        self.clock.advance(1)
        self.assertEqual(self.fired, [])

    def test_clearKinds(self) -> None:
        """
        C{clearTimeout} and C{clearInterval} are interchangeable; both ignore an
        L{Immediate}, C{None} and other values; C{clearImmediate} also cancels a
        timeout, as in node.
        """
        trace: list[str] = []
        interval = setInterval(trace.append, 5, "interval", reactor=self.clock)
        timeout = setTimeout(trace.append, 5, "timeout", reactor=self.clock)
        other = setTimeout(trace.append, 5, "other", reactor=self.clock)
        immediate = setImmediate(trace.append, "immediate", reactor=self.clock)
        clearTimeout(interval)
        clearInterval(timeout)
        clearImmediate(other)
        for junk in (None, UNSET, 42, "x", {}, object()):
            clearTimeout(junk)
            clearInterval(junk)
            clearImmediate(junk)
        clearTimeout(immediate)
        clearInterval(immediate)
        self.clock.pump([0, 0.005, 0.005])
        self.assertEqual(trace, ["immediate"])
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_refreshRestartsFromNow(self) -> None:
        """C{refresh()} re-arms the timer for its full duration from now and returns it."""
        timer = setTimeout(self.stamp, 100, reactor=self.clock)
        self.clock.advance(0.06)
        self.assertIs(timer.refresh(), timer)
        self.clock.advance(0.099)
        self.assertEqual(self.fired, [])
        self.clock.advance(0.001)
        self.assertEqual(self.fired, [160])
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_refreshAfterFiring(self) -> None:
        """As in node, C{refresh()} on a timeout that has fired makes it fire again."""
        timer = setTimeout(self.stamp, 10, reactor=self.clock)
        self.clock.advance(0.01)
        self.clock.advance(0.005)
        timer.refresh()
        self.clock.advance(0.01)
        self.assertEqual(self.fired, [10, 25])

    def test_refreshAfterClear(self) -> None:
        """C{refresh()} does not revive a cleared timer."""
        timer = setTimeout(self.stamp, 10, reactor=self.clock)
        clearTimeout(timer)
        self.assertIs(timer.refresh(), timer)
        self.assertEqual(self.clock.getDelayedCalls(), [])
        self.clock.advance(1)
        self.assertEqual(self.fired, [])

    def test_timeoutRefreshingItself(self) -> None:
        """A timeout that refreshes itself from its callback fires again (node: 7, 14, 21)."""
        count = [0]

        def callback() -> None:
            self.stamp()
            count[0] += 1
            if count[0] < 3:
                timer.refresh()

        timer = setTimeout(callback, 7, reactor=self.clock)
        self.clock.pump([0.001] * 40)
        self.assertEqual(self.fired, [7, 14, 21])
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_refAndUnref(self) -> None:
        """C{ref()}/C{unref()} return the timer and flip C{hasRef()}; clearing keeps the flag."""
        timer = setTimeout(self.stamp, 10, reactor=self.clock)
        states = [timer.hasRef()]
        self.assertIs(timer.unref(), timer)
        states.append(timer.hasRef())
        self.assertIs(timer.ref(), timer)
        states.append(timer.hasRef())
        clearTimeout(timer)
        states.append(timer.hasRef())
        self.assertEqual(states, [True, False, True, True])

    def test_unrefStillFires(self) -> None:
        """An unref'd timer still fires when the reactor gets there."""
        setTimeout(self.stamp, 10, reactor=self.clock).unref()
        self.clock.advance(0.01)
        self.assertEqual(self.fired, [10])

    def test_exceptionIsLogged(self) -> None:
        """Outside C{net.run()}, an exception from a timer callback is logged as unhandled."""

        def boom() -> None:
            raise ZeroDivisionError("boom")

        setTimeout(boom, 1, reactor=self.clock)
        self.clock.advance(0.001)
        errors = self.flushLoggedErrors(ZeroDivisionError)
        self.assertEqual([str(f.value) for f in errors], ["boom"])

    def test_asyncCallbackFailureIsLogged(self) -> None:
        """A failing coroutine returned by an C{async def} callback is logged too."""
        gate: Deferred[None] = Deferred()

        async def callback() -> None:
            await gate
            raise KeyError("late")

        setTimeout(callback, 1, reactor=self.clock)
        self.clock.advance(0.001)
        self.assertEqual(self.flushLoggedErrors(KeyError), [])
        gate.callback(None)
        self.assertEqual([f.value.args for f in self.flushLoggedErrors(KeyError)], [("late",)])


class IntervalTests(SynchronousTestCase):
    """
    L{setInterval}: repetition, clearing from inside, exceptions.
    """

    def setUp(self) -> None:
        self.clock = Clock()
        self.fired: list[float] = []

    def stamp(self) -> None:
        """Record the clock's time (ms) at which a callback ran."""
        self.fired.append(round(self.clock.seconds() * 1000, 6))

    def test_repeats(self) -> None:
        """An interval fires every C{ms} milliseconds until cleared."""
        interval = setInterval(self.stamp, 20, reactor=self.clock)
        self.clock.pump([0.01] * 7)
        clearInterval(interval)
        self.clock.advance(1)
        self.assertEqual(self.fired, [20, 40, 60])
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_clearsItself(self) -> None:
        """An interval that clears itself on its third run runs exactly three times."""

        def callback() -> None:
            self.stamp()
            if len(self.fired) == 3:
                clearInterval(interval)

        interval = setInterval(callback, 5, reactor=self.clock)
        self.clock.pump([0.005] * 10)
        self.assertEqual(self.fired, [5, 10, 15])
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_clearThenRefreshInside(self) -> None:
        """C{refresh()} after C{clearInterval} in the callback does not revive it (node: 2 runs)."""

        def callback() -> None:
            self.stamp()
            if len(self.fired) == 2:
                clearInterval(interval)
                interval.refresh()

        interval = setInterval(callback, 5, reactor=self.clock)
        self.clock.pump([0.005] * 6)
        self.assertEqual(self.fired, [5, 10])
        self.assertEqual(self.clock.getDelayedCalls(), [])

    def test_refreshInsideKeepsPeriod(self) -> None:
        """A C{refresh()} from inside the callback is overridden by the re-arm that follows it."""

        def callback() -> None:
            self.stamp()
            interval.refresh()

        interval = setInterval(callback, 5, reactor=self.clock)
        self.clock.pump([0.005] * 3)
        clearInterval(interval)
        self.assertEqual(self.fired, [5, 10, 15])

    def test_keepsRunningAfterException(self) -> None:
        """As in node, an interval whose callback raised is re-armed (the error is logged)."""

        def callback() -> None:
            self.stamp()
            if len(self.fired) == 3:
                clearInterval(interval)
            raise ValueError(len(self.fired))

        interval = setInterval(callback, 5, reactor=self.clock)
        self.clock.pump([0.005] * 5)
        self.assertEqual(self.fired, [5, 10, 15])
        errors = self.flushLoggedErrors(ValueError)
        self.assertEqual([f.value.args for f in errors], [(1,), (2,), (3,)])


class ImmediateTests(SynchronousTestCase):
    """
    L{setImmediate} and L{nextTick}.
    """

    def setUp(self) -> None:
        self.clock = Clock()
        self.trace: list[object] = []

    def test_clearImmediate(self) -> None:
        """A cleared immediate does not run; the others queued with it do."""
        setImmediate(self.trace.append, 1, reactor=self.clock)
        second = setImmediate(self.trace.append, 2, reactor=self.clock)
        setImmediate(self.trace.append, 3, reactor=self.clock)
        self.assertIsInstance(second, Immediate)
        clearImmediate(second)
        clearImmediate(second)
        self.clock.advance(0)
        self.assertEqual(self.trace, [1, 3])

    def test_queuedFromImmediateRunsAfterQueuedOnes(self) -> None:
        """
        An immediate queued by an immediate runs after those already queued (in
        the next turn), a tick queued by it right after it.
        """

        def first() -> None:
            self.trace.append("first")
            setImmediate(self.trace.append, "third", reactor=self.clock)
            nextTick(self.trace.append, "tick", reactor=self.clock)

        setImmediate(first, reactor=self.clock)
        setImmediate(self.trace.append, "second", reactor=self.clock)
        self.clock.advance(0)
        self.assertEqual(self.trace, ["first", "tick", "second", "third"])

    def test_refAndUnref(self) -> None:
        """C{ref()}/C{unref()} return the immediate and flip C{hasRef()} (node: true, false)."""
        immediate = setImmediate(self.trace.append, 1, reactor=self.clock)
        states = [immediate.hasRef()]
        self.assertIs(immediate.unref(), immediate)
        states.append(immediate.hasRef())
        self.assertIs(immediate.ref(), immediate)
        states.append(immediate.hasRef())
        self.clock.advance(0)
        self.assertEqual((states, self.trace), ([True, False, True], [1]))

    def test_exceptionsAreLogged(self) -> None:
        """Exceptions from an immediate or a tick are logged; later callbacks still run."""

        def boom(what: str) -> None:
            raise RuntimeError(what)

        setImmediate(boom, "immediate", reactor=self.clock)
        setImmediate(self.trace.append, "after", reactor=self.clock)
        nextTick(boom, "tick", reactor=self.clock)
        self.clock.advance(0)
        errors = self.flushLoggedErrors(RuntimeError)
        self.assertEqual(
            ([str(f.value) for f in errors], self.trace), (["tick", "immediate"], ["after"])
        )

    def test_nextTickReturnsNone(self) -> None:
        """C{nextTick} returns nothing, as C{process.nextTick} returns undefined."""
        self.assertIsNone(nextTick(self.trace.append, 1, reactor=self.clock))
        self.clock.advance(0)
        self.assertEqual(self.trace, [1])


class ActiveReportTests(SynchronousTestCase):
    """
    Timers tell the C{net.run()} loop when they are active and ref'd.
    """

    def setUp(self) -> None:
        self.clock = Clock()
        self.recorder = _Recorder()
        self.patch(_loop, "_current", self.recorder)

    def test_timeout(self) -> None:
        """A timeout is active from creation until it fires, except while unref'd."""
        timer = setTimeout(lambda: None, 10, reactor=self.clock)
        timer.unref()
        timer.unref()
        timer.ref()
        self.clock.advance(0.01)
        timer.refresh()
        clearTimeout(timer)
        self.assertEqual(
            self.recorder.calls,
            [
                (timer, True),
                (timer, False),
                (timer, True),
                (timer, False),
                (timer, True),
                (timer, False),
            ],
        )

    def test_interval(self) -> None:
        """An interval stays active across its runs until it is cleared."""
        interval = setInterval(lambda: None, 10, reactor=self.clock)
        self.clock.pump([0.01] * 3)
        clearInterval(interval)
        self.assertEqual(self.recorder.calls, [(interval, True), (interval, False)])

    def test_unrefBeforeAndAfterFiring(self) -> None:
        """Toggling C{ref()} on a fired or cleared timer reports nothing new."""
        timer = setTimeout(lambda: None, 10, reactor=self.clock).unref()
        self.clock.advance(0.01)
        timer.ref()
        timer.unref()
        self.assertEqual(self.recorder.calls, [(timer, True), (timer, False)])

    def test_immediate(self) -> None:
        """An immediate is active while queued and ref'd; clearing or running ends it."""
        ran = setImmediate(lambda: None, reactor=self.clock)
        cleared = setImmediate(lambda: None, reactor=self.clock).unref()
        cleared.ref()
        clearImmediate(cleared)
        self.clock.advance(0)
        self.assertEqual(
            self.recorder.calls,
            [
                (ran, True),
                (cleared, True),
                (cleared, False),
                (cleared, True),
                (cleared, False),
                (ran, False),
            ],
        )


class ValidationTests(SynchronousTestCase):
    """
    Node's argument checks and delay coercion, with node's exact messages.
    """

    def delayOf(self, ms: object) -> float:
        """The delay, in ms, that C{setTimeout} and C{setInterval} use for C{ms}."""
        delays = []
        for factory in (setTimeout, setInterval):
            clock = Clock()
            factory(lambda: None, ms, reactor=clock)
            [call] = clock.getDelayedCalls()
            delays.append(call.getTime() * 1000)
        self.assertEqual(delays[0], delays[1])
        return delays[0]

    def test_callbackMustBeCallable(self) -> None:
        """Every function rejects a non-callable callback with node's ERR_INVALID_ARG_TYPE."""
        clock = Clock()
        cases = [
            (UNSET, "undefined"),
            (None, "null"),
            (1, "type number (1)"),
            (1.5, "type number (1.5)"),
            ("x", "type string ('x')"),
            (True, "type boolean (true)"),
            ({}, "an instance of Object"),
            ([], "an instance of Array"),
        ]
        functions: list[Callable[..., object]] = [setTimeout, setInterval, setImmediate, nextTick]
        seen = []
        for value, received in cases:
            for function in functions:
                with self.assertRaises(NodeTypeError) as caught:
                    function(value, 1, reactor=clock)
                self.assertIsInstance(caught.exception, TypeError)
                seen.append((caught.exception.code, str(caught.exception)))
                self.assertEqual(
                    seen[-1],
                    (
                        "ERR_INVALID_ARG_TYPE",
                        f'The "callback" argument must be of type function. Received {received}',
                    ),
                )
        self.assertEqual(clock.getDelayedCalls(), [])
        self.assertEqual(len(seen), len(cases) * len(functions))

    def test_delayCoercion(self) -> None:
        """The delay is coerced as node's C{after *= 1}, then clamped to 1 outside [1, 2**31-1]."""
        self.patch(timers, "_log", Logger(observer=lambda event: None))
        cases: list[tuple[object, float]] = [
            (UNSET, 1),
            (None, 1),
            (True, 1),
            (False, 1),
            ("100", 100),
            (" 12 ", 12),
            ("", 1),
            ("0x10", 16),
            ("1e3", 1000),
            ("abc", 1),
            ("1_000", 1),
            ("inf", 1),
            ({}, 1),
            (math.nan, 1),
            (-5, 1),
            (0, 1),
            (0.5, 1),
            (1.5, 1.5),
            (Decimal("2.5"), 2.5),
            (2**31 - 1, 2**31 - 1),
            (2**31, 1),
            (math.inf, 1),
            (1e21, 1),
            (10**400, 1),
        ]
        self.assertEqual([(ms, self.delayOf(ms)) for ms, _ in cases], cases)

    def test_overflowWarning(self) -> None:
        """Only a delay above 2**31-1 logs node's TimeoutOverflowWarning."""
        events: list[dict[str, Any]] = []
        self.patch(timers, "_log", Logger(observer=events.append))
        for ms in (2**31 - 1, 2**31, -1, math.nan, math.inf, 1e21, 3e9 + 0.5):
            setTimeout(lambda: None, ms, reactor=Clock())
        self.assertEqual(
            [(e["log_level"], formatEvent(e)) for e in events],
            [
                (
                    LogLevel.warn,
                    f"TimeoutOverflowWarning: {shown} does not fit into a 32-bit signed integer."
                    "\nTimeout duration was set to 1.",
                )
                for shown in ("2147483648", "Infinity", "1e+21", "3000000000.5")
            ],
        )


# The delays and messages node gives for the same inputs; the test below
# runs it and compares with nodenet.
_NODE_SCRIPT = r"""
const out = { delays: [], errors: [], warnings: [] };
process.on('warning', (w) => out.warnings.push(w.name + ': ' + w.message));
const inputs = [null, true, false, '100', ' 12 ', '', '0x10', '1e3', 'abc', '1_000', 'inf',
                NaN, -5, 0, 0.5, 1.5, 2147483647, 2147483648, Infinity, 1e21, 3e9 + 0.5];
for (const v of inputs) {
  const t = setTimeout(() => {}, v); out.delays.push(t._idleTimeout); clearTimeout(t);
}
{ const t = setTimeout(() => {}); out.delays.push(t._idleTimeout); clearTimeout(t); }
for (const cb of [null, 1, 1.5, 'x', true, {}, []]) {
  for (const f of [setTimeout, setInterval, setImmediate, process.nextTick]) {
    try { f(cb, 1); } catch (e) { out.errors.push([e.name, e.code, e.message]); }
  }
}
setImmediate(() => console.log(JSON.stringify(out)));
"""


class NodeParityTests(SynchronousTestCase):
    """
    The coercions and messages above, checked against node itself.
    """

    if shutil.which("node") is None:
        skip = "node is not installed: the parity check needs it as the oracle"

    def test_sameAsNode(self) -> None:
        """Delays, validation errors and overflow warnings are node's, for the same inputs."""
        node = shutil.which("node")
        assert node is not None
        done = subprocess.run(
            [node, "-e", _NODE_SCRIPT], capture_output=True, text=True, timeout=60
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        expected = json.loads(done.stdout)

        events: list[dict[str, Any]] = []
        self.patch(timers, "_log", Logger(observer=events.append))
        inputs: list[object] = [
            None,
            True,
            False,
            "100",
            " 12 ",
            "",
            "0x10",
            "1e3",
            "abc",
            "1_000",
            "inf",
            math.nan,
            -5,
            0,
            0.5,
            1.5,
            2147483647,
            2147483648,
            math.inf,
            1e21,
            3e9 + 0.5,
            UNSET,
        ]
        delays = []
        for value in inputs:
            clock = Clock()
            setTimeout(lambda: None, value, reactor=clock)
            [call] = clock.getDelayedCalls()
            delay = call.getTime() * 1000
            delays.append(int(delay) if delay.is_integer() else delay)
        errors = []
        for callback in [None, 1, 1.5, "x", True, {}, []]:
            for function in (setTimeout, setInterval, setImmediate, nextTick):
                try:
                    function(callback, 1, reactor=Clock())  # type: ignore[operator]
                except NodeTypeError as e:
                    errors.append([e.name, e.code, str(e)])
        warnings = [formatEvent(e) for e in events]
        self.assertEqual({"delays": delays, "errors": errors, "warnings": warnings}, expected)
