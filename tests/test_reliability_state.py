"""
Property-based tests of a socket's state machine: random sequences of user
actions and network events, over :func:`nodenet.testing.socketPair` and a
``task.Clock``, with Node's invariants checked after every step.

Hypothesis draws the options of both ends and then a sequence of steps:
each end may ``write()`` (with or without a callback), ``end()`` (with or
without data), ``pause()``, ``resume()`` or start reading, ``cork()``,
``uncork()``, ``setTimeout()``, ``destroy()`` (with or without an error) or
``resetAndDestroy()``; the network delivers one turn, runs until nothing
is left, lets time pass (idle timeouts fire) or resets the connection.
After every step, and once more after both ends were destroyed:

- ``'close'`` comes at most once and is the last event;
- no ``'data'`` after ``'end'``; ``'end'``, ``'finish'``, ``'connect'`` at
  most once;
- ``'error'`` at most once, and only before a ``'close'(True)``; a
  ``'close'(True)`` always follows an ``'error'``;
- nothing reaches the transport after our FIN (``loseWriteConnection``,
  ``loseConnection``, ``abortConnection``);
- ``readyState`` agrees with ``readable``, ``writable`` and ``connecting``,
  after every step and inside every listener;
- what an end received is a prefix of what its peer wrote, and all of it
  once ``'end'`` was emitted (no data lost);
- once ``'close'`` was emitted the end's transport is closed;
- at the end both ends read and ``end()``: unless either was destroyed,
  both then emit ``'end'``, ``'finish'`` and ``'close'`` with every byte
  delivered; after that no timer is left on the clock, and every write and
  end callback was called exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from twisted.internet.error import ConnectionLost
from twisted.internet.task import Clock
from twisted.trial.unittest import SynchronousTestCase

from nodenet.testing import SOCKET_EVENTS, MemoryTransport, flush, socketPair

SIDES = st.sampled_from(["client", "server"])
CHUNKS = st.binary(min_size=0, max_size=3000) | st.sampled_from([b"x" * 20000, b"y" * 70000])

#: The state machine's budget: enough to explore, small enough for CI.
STATE_SETTINGS = settings(
    max_examples=150,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def expectedReadyState(sock: Any) -> str:
    """``readyState`` as lib/net.js derives it from the public flags."""
    if sock.connecting:
        return "opening"
    if sock.readable and sock.writable:
        return "open"
    if sock.readable:
        return "readOnly"
    if sock.writable:
        return "writeOnly"
    return "closed"


class TransportRecorder:
    """
    Records, per memory transport, the order of writes and closing calls,
    so that a write after our FIN is caught.  Installed by patching
    :class:`MemoryTransport`'s methods for the duration of a test.
    """

    def __init__(self) -> None:
        self.calls: dict[int, list[tuple[str, int]]] = {}
        originalWrite = MemoryTransport.write
        originals = {
            name: getattr(MemoryTransport, name)
            for name in ("loseWriteConnection", "loseConnection", "abortConnection")
        }
        recorder = self

        def write(transport: MemoryTransport, data: bytes) -> None:
            recorder.calls.setdefault(id(transport), []).append(("write", len(data)))
            originalWrite(transport, data)

        def closing(name: str) -> Any:
            original = originals[name]

            def call(transport: MemoryTransport) -> None:
                recorder.calls.setdefault(id(transport), []).append((name, 0))
                original(transport)

            return call

        self.patches: dict[str, Any] = {"write": write}
        for name in originals:
            self.patches[name] = closing(name)

    def writesAfterFin(self, transport: MemoryTransport) -> list[tuple[str, int]]:
        """The non-empty writes handed to ``transport`` after its first closing call."""
        calls = self.calls.get(id(transport), [])
        for index, (name, _) in enumerate(calls):
            if name != "write":
                return [c for c in calls[index:] if c[0] == "write" and c[1] > 0]
        return []


class End:
    """One end of the pair as the state machine sees it."""

    def __init__(self, name: str, sock: Any, onTimeout: str, clock: Iterator[int]) -> None:
        self.name = name
        self.sock = sock
        self.clock = clock
        self.log: list[tuple[str, tuple[Any, ...]]] = []
        self.seq: list[int] = []
        #: When the socket was first destroyed (by the program or by itself).
        self.destroyedAt: int | None = None
        self.stateProblems: list[str] = []
        self.received = bytearray()
        self.written = bytearray()
        self.callbacks: dict[int, int] = {}
        self.reading = False
        self.transport: MemoryTransport | None = None
        for event in SOCKET_EVENTS:
            if event != "data":
                sock.on(event, self._recorder(event))
        original = sock.destroy

        def destroy(*args: Any) -> Any:
            if self.destroyedAt is None:
                self.destroyedAt = next(self.clock)
            return original(*args)

        sock.destroy = destroy
        if onTimeout == "destroy":
            sock.on("timeout", lambda: sock.destroy())
        elif onTimeout == "end":
            sock.on("timeout", lambda: sock.end())

    def _recorder(self, event: str) -> Any:
        def record(*args: Any) -> None:
            self.log.append((event, args))
            self.seq.append(next(self.clock))
            self.checkState(f"in '{event}'")

        return record

    def checkState(self, where: str) -> None:
        sock = self.sock
        expected = expectedReadyState(sock)
        if sock.readyState != expected:
            self.stateProblems.append(
                f"{self.name} {where}: readyState {sock.readyState!r} but readable="
                f"{sock.readable} writable={sock.writable} connecting={sock.connecting}"
            )

    def onData(self, chunk: bytes) -> None:
        self.received += chunk
        self.log.append(("data", (len(chunk),)))
        self.seq.append(next(self.clock))
        self.checkState("in 'data'")

    def callback(self) -> Any:
        key = len(self.callbacks)
        self.callbacks[key] = 0

        def cb(*args: Any) -> None:
            self.callbacks[key] += 1

        return cb

    def names(self) -> list[str]:
        return [name for name, _ in self.log]

    def when(self, event: str) -> int | None:
        """The global sequence number of the first ``event``, if any."""
        for (name, _), seq in zip(self.log, self.seq, strict=True):
            if name == event:
                return seq
        return None

    def sends(self) -> bool:
        """Whether a ``write()`` now would send (not after end, not destroyed)."""
        return not self.sock.writableEnded and not self.sock.destroyed


class SocketMachine(RuleBasedStateMachine):
    """Random user actions and network events on a connected pair."""

    recorder: TransportRecorder

    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.ends: dict[str, End] = {}
        self.sequence = count()
        self.recorder.calls = {}

    @initialize(
        clientHalfOpen=st.booleans(),
        serverHalfOpen=st.booleans(),
        bufferSize=st.sampled_from([1, 4096, 65536]),
        readSize=st.sampled_from([7, 1000, 65536]),
        pauseOnConnect=st.booleans(),
        readers=st.sampled_from(["both", "client", "server", "none"]),
        onTimeout=st.sampled_from(["ignore", "destroy", "end"]),
    )
    def start(
        self,
        clientHalfOpen: bool,
        serverHalfOpen: bool,
        bufferSize: int,
        readSize: int,
        pauseOnConnect: bool,
        readers: str,
        onTimeout: str,
    ) -> None:
        client, server = socketPair(
            self.clock,
            clientOptions={"allowHalfOpen": clientHalfOpen},
            serverOptions={"allowHalfOpen": serverHalfOpen, "pauseOnConnect": pauseOnConnect},
            bufferSize=bufferSize,
            readSize=readSize,
        )
        self.ends = {
            "client": End("client", client, onTimeout, self.sequence),
            "server": End("server", server, onTimeout, self.sequence),
        }
        self.ends["server"].transport = server._transport
        for name in ("client", "server"):
            if readers in ("both", name):
                self.startReading(name)

    def peer(self, name: str) -> End:
        return self.ends["server" if name == "client" else "client"]

    def transportOf(self, end: End) -> MemoryTransport | None:
        if end.transport is None:
            end.transport = end.sock._transport
        return end.transport

    def startReading(self, name: str) -> None:
        end = self.ends[name]
        if not end.reading:
            end.reading = True
            end.sock.on("data", end.onData)
        else:
            end.sock.resume()

    # user actions

    @rule(side=SIDES, data=CHUNKS, withCallback=st.booleans())
    def write(self, side: str, data: bytes, withCallback: bool) -> None:
        end = self.ends[side]
        if end.sends():
            end.written += data
        if withCallback:
            end.sock.write(data, end.callback())
        else:
            end.sock.write(data)

    @rule(side=SIDES, data=st.none() | CHUNKS, withCallback=st.booleans())
    def end(self, side: str, data: bytes | None, withCallback: bool) -> None:
        end = self.ends[side]
        if data is not None and end.sends():
            end.written += data
        args: list[Any] = [] if data is None else [data]
        if withCallback:
            args.append(end.callback())
        end.sock.end(*args)

    @rule(side=SIDES)
    def pause(self, side: str) -> None:
        self.ends[side].sock.pause()

    @rule(side=SIDES)
    def read(self, side: str) -> None:
        self.startReading(side)

    @rule(side=SIDES)
    def cork(self, side: str) -> None:
        self.ends[side].sock.cork()

    @rule(side=SIDES)
    def uncork(self, side: str) -> None:
        self.ends[side].sock.uncork()

    @rule(side=SIDES, ms=st.sampled_from([0, 5, 50]))
    def setTimeout(self, side: str, ms: int) -> None:
        self.ends[side].sock.setTimeout(ms)

    @rule(side=SIDES, kind=st.sampled_from(["destroy", "destroy(err)", "resetAndDestroy", "network"]))
    def fault(self, side: str, kind: str) -> None:
        """
        One rule for every way a connection is cut, so that most sequences
        are free of them (and end with the liveness check).
        """
        sock = self.ends[side].sock
        if kind == "destroy":
            sock.destroy()
        elif kind == "destroy(err)":
            sock.destroy(Exception("boom"))
        elif kind == "resetAndDestroy":
            sock.resetAndDestroy()
        else:
            self.networkReset()

    # network events

    @rule()
    def oneTurn(self) -> None:
        self.clock.advance(0)

    @rule()
    def settle(self) -> None:
        flush(self.clock)

    @rule(ms=st.sampled_from([1, 10, 60]))
    def timePasses(self, ms: int) -> None:
        self.clock.advance(ms / 1000.0)

    def networkReset(self) -> None:
        """A reset from the network: both ends lose the connection at once."""
        for end in self.ends.values():
            transport = self.transportOf(end)
            if transport is not None and transport.connected:
                transport.outgoing.clear()
                transport.queued = 0
                transport._lost(ConnectionLost())

    # invariants

    @invariant()
    def eventOrder(self) -> None:
        for end in self.ends.values():
            names = end.names()
            where = f"{end.name}: {names}"
            assert names.count("close") <= 1, where
            if "close" in names:
                assert names[-1] == "close", where
            if "end" in names:
                assert "data" not in names[names.index("end") :], where
            for once in ("end", "finish", "connect", "error"):
                assert names.count(once) <= 1, where
            closeArgs = [args for name, args in end.log if name == "close"]
            if "error" in names:
                assert closeArgs in ([], [(True,)]), where
            if closeArgs == [(True,)]:
                assert "error" in names, where

    @invariant()
    def readyStateAgrees(self) -> None:
        for end in self.ends.values():
            end.checkState("after a step")
            assert not end.stateProblems, end.stateProblems

    @invariant()
    def nothingAfterFin(self) -> None:
        for end in self.ends.values():
            transport = self.transportOf(end)
            if transport is not None:
                late = self.recorder.writesAfterFin(transport)
                assert not late, f"{end.name} wrote after its FIN: {late}"

    @invariant()
    def noDataLost(self) -> None:
        for end in self.ends.values():
            sent = bytes(self.peer(end.name).written)
            got = bytes(end.received)
            assert sent.startswith(got), f"{end.name} received bytes its peer never wrote"
            endAt = end.when("end")
            peer = self.peer(end.name)
            if endAt is not None and (peer.destroyedAt is None or peer.destroyedAt > endAt):
                # The peer's FIN came from end(), not from a destroy() that
                # may drop what was still queued: everything must be here.
                assert peer.sock.writableEnded, f"{end.name} saw 'end' before its peer ended"
                assert len(got) == len(sent), (
                    f"{end.name} got {len(got)} bytes then 'end'; its peer wrote {len(sent)}"
                )

    @invariant()
    def closedMeansReleased(self) -> None:
        for end in self.ends.values():
            if "close" in end.names():
                transport = self.transportOf(end)
                assert transport is None or not transport.connected, f"{end.name} closed with its transport open"

    def teardown(self) -> None:
        if not self.ends:
            return
        # Liveness: both ends read and end(); unless something was
        # destroyed, both connections must then close cleanly and completely.
        for name, end in self.ends.items():
            self.startReading(name)
            end.sock.resume()
            end.sock.end()
        flush(self.clock)
        self.noDataLost()
        if all(end.destroyedAt is None for end in self.ends.values()):
            for end in self.ends.values():
                names = end.names()
                assert all(n in names for n in ("end", "finish", "close")), (
                    f"{end.name} did not close after both ends read and ended: {names}"
                )
        for end in self.ends.values():
            end.sock.destroy()
        flush(self.clock)
        self.eventOrder()
        self.readyStateAgrees()
        self.nothingAfterFin()
        self.noDataLost()
        self.closedMeansReleased()
        for end in self.ends.values():
            assert end.names().count("close") == 1, f"{end.name} never closed: {end.names()}"
            uncalled = {k: v for k, v in end.callbacks.items() if v != 1}
            assert not uncalled, f"{end.name} callbacks not called exactly once: {uncalled}"
        left = self.clock.getDelayedCalls()
        assert not left, f"timers left after both ends closed: {left}"


class SocketStateMachineTests(SynchronousTestCase):
    """Node's invariants hold over random sequences of actions and events."""

    def test_invariants(self) -> None:
        """No random sequence of actions and events breaks an invariant."""
        recorder = TransportRecorder()
        for name, function in recorder.patches.items():
            self.patch(MemoryTransport, name, function)
        SocketMachine.recorder = recorder
        run_state_machine_as_test(SocketMachine, settings=STATE_SETTINGS)
