"""
Tests for L{nodenet._loop}: C{net.run()}, Node's process model.

A reactor runs only once per process, so the end-to-end tests run small
programs in child processes; the exit decision itself is also tested in
process, on a memory reactor.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

from nodenet import _loop, _tick, timers

_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")

# Every program gets these names; it prints one JSON line with its result.
_PRELUDE = """\
import json, sys, time
from twisted.internet import reactor
from nodenet import _loop, _tick, timers
from nodenet.timers import setTimeout, setInterval, setImmediate, nextTick, clearInterval
trace = []
def report(**fields):
    print(json.dumps(fields), flush=True)
"""


class _Done:
    """What a child program did: exit code, output and its last JSON report."""

    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.returncode = done.returncode
        self.stdout = done.stdout
        self.stderr = done.stderr
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        self.report: dict[str, Any] | None = json.loads(lines[-1]) if lines else None


def runProgram(testCase: SynchronousTestCase, body: str, timeout: float = 60) -> _Done:
    """Run C{body} (after the prelude) with this checkout's C{nodenet}, in a child Python."""
    path = testCase.mktemp() + ".py"
    with open(path, "w") as f:
        f.write(_PRELUDE + textwrap.dedent(body))
    env = dict(os.environ, PYTHONPATH=_SRC)
    done = subprocess.run(
        [sys.executable, path], capture_output=True, text=True, timeout=timeout, env=env
    )
    return _Done(done)


class RunProgramTests(SynchronousTestCase):
    """
    C{net.run()} ends a program when nothing referenced is left, as Node does.

    Timers that must never fire are set far beyond the child's time limit,
    so a child that finishes at all was not kept alive by them.
    """

    def test_exitsAfterLastTimer(self) -> None:
        """
        The program ends right after its last timer (within 100 ms) and C{run()}
        returns what C{main} returned.
        """
        done = runProgram(
            self,
            """
            last = []
            def main(name):
                setTimeout(trace.append, 100, "t100")
                setTimeout(trace.append, 50, "t50")
                setImmediate(trace.append, "immediate")
                nextTick(trace.append, "tick")
                def final():
                    trace.append("t200")
                    last.append(time.monotonic())
                setTimeout(final, 200)
                return "hello " + name
            result = _loop.run(main, "world")
            report(result=result, trace=trace, lag=time.monotonic() - last[0])
            """,
        )
        assert done.report is not None, done.stderr
        lag = done.report.pop("lag")
        self.assertEqual(
            (done.returncode, done.report),
            (0, {"result": "hello world", "trace": ["tick", "immediate", "t50", "t100", "t200"]}),
        )
        self.assertLess(lag, 0.1)

    def test_unrefTimerDoesNotKeepAlive(self) -> None:
        """An unref'd 10 s timer neither runs nor keeps the program alive."""
        done = runProgram(
            self,
            """
            def main():
                timer = setTimeout(trace.append, 10000, "unref'd")
                trace.append(timer.unref().hasRef())
                setTimeout(trace.append, 50, "ref'd")
            start = time.monotonic()
            _loop.run(main)
            report(trace=trace, took=time.monotonic() - start)
            """,
        )
        assert done.report is not None, done.stderr
        self.assertEqual((done.returncode, done.report["trace"]), (0, [False, "ref'd"]))
        self.assertLess(done.report["took"], 5)

    def test_unrefImmediateDoesNotKeepAlive(self) -> None:
        """As in node, an unref'd immediate with nothing else pending never runs."""
        done = runProgram(
            self,
            """
            def main():
                setImmediate(trace.append, "unref'd immediate").unref()
            _loop.run(main)
            report(trace=trace)
            """,
        )
        self.assertEqual((done.returncode, done.report), (0, {"trace": []}), done.stderr)

    def test_intervalClearedAfterThreeRuns(self) -> None:
        """A C{setInterval} cleared on its third run ends the program after it."""
        done = runProgram(
            self,
            """
            def main():
                def tick():
                    trace.append(len(trace) + 1)
                    if len(trace) == 3:
                        clearInterval(interval)
                interval = setInterval(tick, 20)
            _loop.run(main)
            report(trace=trace)
            """,
        )
        self.assertEqual((done.returncode, done.report), (0, {"trace": [1, 2, 3]}), done.stderr)

    def test_mainRaises(self) -> None:
        """
        An exception from C{main} is raised from C{run()}: the program dies with
        its traceback, which shows where C{main} raised.
        """
        done = runProgram(
            self,
            """
            def main():
                setTimeout(trace.append, 600000, "never")
                raise ValueError("bad main")
            _loop.run(main)
            report(after=True)
            """,
        )
        self.assertEqual((done.returncode, done.report), (1, None))
        self.assertIn("Traceback (most recent call last):", done.stderr)
        self.assertIn('raise ValueError("bad main")', done.stderr)
        self.assertIn(", in main\n", done.stderr)
        self.assertTrue(done.stderr.rstrip().endswith("ValueError: bad main"), done.stderr)

    def test_timerCallbackRaises(self) -> None:
        """
        An exception in a timer callback stops the program at once and is raised
        from C{run()} with the callback's frame in its traceback.
        """
        done = runProgram(
            self,
            """
            import traceback
            def main():
                def explode():
                    trace.append("explode")
                    raise KeyError("from a timer")
                setTimeout(explode, 20)
                setTimeout(trace.append, 40, "first later timer")
                setTimeout(trace.append, 600000, "second later timer")
            try:
                _loop.run(main)
            except KeyError as e:
                frames = [f.name for f in traceback.extract_tb(e.__traceback__)]
                report(caught=repr(e), trace=trace, frames=frames[0:1] + frames[-1:])
            """,
        )
        self.assertEqual(
            (done.returncode, done.report),
            (
                0,
                {
                    "caught": "KeyError('from a timer')",
                    "trace": ["explode"],
                    "frames": ["<module>", "explode"],
                },
            ),
            done.stderr,
        )

    def test_socketListenerRaises(self) -> None:
        """
        An exception from a socket's listener ends a C{net.run()} program:
        C{run()} raises it, as Node's process would crash.
        """
        done = runProgram(
            self,
            """
            import nodenet as net
            def main():
                def onConnection(socket):
                    socket.on("data", lambda data: (_ for _ in ()).throw(ValueError(data)))
                server = net.createServer(onConnection)
                def listening():
                    client = net.connect(server.address()["port"], "127.0.0.1")
                    client.write(b"boom")
                server.listen(0, "127.0.0.1", listening)
            try:
                net.run(main)
            except ValueError as e:
                report(caught=repr(e))
            """,
        )
        self.assertEqual((0, {"caught": "ValueError(b'boom')"}), (done.returncode, done.report), done.stderr)

    def test_unrefConnectionsEndQuietly(self) -> None:
        """
        Unref'd open connections do not keep the program alive, and when the
        reactor drops them at exit nothing is emitted for them (no 'error'
        without a listener, no 'close'), as a Node process just ends.
        """
        done = runProgram(
            self,
            """
            import nodenet as net
            events = []
            def main():
                def onConnection(s):
                    s.unref()  # as in Node, server.unref() leaves accepted sockets ref'd
                    s.on("close", lambda h: events.append(("server side", h)))
                server = net.createServer(onConnection)
                def listening():
                    client = net.connect(server.address()["port"], "127.0.0.1")
                    client.on("connect", lambda: (client.unref(), server.unref()))
                    client.on("close", lambda h: events.append(("client", h)))
                server.listen(0, "127.0.0.1", listening)
            net.run(main)
            report(events=sorted(events))
            """,
        )
        self.assertEqual(
            (0, {"events": []}),
            (done.returncode, done.report),
            done.stderr,
        )
        self.assertNotIn("ECONNRESET", done.stderr)

    def test_tickRaisesUncaught(self) -> None:
        """
        An exception escaping a call queued straight on the tick scheduler (as
        nodenet's own code does) ends the program; it dies with that traceback.
        """
        done = runProgram(
            self,
            """
            def boom():
                raise RuntimeError("in a tick")
            def main():
                _tick.schedulerFor().nextTick(boom)
                setTimeout(trace.append, 600000, "never")
            _loop.run(main)
            report(after=True)
            """,
        )
        self.assertEqual((done.returncode, done.report), (1, None))
        self.assertTrue(done.stderr.rstrip().endswith("RuntimeError: in a tick"), done.stderr)
        self.assertIn(", in boom\n", done.stderr)

    def test_asyncMain(self) -> None:
        """
        An C{async def} main may await Deferreds, including one fired by a raw
        C{callLater} that no handle tracks; C{run()} returns its result.
        """
        done = runProgram(
            self,
            """
            from twisted.internet.defer import Deferred
            async def main(x):
                d = Deferred()
                setTimeout(d.callback, 30, "timer")
                trace.append(await d)
                raw = Deferred()
                reactor.callLater(0.05, raw.callback, "raw callLater")
                trace.append(await raw)
                return x * 2
            result = _loop.run(main, 21)
            report(result=result, trace=trace)
            """,
        )
        self.assertEqual(
            (done.returncode, done.report),
            (0, {"result": 42, "trace": ["timer", "raw callLater"]}),
            done.stderr,
        )

    def test_asyncMainFails(self) -> None:
        """A failure of an C{async def} main after an C{await} is raised from C{run()}."""
        done = runProgram(
            self,
            """
            from twisted.internet.defer import Deferred
            async def main():
                d = Deferred()
                setTimeout(d.callback, 10, None)
                await d
                raise LookupError("after await")
            try:
                _loop.run(main)
            except LookupError as e:
                report(caught=str(e))
            """,
        )
        self.assertEqual(
            (done.returncode, done.report), (0, {"caught": "after await"}), done.stderr
        )

    def test_listeningHandleKeepsAlive(self) -> None:
        """
        A listening TCP port wrapped in a handle that reports through
        C{setActive} keeps the program alive, after every timer, until closed.
        """
        done = runProgram(
            self,
            """
            from twisted.internet.protocol import Factory, Protocol

            class ListeningHandle:
                def __init__(self, factory):
                    self.port = reactor.listenTCP(0, factory, interface="127.0.0.1")
                    _loop.setActive(self, True)
                def close(self):
                    trace.append("close")
                    d = self.port.stopListening()
                    d.addCallback(lambda _: _loop.setActive(self, False))

            class Server(Protocol):
                def connectionMade(self):
                    trace.append("connection")
                    handle.close()

            def main():
                global handle
                handle = ListeningHandle(Factory.forProtocol(Server))
                port = handle.port.getHost().port
                setTimeout(trace.append, 20, "last timer")
                def connect():
                    trace.append("connect")
                    reactor.connectTCP("127.0.0.1", port, Factory.forProtocol(Protocol))
                reactor.callLater(0.3, connect)
            start = time.monotonic()
            _loop.run(main)
            report(trace=trace, took=time.monotonic() - start)
            """,
        )
        assert done.report is not None, done.stderr
        self.assertEqual(
            (done.returncode, done.report["trace"]),
            (0, ["last timer", "connect", "connection", "close"]),
        )
        self.assertGreaterEqual(done.report["took"], 0.3)

    def test_unrefListeningHandle(self) -> None:
        """A handle that does not report itself active lets the program end at once."""
        done = runProgram(
            self,
            """
            from twisted.internet.protocol import Factory, Protocol
            def main():
                reactor.listenTCP(0, Factory.forProtocol(Protocol), interface="127.0.0.1")
                trace.append("listening")
            start = time.monotonic()
            _loop.run(main)
            report(trace=trace, took=time.monotonic() - start)
            """,
        )
        assert done.report is not None, done.stderr
        self.assertEqual((done.returncode, done.report["trace"]), (0, ["listening"]))
        self.assertLess(done.report["took"], 5)

    def test_secondRunRaises(self) -> None:
        """A second C{run()} raises ERR_INVALID_STATE: a reactor cannot be restarted."""
        done = runProgram(
            self,
            """
            from nodenet.errors import NodeError
            first = _loop.run(lambda: "first")
            try:
                _loop.run(lambda: "second")
            except NodeError as e:
                report(first=first, code=e.code, message=str(e))
            """,
        )
        self.assertEqual(
            (done.returncode, done.report),
            (
                0,
                {
                    "first": "first",
                    "code": "ERR_INVALID_STATE",
                    "message": "Invalid state: net.run() was already called; "
                    "it can run only once per process",
                },
            ),
            done.stderr,
        )

    def test_nothingLeftAfterLookup(self) -> None:
        """
        After a name lookup on the reactor's thread pool, C{run()} leaves no
        thread behind and the process ends.
        """
        done = runProgram(
            self,
            """
            import threading
            async def main():
                return await reactor.resolve("localhost")
            address = _loop.run(main)
            report(address=address, threads=[t.name for t in threading.enumerate()])
            """,
        )
        self.assertEqual(
            (done.returncode, done.report),
            (0, {"address": "127.0.0.1", "threads": ["MainThread"]}),
            done.stderr,
        )

    def test_sigint(self) -> None:
        """SIGINT shuts the reactor down and C{run()} raises C{KeyboardInterrupt}."""
        done = runProgram(
            self,
            """
            import os, signal
            def main():
                setTimeout(trace.append, 600000, "never")
                reactor.addSystemEventTrigger("during", "shutdown", trace.append, "shutdown")
                setTimeout(os.kill, 20, os.getpid(), signal.SIGINT)
            try:
                _loop.run(main)
            except KeyboardInterrupt:
                report(trace=trace, handler=signal.getsignal(signal.SIGINT) is signal.default_int_handler)
            """,
        )
        self.assertEqual(
            (done.returncode, done.report),
            (0, {"trace": ["shutdown"], "handler": True}),
            done.stderr,
        )

    def test_sigterm(self) -> None:
        """SIGTERM shuts the reactor down, then ends the process as Python's default does."""
        done = runProgram(
            self,
            """
            import os, signal
            def main():
                setTimeout(trace.append, 600000, "never")
                reactor.addSystemEventTrigger("during", "shutdown", report, shutdown=True)
                setTimeout(os.kill, 20, os.getpid(), signal.SIGTERM)
            _loop.run(main)
            report(after=True)
            """,
        )
        self.assertEqual((done.returncode, done.report), (-signal.SIGTERM, {"shutdown": True}))


class _Handle:
    """A stand-in handle."""


class LoopTests(SynchronousTestCase):
    """
    The exit decision of one C{net.run()}, on a memory reactor.
    """

    def setUp(self) -> None:
        self.reactor = MemoryReactorClock()
        self.reactor.running = True
        self.scheduler = _tick.schedulerFor(self.reactor)
        self.loop = _loop._Loop(self.reactor, self.scheduler)
        self.patch(_loop, "_current", self.loop)

    def test_waitsForMainAndHandles(self) -> None:
        """The program ends one turn after C{main} is done and the last handle went away."""
        handle = _Handle()
        main: Deferred[str] = Deferred()
        self.loop.start(lambda: main, ())
        _loop.setActive(handle, True)
        steps = []
        self.reactor.advance(0)
        steps.append(self.reactor.hasStopped)
        main.callback("done")
        self.reactor.advance(0)
        steps.append(self.reactor.hasStopped)
        _loop.setActive(handle, False)
        steps.append(self.reactor.hasStopped)
        # A memory clock also runs, within the same advance(), the second
        # check that the first one queues.
        self.reactor.advance(0)
        steps.append(self.reactor.hasStopped)
        self.assertEqual((steps, self.loop.result), ([False, False, False, True], "done"))
        self.assertEqual(self.reactor.getDelayedCalls(), [])

    def test_settlingIsInterrupted(self) -> None:
        """A handle that becomes active while the program is settling keeps it alive."""
        self.loop.start(lambda: None, ())
        settling = self.loop.settling
        handle = _Handle()
        _loop.setActive(handle, True)
        self.reactor.advance(0)
        self.reactor.advance(0)
        self.assertEqual(
            (settling, self.loop.settling, self.reactor.hasStopped), (True, False, False)
        )
        _loop.setActive(handle, False)
        self.reactor.pump([0, 0])
        self.assertTrue(self.reactor.hasStopped)

    def test_pendingTicksKeepAlive(self) -> None:
        """Queued ticks and ref'd immediates are run before the program ends."""
        trace: list[str] = []

        def main() -> None:
            timers.setImmediate(trace.append, "immediate", reactor=self.reactor)
            self.scheduler.nextTick(trace.append, "tick")

        self.loop.start(main, ())
        stopped = self.reactor.hasStopped
        self.reactor.advance(0)
        self.assertEqual(
            (stopped, trace, self.reactor.hasStopped), (False, ["tick", "immediate"], True)
        )

    def test_unrefImmediateWaitsWhileSettling(self) -> None:
        """
        While the program is settling an unref'd immediate is put back; it runs
        in a turn in which the program stays alive.
        """
        trace: list[str] = []
        _loop.setActive(_Handle(), True)
        timers.setImmediate(trace.append, "unref'd", reactor=self.reactor).unref()
        self.loop.settling = True
        self.scheduler._run()
        steps = [(list(trace), self.scheduler.pending())]
        self.loop.settling = False
        self.scheduler._run()
        steps.append((list(trace), self.scheduler.pending()))
        self.assertEqual(steps, [([], True), (["unref'd"], False)])

    def test_whatKeepsAlive(self) -> None:
        """Queued ticks, close callbacks and ref'd immediates count; unref'd immediates do not."""
        clock = MemoryReactorClock()
        scheduler = _tick.schedulerFor(clock)
        states = [_loop._keepsAlive(scheduler)]
        immediate = timers.setImmediate(lambda: None, reactor=clock)
        states.append(_loop._keepsAlive(scheduler))
        immediate.unref()
        states.append(_loop._keepsAlive(scheduler))
        scheduler.onClose(lambda: None)
        states.append(_loop._keepsAlive(scheduler))
        clock.advance(0)
        scheduler.nextTick(lambda: None)
        states.append(_loop._keepsAlive(scheduler))
        clock.advance(0)
        states.append(_loop._keepsAlive(scheduler))
        self.assertEqual(states, [False, True, False, True, True, False])

    def test_firstUncaughtWins(self) -> None:
        """The first uncaught exception is kept and stops the program; later ones are logged."""
        _loop.setActive(_Handle(), True)
        self.loop.start(lambda: None, ())
        first, second = ValueError(1), ValueError(2)
        _loop.uncaught(first)
        stopped = self.reactor.hasStopped
        _loop.uncaught(second)
        assert self.loop.error is not None
        self.assertEqual((stopped, self.loop.error[0]), (True, first))
        self.assertEqual([f.value for f in self.flushLoggedErrors(ValueError)], [second])

    def test_mainFails(self) -> None:
        """A failing C{main} is the program's error."""

        def main() -> None:
            raise OSError("main")

        self.loop.start(main, ())
        assert self.loop.error is not None
        self.assertEqual(
            (self.reactor.hasStopped, str(self.loop.error[0]), self.loop.error[1] is not None),
            (True, "main", True),
        )

    def test_setActiveWithoutRun(self) -> None:
        """Without a run in progress, C{setActive} does nothing and C{uncaught} logs."""
        self.patch(_loop, "_current", None)
        _loop.setActive(_Handle(), True)
        _loop.uncaught(ArithmeticError("logged"))
        self.assertEqual(self.loop.handles, {})
        self.assertEqual(
            [str(f.value) for f in self.flushLoggedErrors(ArithmeticError)], ["logged"]
        )
