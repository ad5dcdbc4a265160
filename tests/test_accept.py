"""
The server's accept path: the lean construction of an accepted socket and
the fast path of ``Socket.on`` give the same state as the general code.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

from twisted.internet.task import Clock
from twisted.internet.testing import StringTransport
from twisted.trial.unittest import SynchronousTestCase

import nodenet as net
from nodenet._protocol import NodeProtocol
from nodenet._socket import Socket
from nodenet.events import EventEmitter

_MISSING = object()

#: Attributes that name the connection itself, not its state.
_IDENTITY = {"_handle", "_transport", "_events"}


def _stateNames() -> list[str]:
    """Every attribute of a socket's state: its slots and the class defaults."""
    names = set(EventEmitter.__slots__) | set(Socket.__slots__)
    names |= {name for name in vars(Socket) if name.startswith("_") and not callable(vars(Socket)[name])}
    names -= {"__dict__", "__weakref__", "__slots__", "__module__", "__doc__", "__annotations__"}
    return sorted(name for name in names - _IDENTITY if not isinstance(vars(Socket).get(name), property))


def _state(socket: Socket) -> dict[str, Any]:
    return {name: getattr(socket, name, _MISSING) for name in _stateNames()}


def _handle(server: net.Server) -> NodeProtocol:
    """A connection's protocol as Twisted hands it over (connectionMade not yet run)."""
    handle = NodeProtocol(None, server)
    handle.connected = True
    handle.transport = StringTransport()
    return handle


class AcceptedSocketStateTests(SynchronousTestCase):
    """``Socket._fromServer`` makes what ``Socket(...)`` then ``_accepted`` make."""

    def check(self, **options: Any) -> None:
        clock = Clock()
        server = net.createServer(options, reactor=clock)
        fast = Socket._fromServer(server, _handle(server))
        general = Socket(
            {"allowHalfOpen": server.allowHalfOpen, "highWaterMark": server.highWaterMark},
            reactor=clock,
        )
        general._accepted(_handle(server), server, server.pauseOnConnect)
        self.assertEqual(
            (_state(fast), fast._events, fast._handle.socket is fast),  # type: ignore[union-attr]
            (_state(general), general._events, general._handle.socket is general),  # type: ignore[union-attr]
        )

    def test_defaults(self) -> None:
        """A server with no options."""
        self.check()

    def test_options(self) -> None:
        """A server with every option that bears on its sockets."""
        self.check(
            allowHalfOpen=True,
            pauseOnConnect=True,
            noDelay=True,
            keepAlive=True,
            keepAliveInitialDelay=3000,
            highWaterMark=1024,
        )

    def test_noDictForPlainSockets(self) -> None:
        """An accepted socket has no per-instance dict until a program adds its own attribute."""
        server = net.createServer(reactor=Clock())
        socket = Socket._fromServer(server, _handle(server))
        socket.on("data", lambda chunk: None)
        before = type(socket).__dictoffset__ != 0 and "__dict__" in dir(socket) and bool(vars(socket))
        socket.custom = 1  # type: ignore[attr-defined]
        self.assertEqual((before, vars(socket)), (False, {"custom": 1}))


class ListenerFastPathTests(SynchronousTestCase):
    """``Socket.on`` behaves as ``EventEmitter.on`` with Node's socket rules."""

    def test_firstDataListenerStartsFlow(self) -> None:
        """A first ``'data'`` listener makes the socket flow; one for another event does not."""
        a, b = Socket(reactor=Clock()), Socket(reactor=Clock())
        a.on("end", print)
        b.on("data", print)
        self.assertEqual((a.readableFlowing, b.readableFlowing), (None, True))

    def test_pausedStaysPaused(self) -> None:
        """A ``'data'`` listener added after ``pause()`` does not resume the socket."""
        socket = Socket(reactor=Clock())
        socket.pause()
        socket.on("data", print)
        self.assertEqual(socket.readableFlowing, False)

    def test_newListenerSeesEveryAddition(self) -> None:
        """With a ``'newListener'`` listener, each addition is announced before it is stored."""
        socket = Socket(reactor=Clock())
        trace: list[Any] = []
        socket.on("newListener", lambda event, listener: trace.append((event, socket.listenerCount(event))))
        socket.on("data", print)
        socket.addListener("end", print)
        socket.on("data", repr)
        self.assertEqual(
            (trace, socket.listeners("data"), socket.readableFlowing),
            ([("data", 0), ("end", 0), ("data", 1)], [print, repr], True),
        )

    def test_notCallable(self) -> None:
        """A listener that is not a function is refused, as by ``EventEmitter.on``."""
        socket = Socket(reactor=Clock())
        with self.assertRaises(TypeError) as caught:
            socket.on("data", "nope")  # type: ignore[arg-type]
        self.assertEqual(
            (getattr(caught.exception, "code", None), socket.listenerCount("data")),
            ("ERR_INVALID_ARG_TYPE", 0),
        )

    def test_returnsSelfAndOrder(self) -> None:
        """``on`` returns the socket, and listeners run in the order they were added."""
        socket = Socket(reactor=Clock())
        trace: list[str] = []
        result = socket.on("x", lambda: trace.append("first")).on("x", lambda: trace.append("second"))
        socket.emit("x")
        self.assertEqual((result is socket, trace), (True, ["first", "second"]))


class ServerPropertiesTests(SynchronousTestCase):
    """A server's option properties read back as Node's do."""

    def test_keepAliveInitialDelayInSeconds(self) -> None:
        """``keepAliveInitialDelay`` holds whole seconds, as ``~~(ms / 1000)``, never negative."""
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed: Node is the reference")
        delays = [2500, -2500, 999, 1e13, 0.5, 3000.7, -1, 0]
        script = (
            "const net = require('net');"
            f"console.log(JSON.stringify({json.dumps(delays)}.concat([NaN, Infinity])"
            ".map((d) => net.createServer({keepAliveInitialDelay: d}).keepAliveInitialDelay)))"
        )
        expected = json.loads(subprocess.run([node, "-e", script], capture_output=True, check=True).stdout)
        actual = [
            net.createServer({"keepAliveInitialDelay": d}, reactor=Clock()).keepAliveInitialDelay
            for d in [*delays, math.nan, math.inf]
        ]
        self.assertEqual(expected, actual)
