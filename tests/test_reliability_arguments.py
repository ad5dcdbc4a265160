"""
Hostile input to the API: every public function fed wrong types and values.

Each call of :data:`CALLS` is made once with each value of :data:`VALUES`,
in nodenet and (by the JavaScript program :data:`NODE_PROGRAM`, fed the same
table) in Node v20.  The outcomes must be the same: either both accept the
call, or both throw synchronously an error of the same name, code and
message.  The call strings are written in the subset that Python and
JavaScript share (``V`` is the value, ``F`` a function, ``T`` true,
``Socket(...)`` a new socket), so each is written once.

A call that throws must also leave nothing half-built: no port, connector
or timer on the reactor, and the socket, server or emitter it was called on
still consistent (``readyState`` agreeing with its flags) and able to
close, emitting ``'close'`` once.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from twisted.internet.testing import MemoryReactorClock
from twisted.trial.unittest import SynchronousTestCase

import nodenet
from nodenet import _server, _socket, timers
from nodenet.errors import NodeError
from nodenet.events import EventEmitter

from .test_reliability_state import expectedReadyState

NODE = shutil.which("node")


def F(*args: Any) -> None:
    """The function value (named ``F`` in both languages)."""


#: Label -> (JavaScript expression, Python factory).
VALUES: dict[str, tuple[str, Callable[[], Any]]] = {
    "-1": ("-1", lambda: -1),
    "1.5": ("1.5", lambda: 1.5),
    "NaN": ("NaN", lambda: math.nan),
    "Infinity": ("Infinity", lambda: math.inf),
    "2**31": ("2147483648", lambda: 2**31),
    "''": ("''", lambda: ""),
    "'abc'": ("'abc'", lambda: "abc"),
    "'1'": ("'1'", lambda: "1"),
    "true": ("true", lambda: True),
    "false": ("false", lambda: False),
    "null": ("null", lambda: None),
    "[]": ("[]", lambda: []),
    "{}": ("{}", lambda: {}),
    "F": ("F", lambda: F),
}

#: Calls, in the syntax Python and JavaScript share.
CALLS = [
    # net
    "net.connect(V)",
    "net.createConnection(V)",
    "net.connect({'port': V})",
    "net.connect({'port': 80, 'host': V})",
    "net.connect({'path': V})",
    "net.connect(80, V)",
    "net.connect(80, '127.0.0.1', V)",
    "net.createServer(V)",
    "net.createServer({}, V)",
    "net.isIP(V)",
    "net.isIPv4(V)",
    "net.isIPv6(V)",
    "net.setDefaultAutoSelectFamily(V)",
    "net.setDefaultAutoSelectFamilyAttemptTimeout(V)",
    # Socket construction
    "Socket(V)",
    "Socket({'fd': V})",
    "Socket({'allowHalfOpen': V})",
    # Socket methods
    "s.connect(V)",
    "s.connect({'port': V})",
    "s.connect({'port': 80, 'host': V})",
    "s.connect({'port': 80, 'family': V})",
    "s.connect({'port': 80, 'localAddress': V})",
    "s.connect({'port': 80, 'localPort': V})",
    "s.connect({'port': 80, 'lookup': V})",
    "s.connect({'port': 80, 'timeout': V})",
    "s.connect({'port': 80, 'autoSelectFamily': V})",
    "s.connect({'port': 80, 'autoSelectFamilyAttemptTimeout': V})",
    "s.connect({'port': 80, 'hints': V})",
    "s.write(V)",
    "s.write('x', V)",
    "s.write('x', 'utf8', V)",
    "s.end(V)",
    "s.end('x', V)",
    "s.setEncoding(V)",
    "s.setDefaultEncoding(V)",
    "s.setTimeout(V)",
    "s.setTimeout(1, V)",
    "s.setNoDelay(V)",
    "s.setKeepAlive(V)",
    "s.setKeepAlive(T, V)",
    "s.destroy(V)",
    "s.on('data', V)",
    # Server methods
    "srv.listen(V)",
    "srv.listen({'port': V})",
    "srv.listen({'port': 0, 'host': V})",
    "srv.listen({'port': 0, 'backlog': V})",
    "srv.listen({'path': V})",
    "srv.listen({'fd': V})",
    "srv.listen(0, '127.0.0.1', V)",
    "srv.close(V)",
    "srv.getConnections(V)",
    # events
    "e.on('x', V)",
    "e.once('x', V)",
    "e.prependListener('x', V)",
    "e.removeListener('x', V)",
    "e.setMaxListeners(V)",
    "e.listenerCount(V)",
    # timers
    "timers.setTimeout(V)",
    "timers.setTimeout(F, V)",
    "timers.setInterval(V)",
    "timers.setImmediate(V)",
    "timers.clearTimeout(V)",
]

#: Node's half: reads ``[label, call, value]`` rows as JSON on stdin and
#: prints ``[label, "ok"]`` or ``[label, name, code, message]`` for each.
NODE_PROGRAM = r"""
const net = require('net');
const timers = require('timers');
const { EventEmitter } = require('events');
const fs = require('fs');
function F() {}
const T = true;
const Socket = (...args) => new net.Socket(...args);
const rows = JSON.parse(fs.readFileSync(0, 'utf8'));
const out = [];
function cleanup(r) {
  if (r instanceof net.Socket) { r.on('error', () => {}); r.destroy(); }
  else if (r instanceof net.Server) { r.on('error', () => {}); try { r.close(); } catch (e) {} }
  else if (r && typeof r.hasRef === 'function') { clearTimeout(r); clearInterval(r); clearImmediate(r); }
}
for (const [label, call, value] of rows) {
  const V = value === 'undefined' ? undefined : eval('(' + value + ')');
  const s = new net.Socket(); s.on('error', () => {});
  const srv = net.createServer(); srv.on('error', () => {});
  const e = new EventEmitter();
  const autoSelect = net.getDefaultAutoSelectFamily();
  const attemptTimeout = net.getDefaultAutoSelectFamilyAttemptTimeout();
  try {
    cleanup(eval(call));
    out.push([label, 'ok']);
  } catch (err) {
    out.push([label, err.name, err.code === undefined ? null : err.code, err.message]);
  }
  s.destroy();
  try { srv.close(); } catch (err) {}
  net.setDefaultAutoSelectFamily(autoSelect);
  net.setDefaultAutoSelectFamilyAttemptTimeout(attemptTimeout);
}
fs.writeSync(1, JSON.stringify(out));
process.exit(0);
"""


def rows(calls: list[str] = CALLS) -> list[tuple[str, str, str]]:
    """Every ``(label, call, value)`` combination."""
    return [(call.replace("V", label), call, label) for call in calls for label in VALUES]


_FUNCTION_TEXT = re.compile(r"<function F at 0x[0-9a-f]+>")


def normalise(outcome: list[Any]) -> list[Any]:
    """
    One outcome, with the one difference no Python program can avoid: where
    Node prints a function's source (``String(fn)``), Python prints its repr.
    """
    if len(outcome) == 3 and isinstance(outcome[2], str):
        return [outcome[0], outcome[1], _FUNCTION_TEXT.sub("function F() {}", outcome[2])]
    return outcome


@functools.lru_cache(maxsize=1)
def nodeOutcomes() -> dict[str, list[list[Any]]]:
    """
    Node's outcome of every call: for the value ``null`` both Node's
    outcome with ``null`` and with ``undefined``, which Python spells alike.
    """
    assert NODE is not None
    payload = []
    for label, call, value in rows():
        payload.append([label, call, VALUES[value][0]])
        if value == "null":
            payload.append([label + "/undefined", call, "undefined"])
    done = subprocess.run(
        [NODE, "-e", NODE_PROGRAM], input=json.dumps(payload), capture_output=True,
        text=True, timeout=60, check=True,
    )
    outcomes: dict[str, list[list[Any]]] = {}
    for row in json.loads(done.stdout):
        outcomes.setdefault(row[0].removesuffix("/undefined"), []).append(row[1:])
    return outcomes


def _neverAnswers(reactor: Any) -> Callable[..., None]:
    """A lookup that never answers: no real DNS from these tests."""

    def lookup(host: str, options: dict[str, Any], callback: Callable[..., None]) -> None:
        pass

    return lookup


class Namespace:
    """The names a call string sees in Python, bound to one memory reactor."""

    def __init__(self, clock: MemoryReactorClock) -> None:
        self.clock = clock
        self.net = SimpleNamespace(
            connect=lambda *a, **k: nodenet.connect(*a, reactor=clock, **k),
            createConnection=lambda *a, **k: nodenet.createConnection(*a, reactor=clock, **k),
            createServer=lambda *a, **k: nodenet.createServer(*a, reactor=clock, **k),
            isIP=nodenet.isIP,
            isIPv4=nodenet.isIPv4,
            isIPv6=nodenet.isIPv6,
            setDefaultAutoSelectFamily=nodenet.setDefaultAutoSelectFamily,
            setDefaultAutoSelectFamilyAttemptTimeout=nodenet.setDefaultAutoSelectFamilyAttemptTimeout,
        )
        self.timers = SimpleNamespace(
            setTimeout=lambda *a: timers.setTimeout(*a, reactor=clock),
            setInterval=lambda *a: timers.setInterval(*a, reactor=clock),
            setImmediate=lambda *a: timers.setImmediate(*a, reactor=clock),
            clearTimeout=timers.clearTimeout,
        )

    def Socket(self, *args: Any) -> Any:
        return nodenet.Socket(*args, reactor=self.clock)

    def footprint(self) -> tuple[int, ...]:
        """What the reactor holds: ports, connectors, pending timers."""
        c = self.clock
        return (
            len(c.tcpServers), len(c.tcpClients), len(c.unixServers), len(c.unixClients),
            len([d for d in c.getDelayedCalls() if d.active()]),
        )


def cleanup(result: Any) -> None:
    """Close whatever an accepted call returned."""
    if isinstance(result, nodenet.Socket):
        result.on("error", F)
        result.destroy()
    elif isinstance(result, nodenet.Server):
        result.on("error", F)
        result.close()
    elif isinstance(result, (timers.Timeout, timers.Immediate)):
        timers.clearTimeout(result)
        timers.clearImmediate(result)


class ArgumentTests(SynchronousTestCase):
    """
    Wrong types and values raise Node's errors, synchronously, leaving
    nothing behind: one test per call of :data:`CALLS`, each with every
    value of :data:`VALUES` (the comparison with Node is skipped, and only
    the leftovers checked, when ``node`` is not installed).
    """

    def setUp(self) -> None:
        self.patch(_socket, "_defaultLookup", _neverAnswers)
        self.patch(_server, "_defaultLookup", _neverAnswers)
        autoSelect = nodenet.getDefaultAutoSelectFamily()
        attemptTimeout = nodenet.getDefaultAutoSelectFamilyAttemptTimeout()
        self.addCleanup(nodenet.setDefaultAutoSelectFamily, autoSelect)
        self.addCleanup(nodenet.setDefaultAutoSelectFamilyAttemptTimeout, attemptTimeout)

    def ours(self, call: str) -> tuple[dict[str, list[Any]], list[str]]:
        """nodenet's outcome of ``call`` with every value, and every half-built leftover."""
        results: dict[str, list[Any]] = {}
        leftovers: list[str] = []
        autoSelect = nodenet.getDefaultAutoSelectFamily()
        attemptTimeout = nodenet.getDefaultAutoSelectFamilyAttemptTimeout()
        for label, _, value in rows([call]):
            clock = MemoryReactorClock()
            names = Namespace(clock)
            s = names.Socket()
            s.on("error", F)
            srv = names.net.createServer()
            srv.on("error", F)
            e = EventEmitter()
            closes: list[Any] = []
            s.on("close", lambda *a, closes=closes: closes.append(a))
            before = names.footprint()
            scope = {
                "net": names.net, "timers": names.timers, "Socket": names.Socket, "s": s,
                "srv": srv, "e": e, "F": F, "T": True, "V": VALUES[value][1](),
            }
            try:
                result = eval(call, scope)
            except NodeError as err:
                results[label] = [err.name, err.code, str(err)]
                clock.advance(0)
                if names.footprint() != before:
                    leftovers.append(f"{label}: the reactor holds {names.footprint()}, before {before}")
                if s.readyState != expectedReadyState(s):
                    leftovers.append(f"{label}: readyState {s.readyState!r} disagrees with the flags")
            except Exception as err:
                results[label] = ["Python " + type(err).__name__, None, str(err)]
            else:
                results[label] = ["ok"]
                cleanup(result)
            s.destroy()
            srv.close()
            for _ in range(3):
                clock.advance(0)
            if closes not in ([(False,)], [(True,)]):
                leftovers.append(f"{label}: the socket emitted 'close' {closes} after destroy()")
            left = [d for d in clock.getDelayedCalls() if d.active()]
            if left:
                leftovers.append(f"{label}: timers left after destroy(): {left}")
            nodenet.setDefaultAutoSelectFamily(autoSelect)
            nodenet.setDefaultAutoSelectFamilyAttemptTimeout(attemptTimeout)
        return results, leftovers

    def checkCall(self, call: str) -> None:
        """
        ``call`` with every value: the same outcome as in Node, and nothing
        half-built after a throw.
        """
        ours, leftovers = self.ours(call)
        self.assertEqual(leftovers, [])
        if NODE is None:
            return
        theirs = nodeOutcomes()
        differences = {
            label: {"node": theirs[label], "nodenet": ours[label]}
            for label in ours
            if normalise(ours[label]) not in [normalise(o) for o in theirs[label]]
        }
        if differences:
            lines = [
                f"  {label}\n    node:    {' | '.join(json.dumps(o) for o in d['node'])}"
                f"\n    nodenet: {json.dumps(d['nodenet'])}"
                for label, d in differences.items()
            ]
            self.fail(f"{len(differences)} of {len(ours)} values differ from Node:\n" + "\n".join(lines))


def _testName(index: int, call: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", call.replace("V", "value")).strip("_")
    return f"test_{index:02d}_{slug}"


def _makeTest(call: str) -> Callable[[ArgumentTests], None]:
    def test(self: ArgumentTests) -> None:
        self.checkCall(call)

    test.__doc__ = f"``{call}`` with every value: Node's outcome, nothing half-built."
    return test


for _index, _call in enumerate(CALLS):
    setattr(ArgumentTests, _testName(_index, _call), _makeTest(_call))
